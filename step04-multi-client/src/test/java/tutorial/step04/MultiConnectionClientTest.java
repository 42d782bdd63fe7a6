package tutorial.step04;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
        Descriptors.assumeFree(1_100); // 500 sockets at each end, in this one JVM
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

    @Test
    @DisplayName("bytes beyond what was sent are a wrong echo: against a server that echoes twice, the client"
            + " reports it and ends")
    void extraBytesAreAWrongEcho() throws Exception {
        try (ServerSocketChannel twice = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            Thread echoTwice = new Thread(() -> {
                try (SocketChannel channel = twice.accept()) {
                    ByteBuffer message = ByteBuffer.allocate(4);
                    while (message.hasRemaining() && channel.read(message) != -1) {
                        // read the whole 4-byte message
                    }
                    ByteBuffer doubled = ByteBuffer.allocate(8).put(message.flip()).put(message.rewind()).flip();
                    while (doubled.hasRemaining()) {
                        channel.write(doubled); // 8 bytes back for 4 sent, in one write
                    }
                    channel.read(ByteBuffer.allocate(1)); // until the client hangs up
                } catch (IOException e) {
                    // the test is over
                }
            });
            echoTwice.start();

            Summary summary = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> client(twice.socket().getLocalPort(), 1, 1, 4, true).run());
            echoTwice.join(10_000);

            assertThat(summary.complete()).isFalse();
            assertThat(summary.connectionsWithWrongBytes()).isEqualTo(1);
            assertThat(summary.bytesReceived()).isGreaterThan(4);
            assertThat(summary.toString()).contains("INCOMPLETE, 0 bytes missing, 1 connections got wrong bytes");
            assertThat(printed()).contains("connection 1: echo differs from what was sent, closing");
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
