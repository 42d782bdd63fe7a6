import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Connections held, for bench/run: opens COUNT connections to an echo server (--protocol echo) or
 * an HTTP server (--protocol http) from one selector thread, makes one exchange on each (a 16-byte
 * message and its echo, or a GET / and its whole response), and holds them idle for HOLD seconds.
 * A held connection makes another exchange once REFRESH seconds have passed since its last one,
 * so that a server idle timeout longer than REFRESH never closes it.
 *
 * <p>Then it reads the server process's resident memory (VmRSS), its threads and its live heap
 * (the heap in use right after a full GC, from jcmd), before the first connection and while they
 * are held, so that "live heap per idle connection" is (held - before) / connections. It times an
 * exchange on a brand-new connection, and makes one more exchange on every held connection to
 * count how many are still open.
 *
 * <p>A connection whose exchange is not answered within ANSWER seconds (a connect still pending,
 * or no echo) counts as unanswered: a server whose threads are all taken, or that has stopped
 * accepting, leaves new connections waiting in the kernel. With --until-refused it stops opening
 * connections at the first one refused, reset, closed or unanswered, and then, after closing all
 * of them, times one more new client: how many connections a server holds before it turns new
 * ones away, and whether it comes back.
 *
 * <p>Usage: java HoldConnections --protocol echo|http --count N --server-pid PID [--refresh S]
 * [--hold S] [--answer S] [--until-refused] HOST PORT
 *
 * <p>Prints key=value lines for bench/run, then one line "summary: ..." for people.
 */
public class HoldConnections {

    private static final String USAGE = "usage: HoldConnections --protocol echo|http --count N --server-pid PID"
            + " [--refresh S] [--hold S] [--answer S] [--until-refused] HOST PORT";
    private static final int MAX_PENDING = 200; // connects and first exchanges in flight: below every backlog
    private static final byte[] ECHO_MESSAGE = "held connection\n".getBytes(StandardCharsets.US_ASCII);
    private static final int NEW_CLIENT_TIMEOUT_MILLIS = 10_000;

    private enum State { CONNECTING, EXCHANGING, IDLE, UNANSWERED, CLOSED }

    private final InetSocketAddress address;
    private final boolean http;
    private final byte[] request;
    private final long refreshNanos;
    private final long answerNanos;
    private final Selector selector = Selector.open();
    private final List<Connection> connections = new ArrayList<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private final boolean untilRefused;
    // Connections whose start is not over: CONNECTING, and with --until-refused also EXCHANGING for
    // the first time (so that it stops soon after the first one turned away, not thousands later).
    private int inFlight;
    private int exchanging;
    private int held; // answered once, still open: IDLE, or EXCHANGING again
    private int peakHeld;
    private int heldAtFirstFailure = -1;
    private int exchanges;
    private int closedByServer;
    private int unanswered;
    private String firstFailure = "none";
    private long lastScan;

