package tutorial.step04;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tutorial.step04.MultiConnectionClient.Summary;

class MultiConnectionClientTest {

    private RunningServer running;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();

    @BeforeEach
    void startServer() throws IOException {
        running = new RunningServer();
    }

    @AfterEach
    void stopServer() {
        running.close();
    }

    @Test
    @DisplayName("many clients at once: 500 connections x 5 messages, every byte accounted for")
    void fiveHundredConnectionsGetEveryByteBack() throws IOException {
        Summary summary = client(running.server().port(), 500, 5, 64, false).run();

        assertThat(summary.complete()).as(summary.toString()).isTrue();
        assertThat(summary.messagesSent()).isEqualTo(2500);
        assertThat(summary.bytesReceived()).isEqualTo(500 * 5 * 64);
        assertThat(summary.toString()).startsWith("500 connections, 2500 messages, 160000 bytes sent and received in ");
        await().atMost(20, SECONDS).until(() -> running.server().openConnections() == 0);
    }

    @Test
    @DisplayName("with a few connections, the client prints each connection's progress, then the summary")
    void fewConnectionsShowTheirProgress() throws IOException {
        Summary summary = client(running.server().port(), 3, 3, 64, true).run();

        assertThat(summary.toString()).startsWith("3 connections, 9 messages, 576 bytes sent and received in ");
        assertThat(printed())
                .startsWith("Opening 3 connections to 127.0.0.1:" + running.server().port()
                        + ", 3 messages of 64 bytes each")
                .contains("connection 1: connected from /127.0.0.1:")
                .contains("connection 2: sent message 3 of 3 (64 bytes)")
                .contains("connection 3: every byte is back, closing")
                .containsPattern("connection 1: received \\d+ bytes \\(192 of 192\\)");
    }

    @Test
    @DisplayName("bytes that do not come back are reported: a server that hangs up at once")
    void missingBytesMakeTheRunIncomplete() throws Exception {
        try (ServerSocketChannel rude = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            Thread hangUp = new Thread(() -> {
                for (int i = 0; i < 2; i++) {
                    try {
                        rude.accept().close(); // closed right away, having echoed nothing
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            hangUp.start();

            Summary summary = client(rude.socket().getLocalPort(), 2, 1, 64, true).run();
            hangUp.join(10_000);

            assertThat(summary.complete()).isFalse();
            assertThat(summary.bytesReceived()).isZero();
            assertThat(summary.toString()).contains("INCOMPLETE, 128 bytes missing");
        }
    }

    private MultiConnectionClient client(int port, int connections, int messages, int bytes, boolean verbose) {
        PrintStream out = new PrintStream(output, true, StandardCharsets.US_ASCII);
        return new MultiConnectionClient("127.0.0.1", port, connections, messages, bytes, out, verbose);
    }

    private String printed() {
        return output.toString(StandardCharsets.US_ASCII);
    }
}
