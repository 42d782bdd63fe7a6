import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A hostile client for step 04's "Finite resources" (not a unit test): spends the server's memory.
 * Opens COUNT connections, and on each sends MIB mebibytes without ever reading the echo, from one
 * thread, until every byte is sent or no connection has taken a byte for STALL seconds (default
 * 5: the kernel's buffers and the server's are full). Then, with all of them still open, times one brand-new
 * client's echo: a server that ran out of heap, or that stopped reading from everyone, fails it.
 *
 * Usage: java SendWithoutReading.java HOST PORT COUNT MIB [STALL-SECONDS]
 * Ends with one line for scripts: send-without-reading connections=.. mib_each=.. sent_mib=..
 *   reset=.. fresh_client=echoed|failed fresh_ms=..
 */
public class SendWithoutReading {

    private static final int MAX_PENDING_CONNECTS = 200;
    private static final ByteBuffer CHUNK = ByteBuffer.allocate(64 * 1024).asReadOnlyBuffer();

    public static void main(String[] args) throws Exception {
        if (args.length != 4 && args.length != 5) {
            System.err.println("usage: java SendWithoutReading.java HOST PORT COUNT MIB [STALL-SECONDS]");
            System.exit(2);
        }
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        long bytesEach = Long.parseLong(args[3]) * 1024 * 1024;
        long stallNanos = (args.length == 5 ? Long.parseLong(args[4]) : 5) * 1_000_000_000L;

        try (Selector selector = Selector.open()) {
            int reset = connectAll(selector, server, count, bytesEach);
            long start = System.nanoTime();
            long sent = 0;
            long lastProgress = System.nanoTime();
            // Every key still registered owes bytes; a key is cancelled when its connection has sent all.
            while (!selector.keys().isEmpty() && System.nanoTime() - lastProgress < stallNanos) {
                selector.select(500);
                for (SelectionKey key : selector.selectedKeys()) {
                    long[] left = (long[]) key.attachment();
                    SocketChannel channel = (SocketChannel) key.channel();
                    try {
                        ByteBuffer chunk = CHUNK.duplicate().clear();
                        chunk.limit((int) Math.min(chunk.capacity(), left[0]));
                        int written = channel.write(chunk);
                        sent += written;
                        left[0] -= written;
                        if (written > 0) {
                            lastProgress = System.nanoTime();
                        }
                        if (left[0] == 0) {
                            key.interestOps(0); // all sent; the connection stays open, unread
                        }
                    } catch (IOException e) {
                        reset++; // the server reset the connection, or is gone
                        key.cancel();
                    }
                }
                selector.selectedKeys().clear();
                if (selector.keys().stream().allMatch(k -> !k.isValid() || k.interestOps() == 0)) {
                    break;
                }
            }
            System.out.printf(Locale.ROOT, "sent %.1f MiB on %d connections in %.1f s, never reading;"
                            + " %d connections reset%n",
                    sent / 1048576.0, count, (System.nanoTime() - start) / 1e9, reset);

            double freshMillis = freshClient(server);
            System.out.println(freshMillis >= 0
                    ? String.format(Locale.ROOT, "new client: echoed in %.1f ms", freshMillis)
                    : "new client: no echo within 5 s");
            System.out.printf(Locale.ROOT, "send-without-reading connections=%d mib_each=%s sent_mib=%.1f reset=%d"
                            + " fresh_client=%s fresh_ms=%s%n",
                    count, args[3], sent / 1048576.0, reset,
                    freshMillis >= 0 ? "echoed" : "failed",
                    freshMillis >= 0 ? String.format(Locale.ROOT, "%.1f", freshMillis) : "-");
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
        }
    }

    /** Opens every connection (at most MAX_PENDING_CONNECTS handshakes at a time); returns how many failed. */
    private static int connectAll(Selector selector, InetSocketAddress server, int count, long bytesEach)
            throws IOException {
        int started = 0;
        int pending = 0;
        int failed = 0;
        while (started < count || pending > 0) {
            while (started < count && pending < MAX_PENDING_CONNECTS) {
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                boolean connected = channel.connect(server);
                channel.register(selector, connected ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT,
                        new long[] {bytesEach});
                pending += connected ? 0 : 1;
                started++;
            }
            if (pending > 0 && selector.select(10_000) == 0) {
                throw new IOException("no connect finished for 10 s; " + started + " started");
            }
            for (SelectionKey key : selector.selectedKeys()) {
                if (key.isConnectable()) {
                    pending--;
                    try {
                        ((SocketChannel) key.channel()).finishConnect();
                        key.interestOps(SelectionKey.OP_WRITE);
                    } catch (IOException e) {
                        failed++;
                        key.cancel();
                        key.channel().close();
                    }
                }
            }
            selector.selectedKeys().clear();
        }
        return failed;
    }

    /** The time a brand-new client waits for its echo, in milliseconds, or -1 if it got none in 5 s. */
    private static double freshClient(InetSocketAddress server) {
        byte[] message = "Hello World".getBytes(StandardCharsets.US_ASCII);
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(server, 5000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(message);
            byte[] reply = socket.getInputStream().readNBytes(message.length);
            if (reply.length == message.length) {
                return (System.nanoTime() - start) / 1e6;
            }
        } catch (IOException e) {
            // refused, reset or timed out: the fresh client was not served
        }
        return -1;
    }
}