    public static void main(String[] args) throws Exception {
        String protocol = null;
        int count = -1;
        long pid = -1;
        long refresh = 5;
        long hold = 10;
        long answer = 5;
        boolean untilRefused = false;
        List<String> rest = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--protocol" -> protocol = args[++i];
                    case "--count" -> count = Integer.parseInt(args[++i]);
                    case "--server-pid" -> pid = Long.parseLong(args[++i]);
                    case "--refresh" -> refresh = Long.parseLong(args[++i]);
                    case "--hold" -> hold = Long.parseLong(args[++i]);
                    case "--answer" -> answer = Long.parseLong(args[++i]);
                    case "--until-refused" -> untilRefused = true;
                    default -> rest.add(args[i]);
                }
            }
        } catch (RuntimeException e) {
            usage();
        }
        if (rest.size() != 2 || count < 1 || pid < 0 || !("echo".equals(protocol) || "http".equals(protocol))) {
            usage();
        }
        HoldConnections holder = new HoldConnections(new InetSocketAddress(rest.get(0), Integer.parseInt(rest.get(1))),
                protocol.equals("http"), TimeUnit.SECONDS.toNanos(refresh), TimeUnit.SECONDS.toNanos(answer), untilRefused);
        holder.run(count, pid, TimeUnit.SECONDS.toNanos(hold));
    }

    private static void usage() {
        System.err.println(USAGE);
        System.exit(2);
    }

    HoldConnections(InetSocketAddress address, boolean http, long refreshNanos, long answerNanos, boolean untilRefused)
            throws IOException {
        this.address = address;
        this.untilRefused = untilRefused;
        this.http = http;
        this.refreshNanos = refreshNanos;
        this.answerNanos = answerNanos;
        this.request = http ? ("GET / HTTP/1.1\r\nHost: " + address.getHostString() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII)
                : ECHO_MESSAGE;
    }

    void run(int count, long serverPid, long holdNanos) throws IOException {
        String rssBefore = status(serverPid, "VmRSS");
        String threadsBefore = status(serverPid, "Threads");
        String heapBefore = liveHeapKb(serverPid);
        print("rss_before_kb", rssBefore);
        print("threads_before", threadsBefore);
        print("heap_live_before_kb", heapBefore);

        long start = System.nanoTime();
        openAll(count);
        int answered = held;
        print("answered", answered);
        print("peak_held", peakHeld);
        print("held_at_first_failure", heldAtFirstFailure < 0 ? held : heldAtFirstFailure);
        print("unanswered", unanswered);
        print("first_failure", firstFailure);
        print("open_seconds", String.format(Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9));

        int exchangesBeforeHold = exchanges;
        long holdEnd = System.nanoTime() + holdNanos;
        while (System.nanoTime() < holdEnd) {
            pump(100);
        }
        print("exchanges_while_held", exchanges - exchangesBeforeHold);
        String rssHeld = status(serverPid, "VmRSS");
        String threadsHeld = status(serverPid, "Threads");
        String heapHeld = liveHeapKb(serverPid);
        print("rss_held_kb", rssHeld);
        print("threads_held", threadsHeld);
        print("heap_live_held_kb", heapHeld);
        double newClient = newClientMillis();
        print("new_client_ms", String.format(Locale.ROOT, "%.1f", newClient));
        int stillOpen = exchangeOnEveryIdleConnection();
        print("still_open", stillOpen);
        print("closed_by_server", closedByServer);

        for (Connection connection : connections) {
            connection.close();
        }
        double afterRelease = Double.NaN;
        if (untilRefused) {
            afterRelease = newClientMillis();
            print("new_client_after_release_ms", String.format(Locale.ROOT, "%.1f", afterRelease));
        }

        String perConnection = "?";
        int open = answered + unanswered; // an unanswered connection is open too, and the server holds it (queued, say)
        if (open > 0 && isNumber(heapBefore) && isNumber(heapHeld)) {
            perConnection = String.format(Locale.ROOT, "%,d", (Long.parseLong(heapHeld) - Long.parseLong(heapBefore)) * 1024 / open);
        }
        System.out.printf(Locale.ROOT, "summary: %d of %d connections held (%d unanswered, %d closed by the server, first failure: %s);"
                        + " server RSS %s -> %s kB, live heap %s -> %s kB (%s bytes per open connection), threads %s -> %s;"
                        + " new client %s; %d still open after holding%s%n",
                answered, connections.size(), unanswered, closedByServer,
                heldAtFirstFailure < 0 ? "none" : firstFailure + " with " + heldAtFirstFailure + " held", rssBefore, rssHeld, heapBefore, heapHeld,
                perConnection, threadsBefore, threadsHeld, millis(newClient), stillOpen,
                untilRefused ? "; after closing them all, new client " + millis(afterRelease) : "");
    }

    private static String millis(double ms) {
        return ms < 0 ? "not served within " + NEW_CLIENT_TIMEOUT_MILLIS / 1000 + " s" : String.format(Locale.ROOT, "served in %.1f ms", ms);
    }

    /** Opens the connections, at most MAX_PENDING connects in flight, and makes the first exchange on each. */
    private void openAll(int count) throws IOException {
        int started = 0;
        boolean stop = false;
        while (true) {
            // Done when every connection started has been answered or given up on.
            if ((stop || started >= count) && inFlight == 0 && exchanging == 0) {
                return;
            }
            stop |= untilRefused && !firstFailure.equals("none");
            while (!stop && started < count && inFlight < MAX_PENDING) {
                if (!startConnect()) {
                    stop = true; // this process is out of descriptors: the server is not to blame
                    break;
                }
                started++;
            }
            pump(100);
        }
    }

    /** One round: wait for events up to timeoutMillis, handle them, then look at the clocks. */
    private void pump(long timeoutMillis) throws IOException {
        selector.select(timeoutMillis);
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            Connection connection = (Connection) key.attachment();
            try {
                if (key.isConnectable()) {
                    connection.channel.finishConnect();
                    connection.startExchange(true);
                } else if (key.isReadable()) {
                    connection.read();
                }
            } catch (ConnectException e) {
                connection.fail("refused");
            } catch (IOException e) {
                connection.fail(connection.state == State.CONNECTING ? "connect failed" : "reset");
            }
        }
        long now = System.nanoTime();
        if (now - lastScan > TimeUnit.MILLISECONDS.toNanos(200)) {
            lastScan = now;
            for (Connection connection : connections) {
                connection.checkClocks(now);
            }
        }
    }

    /** Starts one non-blocking connect; false if this process has no descriptor left for it. */
    private boolean startConnect() throws IOException {
        SocketChannel channel;
        try {
            channel = SocketChannel.open();
        } catch (IOException e) {
            if (firstFailure.equals("none")) {
                firstFailure = "client-limit";
                heldAtFirstFailure = held;
            }
            return false;
        }
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        Connection connection = new Connection(channel);
        connections.add(connection);
        inFlight++;
        channel.register(selector, SelectionKey.OP_CONNECT, connection);
        try {
            if (channel.connect(address)) { // completes later, usually: OP_CONNECT says when
                connection.startExchange(true);
            }
        } catch (IOException e) {
            connection.fail("refused");
        }
        return true;
    }

    /** One more exchange on every idle connection; returns how many were answered. */
    private int exchangeOnEveryIdleConnection() throws IOException {
        int before = exchanges;
        for (Connection connection : connections) {
            if (connection.state == State.IDLE) {
                try {
                    connection.startExchange(false);
                } catch (IOException e) {
                    connection.fail("reset");
                }
            }
        }
        while (exchanging > 0) {
            pump(100);
        }
        return exchanges - before;
    }

    /** An exchange on a brand-new blocking connection, in milliseconds; -1 if not answered in time. */
    private double newClientMillis() {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(address, NEW_CLIENT_TIMEOUT_MILLIS);
            socket.setSoTimeout(NEW_CLIENT_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(request);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] chunk = new byte[16 * 1024];
            while (!complete(received)) {
                int n = in.read(chunk);
                if (n < 0 || System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(NEW_CLIENT_TIMEOUT_MILLIS)) {
                    return -1;
                }
                received.write(chunk, 0, n);
            }
            return (System.nanoTime() - start) / 1e6;
        } catch (IOException e) {
            return -1;
        }
    }

    /** The echo of our message, or an HTTP head (CR LF CR LF) with Content-Length bytes of body after it. */
    private boolean complete(ByteArrayOutputStream received) {
        if (!http) {
            return received.size() >= ECHO_MESSAGE.length;
        }
        String text = received.toString(StandardCharsets.ISO_8859_1);
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
        return received.size() >= headEnd + 4 + length;
    }

    private static String status(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return line.replaceAll("[^0-9]", "");
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        return "?";
    }

    /**
     * The server's heap in use right after a full GC (jcmd GC.run, then GC.heap_info), in KiB:
     * what its objects really keep, without the garbage that RSS and "used" also count. One
     * "total NK, used NK" line per generation: one for G1, two for Serial (which the JVM picks
     * when it sees one CPU, as bench/run's pinned servers do); Metaspace lines have no "total".
     */
    private static String liveHeapKb(long pid) {
        try {
            Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
            run(jcmd.toString(), Long.toString(pid), "GC.run");
            Matcher generation = Pattern.compile("total \\d+K, used (\\d+)K")
                    .matcher(run(jcmd.toString(), Long.toString(pid), "GC.heap_info"));
            long used = 0;
            boolean found = false;
            while (generation.find()) {
                used += Long.parseLong(generation.group(1));
                found = true;
            }
            return found ? Long.toString(used) : "?";
        } catch (IOException | InterruptedException | RuntimeException e) {
            return "?";
        }
    }

    /** Runs a command for at most 60 s (a server thrashing in GC answers jcmd late, or never). */
    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static boolean isNumber(String s) {
        return s.matches("\\d+");
    }

    private static void print(String key, Object value) {
        System.out.println(key + "=" + value);
    }

    /** One held connection: connects, exchanges, waits; checks what comes back. */
    private final class Connection {
        final SocketChannel channel;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        State state = State.CONNECTING;
        boolean first = true;
        long deadline = System.nanoTime() + answerNanos;
        long lastAnswer;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }

        void startExchange(boolean firstExchange) throws IOException {
            received.reset();
            first = firstExchange;
            setState(State.EXCHANGING);
            deadline = System.nanoTime() + answerNanos;
            ByteBuffer out = ByteBuffer.wrap(request);
            channel.write(out);
            if (out.hasRemaining()) {
                throw new IOException("request not written in one go");
            }
            channel.register(selector, SelectionKey.OP_READ, this);
        }

        void read() throws IOException {
            readBuffer.clear();
            if (channel.read(readBuffer) < 0) {
                fail("closed");
                return;
            }
            if (state != State.EXCHANGING) {
                return; // a late answer to an exchange we stopped waiting for
            }
            received.write(readBuffer.array(), 0, readBuffer.position());
            if (complete(received)) {
                if (!http && !Arrays.equals(received.toByteArray(), ECHO_MESSAGE)) {
                    throw new IOException("the echo differs from what was sent");
                }
                setState(State.IDLE);
                lastAnswer = System.nanoTime();
                exchanges++;
            }
        }

        void checkClocks(long now) {
            if ((state == State.CONNECTING || state == State.EXCHANGING) && now > deadline) {
                unanswered++;
                setState(State.UNANSWERED); // left open: it may be waiting in a queue, as a client would
                noteFailure("no-answer");
            } else if (state == State.IDLE && now - lastAnswer > refreshNanos) {
                try {
                    startExchange(false);
                } catch (IOException e) {
                    fail("reset");
                }
            }
        }

        void fail(String why) {
            if (state == State.CLOSED) {
                return;
            }
            boolean wasWaiting = state == State.UNANSWERED;
            setState(State.CLOSED);
            if (!wasWaiting) {
                closedByServer++;
                noteFailure(why);
            }
            try {
                channel.close();
            } catch (IOException e) {
                // already gone
            }
        }

        void close() {
            setState(State.CLOSED);
            try {
                channel.close();
            } catch (IOException e) {
                // already gone
            }
        }

        private void noteFailure(String why) {
            if (firstFailure.equals("none")) {
                firstFailure = why;
                heldAtFirstFailure = held;
            }
        }

        private void setState(State next) {
            boolean wasHeld = state == State.IDLE || (state == State.EXCHANGING && !first);
            boolean isHeld = next == State.IDLE || (next == State.EXCHANGING && !first);
            held += (isHeld ? 1 : 0) - (wasHeld ? 1 : 0);
            peakHeld = Math.max(peakHeld, held);
            boolean wasInFlight = state == State.CONNECTING || (untilRefused && state == State.EXCHANGING && first);
            boolean isInFlight = next == State.CONNECTING || (untilRefused && next == State.EXCHANGING && first);
            inFlight += (isInFlight ? 1 : 0) - (wasInFlight ? 1 : 0);
            exchanging += (next == State.EXCHANGING ? 1 : 0) - (state == State.EXCHANGING ? 1 : 0);
            state = next;
        }
    }
}
