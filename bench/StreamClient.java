import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streaming through an echo server, for bench/run: one connection, one thread writing MIB mebibytes
 * in 64 KiB chunks while the main thread reads the echo back and checks every byte. After the last
 * byte the writer half-closes (shutdownOutput), so a server that echoes until EOF and then closes
 * lets us see the end even when it lost bytes. Bounded by DEADLINE seconds.
 *
 * Usage: java StreamClient HOST PORT MIB DEADLINE-SECONDS
 * Prints one line: stream sent=... received=... seconds=... mbps=... complete=true|false [reason]
 */
public class StreamClient {

    private static final int CHUNK = 64 * 1024;
    /** The stream repeats 0..250: a prime period that no chunk size divides, so a lost or repeated chunk shows. */
    private static final int PERIOD = 251;
    private static final byte[] PATTERN = pattern();

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: StreamClient HOST PORT MIB DEADLINE-SECONDS");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        long total = Long.parseLong(args[2]) * 1024 * 1024;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));

        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(host, port))) {
            AtomicLong sent = new AtomicLong();
            long start = System.nanoTime();
            Thread writer = new Thread(() -> writeAll(channel, total, sent), "writer");
            writer.setDaemon(true);
            writer.start();

            ByteBuffer in = ByteBuffer.allocate(CHUNK);
            long received = 0;
            String reason = "";
            // A watchdog closes the channel at the deadline, which unblocks our read.
            Thread watchdog = new Thread(() -> closeAtDeadline(channel, deadline), "watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            try {
                while (received < total) {
                    in.clear();
                    int n = channel.read(in);
                    if (n < 0) {
                        reason = "server closed the connection";
                        break;
                    }
                    int offset = (int) (received % PERIOD);
                    int mismatch = Arrays.mismatch(in.array(), 0, n, PATTERN, offset, offset + n);
                    if (mismatch >= 0) {
                        received += mismatch;
                        reason = "byte " + received + " differs from what was sent";
                        break;
                    }
                    received += n;
                }
            } catch (IOException e) {
                reason = System.nanoTime() >= deadline ? "deadline reached" : e.toString();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            boolean complete = received == total;
            System.out.printf("stream sent=%d received=%d seconds=%.3f mbps=%.1f complete=%s%s%n",
                    sent.get(), received, seconds, received / seconds / 1e6, complete,
                    complete ? "" : " reason=\"" + reason + "\"");
            System.exit(complete ? 0 : 1);
        }
    }

    private static void writeAll(SocketChannel channel, long total, AtomicLong sent) {
        long position = 0;
        try {
            while (position < total) {
                int chunk = (int) Math.min(CHUNK, total - position);
                int offset = (int) (position % PERIOD);
                ByteBuffer out = ByteBuffer.wrap(PATTERN, offset, chunk);
                while (out.hasRemaining()) {
                    channel.write(out);
                }
                position += chunk;
                sent.set(position);
            }
            channel.shutdownOutput();
        } catch (IOException e) {
            // the reader reports what went wrong
        }
    }

    private static byte[] pattern() {
        byte[] bytes = new byte[CHUNK + PERIOD];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i % PERIOD);
        }
        return bytes;
    }

    private static void closeAtDeadline(SocketChannel channel, long deadline) {
        try {
            long wait;
            while ((wait = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            channel.close();
        } catch (InterruptedException | IOException e) {
            // nothing left to do
        }
    }
}
