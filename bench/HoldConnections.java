import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections held, for bench/run (step 05; step 04's idle connections are measured by
 * step04-multi-client/scripts/IdleConnections.java): opens COUNT connections on one selector
 * thread, makes a GET / on each and reads its whole response, then holds them for HOLD seconds,
 * each making another request every REFRESH seconds (so that an idle timeout longer than that
 * never closes it). Then it measures the server's resident memory (VmRSS of SERVER-PID), times a
 * request on a brand-new connection, and makes one more request on every held connection to count
 * how many are still open.
 *
 * Usage: java HoldConnections HOST PORT COUNT SERVER-PID REFRESH-SECONDS HOLD-SECONDS
 * Prints key=value lines for bench/run.
 */
public class HoldConnections {

    private static final int MAX_PENDING_CONNECTS = 200;
    private static final long PHASE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final InetSocketAddress address;
    private final byte[] request;
    private final Selector selector = Selector.open();
    private final List<Connection> connections = new ArrayList<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private int connecting;
    private int exchangesDone;
    private int failed;
    private int busyCount;

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: HoldConnections HOST PORT COUNT SERVER-PID REFRESH-SECONDS HOLD-SECONDS");
            System.exit(2);
        }
        HoldConnections holder = new HoldConnections(new InetSocketAddress(args[0], Integer.parseInt(args[1])));
        int count = Integer.parseInt(args[2]);
        long serverPid = Long.parseLong(args[3]);
        long refreshSeconds = Long.parseLong(args[4]);
        long holdSeconds = Long.parseLong(args[5]);
        holder.run(count, serverPid, refreshSeconds, holdSeconds);
    }

    HoldConnections(InetSocketAddress address) throws IOException {
        this.address = address;
        this.request = ("GET / HTTP/1.1\r\nHost: " + address.getHostString() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    void run(int count, long serverPid, long refreshSeconds, long holdSeconds) throws IOException, InterruptedException {
        print("rss_before_kb", rssKb(serverPid));
        long start = System.nanoTime();
        openAll(count);
        print("opened", connections.size() - failed);
        print("served_once", exchangesDone);
        print("failed", failed);
        print("open_seconds", String.format(Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9));

        long holdEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(holdSeconds);
        int refreshes = 0;
        while (System.nanoTime() < holdEnd) {
            long wait = Math.min(TimeUnit.SECONDS.toNanos(refreshSeconds), holdEnd - System.nanoTime());
            TimeUnit.NANOSECONDS.sleep(Math.max(wait, 0));
            if (System.nanoTime() < holdEnd) {
                exchangeOnAllOpen();
                refreshes++;
            }
        }
        print("refresh_rounds", refreshes);
        print("rss_held_kb", rssKb(serverPid));
        print("new_client_ms", String.format(Locale.ROOT, "%.1f", newClientMillis()));
        print("still_open", exchangeOnAllOpen());
        for (Connection connection : connections) {
            connection.channel.close();
        }
    }

    /** Opens the connections, at most MAX_PENDING_CONNECTS handshakes at a time, and makes one exchange on each. */
    private void openAll(int count) throws IOException {
        long limit = System.nanoTime() + PHASE_LIMIT_NANOS;
        int started = 0;
        while ((started < count || connecting > 0 || busy() > 0) && System.nanoTime() < limit) {
            while (started < count && connecting < MAX_PENDING_CONNECTS) {
                startConnect();
                started++;
            }
            selector.select(100);
            handleSelected();
        }
    }

    private void startConnect() throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        Connection connection = new Connection(channel);
        connections.add(connection);
        if (channel.connect(address)) {
            connection.startExchange();
        } else {
            connecting++;
            channel.register(selector, SelectionKey.OP_CONNECT, connection);
        }
    }

    /** One more exchange on every connection still open; returns how many completed. */
    private int exchangeOnAllOpen() throws IOException {
        exchangesDone = 0;
        for (Connection connection : connections) {
            if (connection.channel.isOpen()) {
                connection.startExchange();
            }
        }
        long limit = System.nanoTime() + PHASE_LIMIT_NANOS;
        while (busy() > 0 && System.nanoTime() < limit) {
            selector.select(100);
            handleSelected();
        }
        return exchangesDone;
    }

    private int busy() {
        return busyCount;
    }

    private void handleSelected() {
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            Connection connection = (Connection) key.attachment();
            try {
                if (key.isConnectable()) {
                    connection.channel.finishConnect();
                    connecting--;
                    connection.startExchange();
                } else if (key.isReadable()) {
                    connection.readReply();
                }
            } catch (IOException e) {
                if (key.isConnectable()) {
                    connecting--;
                }
                failed++;
                connection.close();
            }
        }
    }

    private double newClientMillis() throws IOException {
        long start = System.nanoTime();
        try (SocketChannel channel = SocketChannel.open(address)) {
            Connection connection = new Connection(channel);
            channel.write(ByteBuffer.wrap(request));
            connection.busy = true;
            busyCount++;
            while (connection.busy) {
                readBuffer.clear();
                if (channel.read(readBuffer) < 0) {
                    connection.close();
                    return -1;
                }
                readBuffer.flip();
                connection.consume(readBuffer);
            }
        }
        return (System.nanoTime() - start) / 1e6;
    }

    private static String rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return line.replaceAll("[^0-9]", "");
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        return "?";
    }

    private static void print(String key, Object value) {
        System.out.println(key + "=" + value);
    }

    /** One held connection: sends the request, then reads until the whole response is back. */
    private final class Connection {
        final SocketChannel channel;
        final ByteArrayOutputStream reply = new ByteArrayOutputStream();
        boolean busy;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }

        void startExchange() throws IOException {
            reply.reset();
            busy = true;
            busyCount++;
            ByteBuffer out = ByteBuffer.wrap(request);
            channel.write(out);
            if (out.hasRemaining()) {
                throw new IOException("request not written in one go");
            }
            channel.register(selector, SelectionKey.OP_READ, this);
        }

        void readReply() throws IOException {
            readBuffer.clear();
            int n = channel.read(readBuffer);
            if (n < 0) {
                throw new IOException("closed by the server");
            }
            readBuffer.flip();
            consume(readBuffer);
        }

        void consume(ByteBuffer bytes) {
            reply.write(bytes.array(), bytes.position(), bytes.remaining());
            if (replyComplete()) {
                busy = false;
                busyCount--;
                exchangesDone++;
            }
        }

        private boolean replyComplete() {
            String text = reply.toString(StandardCharsets.ISO_8859_1);
            int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd < 0) {
                return false;
            }
            long length = 0;
            for (String line : text.substring(0, headEnd).split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Long.parseLong(line.substring("content-length:".length()).trim());
                }
            }
            return reply.size() >= headEnd + 4 + length;
        }

        void close() {
            if (busy) {
                busy = false;
                busyCount--;
            }
            try {
                channel.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }
}
