import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A hostile client for step 04's "Finite resources" (not a unit test): spends the server's
 * descriptors and its patience. Opens COUNT connections at once and sends one short message on
 * each; counts how many are echoed, how many wait (accepted by the kernel, not yet by the server)
 * and how many the server closed. With --hold, keeps them all silent that long and counts again
 * (an idle timeout closes them). Then closes the connections that were echoed, which frees the
 * server's descriptors, and counts how many of the waiting ones are echoed now; finally closes
 * them all and times one brand-new client.
 *
 * Usage: java OpenConnections.java HOST PORT COUNT [--hold SECONDS]
 * Ends with one line for scripts: open-connections opened=.. echoed=.. waiting=.. closed=..
 *   held_seconds=.. closed_while_held=.. echoed_after_closing=.. fresh_client=echoed|failed fresh_ms=..
 */
public class OpenConnections {

    private static final int MAX_PENDING_CONNECTS = 200;
    private static final long WAIT_NANOS = 5_000_000_000L; // how long each phase waits for echoes

    /** One connection: the message it sent, and how much of its echo is back. */
    private static final class Probe {
        final SocketChannel channel;
        final ByteBuffer message;
        final ByteBuffer echo;
        boolean closed;

        Probe(SocketChannel channel, int id) {
            this.channel = channel;
            this.message = ByteBuffer.wrap(String.format(Locale.ROOT, "ping %06d%n", id).getBytes(StandardCharsets.US_ASCII));
            this.echo = ByteBuffer.allocate(message.capacity());
        }

        boolean echoed() {
            return !echo.hasRemaining() && !closed;
        }

        boolean waiting() {
            return echo.hasRemaining() && !closed;
        }
    }

    public static void main(String[] args) throws Exception {
        if ((args.length != 3 && args.length != 5) || (args.length == 5 && !args[3].equals("--hold"))) {
            System.err.println("usage: java OpenConnections.java HOST PORT COUNT [--hold SECONDS]");
            System.exit(2);
        }
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        int holdSeconds = args.length == 5 ? Integer.parseInt(args[4]) : 0;

        List<Probe> probes = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            connectAll(selector, server, count, probes);
            exchange(selector, probes);
            long echoed = probes.stream().filter(Probe::echoed).count();
            long waiting = probes.stream().filter(Probe::waiting).count();
            long closed = probes.stream().filter(p -> p.closed).count();
            System.out.printf("opened %d connections: %d echoed, %d waiting, %d closed by the server%n",
                    probes.size(), echoed, waiting, closed);

            long closedWhileHeld = 0;
            if (holdSeconds > 0) {
                Thread.sleep(holdSeconds * 1000L); // a demonstration: we want the connections silent
                exchange(selector, probes); // notices the ends of stream that arrived meanwhile
                closedWhileHeld = probes.stream().filter(p -> p.closed).count() - closed;
                System.out.printf("after %d s without a byte: %d closed by the server, %d still open%n",
                        holdSeconds, closedWhileHeld, probes.stream().filter(p -> !p.closed).count());
            }

            List<Probe> stillWaiting = new ArrayList<>();
            for (Probe probe : probes) {
                if (probe.waiting()) {
                    stillWaiting.add(probe);
                } else {
                    probe.channel.close();
                }
            }
            exchange(selector, stillWaiting);
            long echoedAfterClosing = stillWaiting.stream().filter(Probe::echoed).count();
            System.out.printf("closed the %d others: %d of the %d waiting connections echoed now%n",
                    probes.size() - stillWaiting.size(), echoedAfterClosing, stillWaiting.size());

            for (Probe probe : probes) {
                probe.channel.close();
            }
            double freshMillis = freshClient(server);
            System.out.println(freshMillis >= 0
                    ? String.format(Locale.ROOT, "closed them all: a new client is echoed in %.1f ms", freshMillis)
                    : "closed them all: a new client got no echo within 5 s");
            System.out.printf("open-connections opened=%d echoed=%d waiting=%d closed=%d held_seconds=%d"
                            + " closed_while_held=%d echoed_after_closing=%d fresh_client=%s fresh_ms=%s%n",
                    probes.size(), echoed, waiting, closed, holdSeconds, closedWhileHeld, echoedAfterClosing,
                    freshMillis >= 0 ? "echoed" : "failed",
                    freshMillis >= 0 ? String.format(Locale.ROOT, "%.1f", freshMillis) : "-");
        }
    }

    /** Non-blocking connects, at most MAX_PENDING_CONNECTS handshakes at a time. */
    private static void connectAll(Selector selector, InetSocketAddress server, int count, List<Probe> probes)
            throws IOException {
        int pending = 0;
        while (probes.size() < count || pending > 0) {
            while (probes.size() < count && pending < MAX_PENDING_CONNECTS) {
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                Probe probe = new Probe(channel, probes.size() + 1);
                probes.add(probe);
                if (channel.connect(server)) {
                    channel.register(selector, 0, probe);
                } else {
                    channel.register(selector, SelectionKey.OP_CONNECT, probe);
                    pending++;
                }
            }
            if (pending > 0 && selector.select(10_000) == 0) {
                throw new IOException("no connect finished for 10 s; " + probes.size() + " started");
            }
            for (SelectionKey key : selector.selectedKeys()) {
                pending--;
                try {
                    ((SocketChannel) key.channel()).finishConnect();
                    key.interestOps(0);
                } catch (IOException e) {
                    ((Probe) key.attachment()).closed = true; // refused or reset: the server is gone
                    key.cancel();
                }
            }
            selector.selectedKeys().clear();
        }
    }

    /** Sends each probe's message if not yet sent, and reads echoes until all are back or WAIT_NANOS pass. */
    private static void exchange(Selector selector, List<Probe> probes) throws IOException {
        for (Probe probe : probes) {
            if (probe.closed) {
                continue;
            }
            try {
                if (probe.message.hasRemaining()) {
                    probe.channel.write(probe.message); // a few bytes: the socket takes them at once
                }
            } catch (IOException e) {
                probe.closed = true; // reset: the server is gone
                probe.channel.keyFor(selector).cancel();
                continue;
            }
            // Echoed connections are read too, so that an end of stream is noticed.
            probe.channel.keyFor(selector).interestOps(SelectionKey.OP_READ);
        }
        long deadline = System.nanoTime() + WAIT_NANOS;
        ByteBuffer extra = ByteBuffer.allocate(1024);
        while (probes.stream().anyMatch(Probe::waiting)) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0 || selector.select(left) == 0) {
                break;
            }
            readReady(selector, extra);
        }
        selector.selectNow(); // ends of stream that are already there
        readReady(selector, extra);
    }

    private static void readReady(Selector selector, ByteBuffer extra) {
        for (SelectionKey key : selector.selectedKeys()) {
            Probe probe = (Probe) key.attachment();
            try {
                int n = probe.channel.read(probe.echo.hasRemaining() ? probe.echo : extra.clear());
                if (n == -1) {
                    probe.closed = true;
                }
            } catch (IOException e) {
                probe.closed = true; // reset by the server
            }
            if (probe.closed) {
                key.cancel();
            }
        }
        selector.selectedKeys().clear();
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
