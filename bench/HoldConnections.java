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
 * thread, makes a GET / on each and reads its whole response, and holds them for HOLD seconds.
 * Every connection makes another request once REFRESH seconds have passed since its last one, from
 * the moment it is opened, so a server idle timeout longer than REFRESH never closes it. Then it
 * measures the server's resident memory (VmRSS of SERVER-PID), times a request on a brand-new
 * connection, and makes one more request on every held connection to count how many are still open.
 *
 * Usage: java HoldConnections HOST PORT COUNT SERVER-PID REFRESH-SECONDS HOLD-SECONDS
 * Prints key=value lines for bench/run.
 */
public class HoldConnections {

    private static final int MAX_PENDING_CONNECTS = 200;
    private static final long PHASE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(90);

    private final InetSocketAddress address;
    private final byte[] request;
    private final long refreshNanos;
    private final Selector selector = Selector.open();
    private final List<Connection> connections = new ArrayList<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private int connecting;
    private int busy;
    private int responses;
    private int closedByServer;
    private long lastRefreshScan;

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: HoldConnections HOST PORT COUNT SERVER-PID REFRESH-SECONDS HOLD-SECONDS");
            System.exit(2);
        }
        HoldConnections holder = new HoldConnections(new InetSocketAddress(args[0], Integer.parseInt(args[1])),
                TimeUnit.SECONDS.toNanos(Long.parseLong(args[4])));
        holder.run(Integer.parseInt(args[2]), Long.parseLong(args[3]), TimeUnit.SECONDS.toNanos(Long.parseLong(args[5])));
    }

    HoldConnections(InetSocketAddress address, long refreshNanos) throws IOException {
        this.address = address;
        this.refreshNanos = refreshNanos;
        this.request = ("GET / HTTP/1.1\r\nHost: " + address.getHostString() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    void run(int count, long serverPid, long holdNanos) throws IOException {
        print("rss_before_kb", rssKb(serverPid));
        long start = System.nanoTime();
        openAll(count);
        print("opened", count - closedByServer);
        print("open_seconds", String.format(Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9));

        int responsesBeforeHold = responses;
        long holdEnd = System.nanoTime() + holdNanos;
        while (System.nanoTime() < holdEnd) {
            pump(100);
        }
        print("requests_while_held", responses - responsesBeforeHold);
        print("rss_held_kb", rssKb(serverPid));
        print("heap_live_kb", liveHeapKb(serverPid));
        print("new_client_ms", String.format(Locale.ROOT, "%.1f", newClientMillis()));
        print("still_open", requestOnEveryOpenConnection());
        print("closed_by_server", closedByServer);
        for (Connection connection : connections) {
            connection.channel.close();
        }
    }

    /** Opens the connections, at most MAX_PENDING_CONNECTS handshakes at a time, and makes a request on each. */
    private void openAll(int count) throws IOException {
        long limit = System.nanoTime() + PHASE_LIMIT_NANOS;
        int started = 0;
        while ((started < count || connecting > 0 || busy > 0) && System.nanoTime() < limit) {
            while (started < count && connecting < MAX_PENDING_CONNECTS) {
                startConnect();
                started++;
            }
            pump(100);
        }
    }

    /** One round: wait for events up to timeoutMillis, handle them, and refresh connections due for it. */
    private void pump(long timeoutMillis) throws IOException {
        selector.select(timeoutMillis);
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            Connection connection = (Connection) key.attachment();
            boolean connectingNow = key.isConnectable();
            try {
                if (connectingNow) {
                    connection.channel.finishConnect();
                    connecting--;
                    connection.startRequest();
                } else if (key.isReadable()) {
                    connection.readResponse();
                }
            } catch (IOException e) {
                if (connectingNow) {
                    connecting--;
                }
                closedByServer++;
                connection.close();
            }
        }
        long now = System.nanoTime();
        if (now - lastRefreshScan > TimeUnit.MILLISECONDS.toNanos(200)) {
            lastRefreshScan = now;
            for (Connection connection : connections) {
                if (connection.idleSince(now) > refreshNanos) {
                    try {
                        connection.startRequest();
                    } catch (IOException e) {
                        closedByServer++;
                        connection.close();
                    }
                }
            }
        }
    }

    private void startConnect() throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        Connection connection = new Connection(channel);
        connections.add(connection);
        connecting++;
        channel.register(selector, SelectionKey.OP_CONNECT, connection);
        channel.connect(address); // completes later: OP_CONNECT says when
    }

    /** One more request on every connection still open; returns how many were answered. */
    private int requestOnEveryOpenConnection() throws IOException {
        int before = responses;
        for (Connection connection : connections) {
            if (connection.channel.isOpen() && !connection.busy) {
                connection.startRequest();
            }
        }
        long limit = System.nanoTime() + PHASE_LIMIT_NANOS;
        while (busy > 0 && System.nanoTime() < limit) {
            pump(100);
        }
        return responses - before;
    }

    private double newClientMillis() throws IOException {
        long start = System.nanoTime();
        try (SocketChannel channel = SocketChannel.open(address)) {
            Connection connection = new Connection(channel);
            channel.write(ByteBuffer.wrap(request));
            while (!connection.responseComplete()) {
                readBuffer.clear();
                if (channel.read(readBuffer) < 0) {
                    return -1;
                }
                connection.response.write(readBuffer.array(), 0, readBuffer.position());
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

    /** The server's heap in use right after a full GC (jcmd GC.run, then GC.heap_info): what the connections really keep. */
    private static String liveHeapKb(long pid) {
        try {
            Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
            run(jcmd.toString(), Long.toString(pid), "GC.run");
            long used = 0;
            for (String line : run(jcmd.toString(), Long.toString(pid), "GC.heap_info").split("\n")) {
                // One line per generation (Serial: "def new generation", "tenured generation"; G1: "garbage-first heap").
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s*(def new|DefNew|tenured|Tenured|garbage-first|PSYoungGen|ParOldGen).*used (\\d+)K").matcher(line);
                if (m.find()) {
                    used += Long.parseLong(m.group(2));
                }
            }
            return Long.toString(used);
        } catch (IOException | InterruptedException | RuntimeException e) {
            return "?";
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output;
    }

    private static void print(String key, Object value) {
        System.out.println(key + "=" + value);
    }

    /** One held connection: sends a request, then reads until the whole response is back. */
    private final class Connection {
        final SocketChannel channel;
        final ByteArrayOutputStream response = new ByteArrayOutputStream();
        boolean busy;
        long lastResponse = System.nanoTime();

        Connection(SocketChannel channel) {
            this.channel = channel;
        }

        long idleSince(long now) {
            return busy || !channel.isOpen() || !channel.isConnected() ? 0 : now - lastResponse;
        }

        void startRequest() throws IOException {
            response.reset();
            setBusy(true);
            ByteBuffer out = ByteBuffer.wrap(request);
            channel.write(out);
            if (out.hasRemaining()) {
                throw new IOException("request not written in one go");
            }
            channel.register(selector, SelectionKey.OP_READ, this);
        }

        void readResponse() throws IOException {
            readBuffer.clear();
            if (channel.read(readBuffer) < 0) {
                throw new IOException("closed by the server");
            }
            response.write(readBuffer.array(), 0, readBuffer.position());
            if (responseComplete()) {
                setBusy(false);
                lastResponse = System.nanoTime();
                responses++;
            }
        }

        /** Head complete (CR LF CR LF) and Content-Length bytes of body after it. */
        boolean responseComplete() {
            String text = response.toString(StandardCharsets.ISO_8859_1);
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
            return response.size() >= headEnd + 4 + length;
        }

        private void setBusy(boolean now) {
            if (busy != now) {
                HoldConnections.this.busy += now ? 1 : -1;
                busy = now;
            }
        }

        void close() {
            setBusy(false);
            try {
                channel.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }
}
