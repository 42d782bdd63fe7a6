package tutorial.step01;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What step 01 cannot do. Each test passes while showing the limitation, and fails once a later
 * step removes it (the same scenarios run in step 02 and step 03 with the opposite outcome).
 * Tagged "limitation" and "fixed-in-stepNN", so that a starter kit for step NN leaves it out.
 */
class LimitationTest {

    @Test
    @Tag("limitation")
    @Tag("fixed-in-step02")
    @DisplayName("reply in two pieces: one read returns only the first piece (fixed in step 02)")
    void singleReadCanReturnPartOfTheReply() throws Exception {
        // The test plays the server, so that it decides how the reply is cut.
        try (ServerSocketChannel peer = Loopback.listen()) {
            CompletableFuture<String> reply = exchangeInBackground(Loopback.port(peer), "Hello World");
            try (SocketChannel server = peer.accept()) {
                assertThat(Loopback.receive(server, 11)).isEqualTo("Hello World");

                Loopback.send(server, "Hello"); // the first piece; " World" would follow later

                await().atMost(Duration.ofSeconds(10)).until(reply::isDone);
                assertThat(reply.join()).isEqualTo("Hello");
            }
        }
    }

    @Test
    @Tag("limitation")
    @Tag("fixed-in-step02")
    @DisplayName("reply longer than the buffer: one read returns at most 1024 of 3000 bytes (fixed in step 02)")
    void singleReadCannotReturnMoreThanTheBuffer() throws Exception {
        String message = "0123456789".repeat(300);
        try (RunningServer server = RunningServer.start()) {
            String reply = EchoClient.exchange("127.0.0.1", server.port(), message);

            assertThat(reply).isNotEmpty().hasSizeLessThanOrEqualTo(1024);
            assertThat(message).startsWith(reply);
        }
    }

    // tag::second-client-waits[]
    @Test
    @Tag("limitation")
    @Tag("fixed-in-step03")
    @DisplayName("second client while the first stays: connected by the kernel, no echo until the first leaves"
            + " (fixed in step 03)")
    @SuppressWarnings("try") // the first client is closed on purpose inside the block
    void secondClientWaitsWhileFirstIsConnected() throws Exception {
        try (RunningServer server = RunningServer.start();
             SocketChannel first = Loopback.connect(server.port())) {
            Loopback.send(first, "A");
            assertThat(Loopback.receive(first, 1)).as("the server is now busy with the first client").isEqualTo("A");

            try (SocketChannel second = Loopback.connect(server.port())) {
                // connect() succeeded although nobody called accept(): the kernel queued us (the backlog)
                assertThat(second.isConnected()).isTrue();
                Loopback.send(second, "Hello");
                second.configureBlocking(false); // so that the test can look for the echo without waiting
                ByteBuffer echo = ByteBuffer.allocate(5);

                await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10))
                        .until(() -> readWhatIsThere(second, echo) == 0);
                assertThat(server.log()).doesNotContain("Got connection from " + second.getLocalAddress());

                first.close();

                await().atMost(Duration.ofSeconds(10)).until(() -> readWhatIsThere(second, echo) == 5);
                assertThat(new String(echo.array(), StandardCharsets.UTF_8)).isEqualTo("Hello");
            }
        }
    }
    // end::second-client-waits[]

    private static CompletableFuture<String> exchangeInBackground(int port, String message) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return EchoClient.exchange("127.0.0.1", port, message);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Reads whatever has arrived on a non-blocking channel; returns how many bytes the buffer holds. */
    private static int readWhatIsThere(SocketChannel channel, ByteBuffer buffer) throws IOException {
        channel.read(buffer);
        return buffer.position();
    }
}
