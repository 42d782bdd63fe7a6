package tutorial.step04;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Patience is finite: a connection that stays silent gives its descriptor and memory back. */
class IdleTimeoutTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(500);

    private RunningServer running;

    @BeforeEach
    void startServer() throws Exception {
        running = new RunningServer(Limits.forThisProcess().withIdleTimeout(IDLE_TIMEOUT));
    }

    @AfterEach
    void stopServer() {
        running.close();
    }

    @Test
    @DisplayName("a connection with no byte either way for the idle timeout is closed, with one log line")
    void silentConnectionIsClosed() throws Exception {
        try (BlockingClient client = new BlockingClient(running.server().port())) {
            String address = client.localAddress();
            assertThat(client.echo("one message, then silence")).isEqualTo("one message, then silence");

            await().atMost(10, SECONDS).until(() -> running.log().contains("timed out"));
            assertThat(client.channel().read(ByteBuffer.allocate(1))).as("end of stream").isEqualTo(-1);
            assertThat(running.log()).containsOnlyOnce(
                    "Connection from " + address + " timed out: no byte for 0.5 s");
            // The line is logged just before the count goes down, on the loop's thread: wait for it.
            await().atMost(10, SECONDS).until(() -> running.server().openConnections() == 0);
        }
    }

    @Test
    @DisplayName("a connection that keeps talking outlives many idle timeouts")
    void talkingConnectionStaysOpen() throws Exception {
        try (BlockingClient client = new BlockingClient(running.server().port())) {
            // An echo every 100 ms, for four timeouts: each must come back on the same connection.
            await().during(2, SECONDS).atMost(4, SECONDS).pollInterval(100, MILLISECONDS)
                    .until(() -> client.echo("tick").equals("tick"));
            assertThat(running.log()).doesNotContain("timed out");
        }
    }
}
