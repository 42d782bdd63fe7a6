package tutorial.step02;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What step 02 still cannot do: serve two clients at once. The test is step 01's, unchanged; it
 * passes while showing the limitation and fails once step 03 removes it.
 */
class LimitationTest {

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

    /** Reads whatever has arrived on a non-blocking channel; returns how many bytes the buffer holds. */
    private static int readWhatIsThere(SocketChannel channel, ByteBuffer buffer) throws IOException {
        channel.read(buffer);
        return buffer.position();
    }
}
