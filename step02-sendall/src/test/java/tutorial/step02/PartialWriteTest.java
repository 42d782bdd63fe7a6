package tutorial.step02;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Why sendAll exists: a write may take fewer bytes than it was given. */
class PartialWriteTest {

    private static final int SOCKET_BUFFER = 64 * 1024;
    private static final int MESSAGE = 8 * 1024 * 1024;

    @Test
    @DisplayName("a non-blocking write into a peer that does not read takes fewer bytes than asked;"
            + " sendAll still delivers them all once the peer reads")
    void nonBlockingWriteIsPartialAndSendAllDeliversEverything() throws Exception {
        byte[] message = new byte[MESSAGE];
        new Random(2).nextBytes(message);
        try (ServerSocketChannel listener = Loopback.listen()) {
            // Small socket buffers on both sides, so that "full" comes soon on any machine.
            listener.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER); // inherited by accept()
            try (SocketChannel writer = SocketChannel.open();
                 SocketChannel reader = connect(writer, listener)) {
                writer.configureBlocking(false);
                ByteBuffer buffer = ByteBuffer.wrap(message);

                int written = writer.write(buffer); // the peer is not reading yet

                assertThat(written).as("bytes taken by one non-blocking write of %d", MESSAGE)
                        .isPositive().isLessThan(MESSAGE);

                CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> sendAllQuietly(writer, buffer));
                byte[] received = Loopback.receiveBytes(reader, MESSAGE);
                sending.get(20, TimeUnit.SECONDS);

                assertThat(buffer.hasRemaining()).isFalse();
                assertThat(received).isEqualTo(message);
            }
        }
    }

    private static SocketChannel connect(SocketChannel writer, ServerSocketChannel listener) throws Exception {
        writer.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
        writer.connect(listener.getLocalAddress());
        return listener.accept();
    }

    private static void sendAllQuietly(SocketChannel channel, ByteBuffer buffer) {
        try {
            Transfer.sendAll(channel, buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
