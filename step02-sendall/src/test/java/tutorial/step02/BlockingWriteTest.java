package tutorial.step02;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What one write in blocking mode really promises. The JDK's SocketChannelImpl.write calls the
 * kernel once and tries again only when the kernel took nothing at all. On a platform thread the
 * socket itself is blocking, so the kernel's send waits until it has taken every byte. On a
 * virtual thread (JDK 21 and later) the JDK makes the socket non-blocking underneath, and the
 * same call returns with whatever fitted. sendAll is correct on both.
 */
class BlockingWriteTest {

    private static final int SOCKET_BUFFER = 64 * 1024;
    private static final int MESSAGE = 8 * 1024 * 1024;

    private final byte[] message = randomBytes(MESSAGE);

    @Test
    @DisplayName("platform thread: one blocking write of 8 MiB waits in the kernel while the peer does not read,"
            + " then returns every byte")
    void blockingWriteOnAPlatformThreadReturnsOnlyWhenTheKernelTookEverything() throws Exception {
        try (ServerSocketChannel listener = listenWithSmallBuffers();
             SocketChannel writer = SocketChannel.open();
             SocketChannel reader = connect(writer, listener)) {
            ByteBuffer buffer = ByteBuffer.wrap(message);
            CompletableFuture<Integer> written = new CompletableFuture<>();
            new Thread(() -> writeOnce(writer, buffer, written), "platform-writer").start();

            // The socket buffers hold a few hundred KiB at most: the write cannot be done.
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !written.isDone());
            byte[] received = Loopback.receiveBytes(reader, MESSAGE);

            assertThat(written.get(10, TimeUnit.SECONDS)).as("bytes taken by ONE write").isEqualTo(MESSAGE);
            assertThat(received).isEqualTo(message);
        }
    }

    @Test
    @DisplayName("virtual thread (JDK 21+): one blocking write of 8 MiB into a peer that does not read returns"
            + " after part of it; sendAll delivers the rest")
    void blockingWriteOnAVirtualThreadCanTakeFewerBytesThanGiven() throws Throwable {
        int jdk = Runtime.version().feature();
        assumeTrue(jdk >= 21, "virtual threads need JDK 21 or newer; this test runs on JDK " + jdk);
        try (ServerSocketChannel listener = listenWithSmallBuffers();
             SocketChannel writer = SocketChannel.open();
             SocketChannel reader = connect(writer, listener)) {
            ByteBuffer buffer = ByteBuffer.wrap(message);
            CompletableFuture<Integer> written = new CompletableFuture<>();

            startVirtualThread(() -> writeOnce(writer, buffer, written)); // the peer is not reading

            // On a platform thread this write would still be waiting (the test above).
            await().atMost(Duration.ofSeconds(10)).until(written::isDone);
            assertThat(writer.isBlocking()).as("the channel is in blocking mode").isTrue();
            assertThat(written.get()).as("bytes taken by ONE write in blocking mode")
                    .isPositive().isLessThan(MESSAGE);

            CompletableFuture<Void> sending = new CompletableFuture<>();
            startVirtualThread(() -> sendAll(writer, buffer, sending));
            byte[] received = Loopback.receiveBytes(reader, MESSAGE);
            sending.get(20, TimeUnit.SECONDS);

            assertThat(received).isEqualTo(message);
        }
    }

    /** Small socket buffers, so that "full" comes soon whatever the machine's defaults. */
    private static ServerSocketChannel listenWithSmallBuffers() throws IOException {
        ServerSocketChannel listener = Loopback.listen();
        listener.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER); // inherited by accept()
        return listener;
    }

    private static SocketChannel connect(SocketChannel writer, ServerSocketChannel listener) throws IOException {
        writer.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
        writer.connect(listener.getLocalAddress());
        return listener.accept();
    }

    private static void writeOnce(SocketChannel channel, ByteBuffer buffer, CompletableFuture<Integer> written) {
        try {
            written.complete(channel.write(buffer));
        } catch (IOException e) {
            written.completeExceptionally(e);
        }
    }

    private static void sendAll(SocketChannel channel, ByteBuffer buffer, CompletableFuture<Void> sent) {
        try {
            Transfer.sendAll(channel, buffer);
            sent.complete(null);
        } catch (IOException e) {
            sent.completeExceptionally(e);
        }
    }

    /** Thread.startVirtualThread(task), called through a method handle: this code compiles for Java 17. */
    private static Thread startVirtualThread(Runnable task) throws Throwable {
        MethodHandle start = MethodHandles.publicLookup().findStatic(Thread.class, "startVirtualThread",
                MethodType.methodType(Thread.class, Runnable.class));
        return (Thread) start.invokeExact(task);
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(3).nextBytes(bytes);
        return bytes;
    }
}
