package tutorial.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The first echo checks pass against every step of the tutorial, so the matrix alone does not
 * show that they can fail. Against a broken server they do, and say why.
 */
class EchoChecksCanFailTest {

    @Test
    void aServerThatNeverAnswersFailsTheRoundTrip() throws IOException {
        try (ThreadPerConnectionServer server = new ThreadPerConnectionServer(ThreadPerConnectionServer.silent())) {
            Result result = run("echo-round-trip", server.port());

            assertThat(result.passed()).isFalse();
            assertThat(result.evidence()).isEqualTo("client got 0 of 11 bytes back, then nothing for 1.0 s");
            assertThat(result.wire()).containsExactly("client sent 11 bytes: \"Hello World\"", "client received nothing for 1.0 s");
        }
    }

    @Test
    void aServerThatTakesOneReadForOneMessageFailsTheLongMessageAndThePieces() throws IOException {
        try (ThreadPerConnectionServer server = new ThreadPerConnectionServer(ThreadPerConnectionServer.echoOneReadThenClose())) {
            Result roundTrip = run("echo-round-trip", server.port());
            Result longMessage = run("long-message-comes-back-whole", server.port());
            Result pieces = run("message-in-pieces-comes-back-whole", server.port());

            assertThat(roundTrip.passed()).as("11 bytes come in one read: this bug hides").isTrue();
            assertThat(longMessage.passed()).isFalse();
            assertThat(longMessage.evidence()).matches("client got back \\d+ of 100000 bytes \\(all right so far\\), then"
                    + " (end of stream|the connection failed .*): \\d+ missing");
            assertThat(pieces.passed()).isFalse();
            // When the server's reset arrives decides which of our steps sees the close first.
            assertThat(pieces.evidence()).matches("client got 5 of 23 bytes back, then end of stream"
                    + "|client had sent [12] of 3 pieces; client could not send .*");
            assertThat(pieces.wire()).contains("client received 5 bytes: \"Hello\"");
        }
    }

    private static Result run(String check, int port) {
        CheckContext.Settings settings = new CheckContext.Settings("127.0.0.1", port, Connector.PLAIN, Duration.ofSeconds(1), 100,
                Duration.ofSeconds(5));
        return Checker.run(Catalog.check(check), settings);
    }
}
