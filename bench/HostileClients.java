import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Hostile clients, for bench/run (issue 10's rows): COUNT connections to an echo server
 * (--protocol echo) or an HTTP server (--protocol http), from one selector thread, half of them
 * trickling and half of them not reading, for SECONDS seconds; meanwhile another thread times a
 * fresh, polite client once a second. A hostile connection that the server closes is opened again,
 * as an attacker would.
 *
 * <ul>
 *   <li>Trickling: one byte every TRICKLE milliseconds. Echo: a byte, whose echo it reads. HTTP:
 *       a request head that never ends ("GET / HTTP/1.1", a Host line, then one more byte of a
 *       header value each time), which an idle timer reset by every byte never closes.</li>
 *   <li>Not reading: writes as fast as the socket takes bytes (echo: a pattern; HTTP: GET /
 *       requests, pipelined), up to FLOOD bytes per connection, and never reads a byte. A server
 *       without bounds keeps what it owes them (echoes, responses) in memory.</li>
 * </ul>
 *
 * <p>Usage: java HostileClients --protocol echo|http --count N --seconds S [--trickle MS] [--flood BYTES] HOST PORT
 *
 * <p>Prints key=value lines for bench/run, then one line "summary: ..." for people.
 */
public class HostileClients {

    private static final String USAGE = "usage: HostileClients --protocol echo|http --count N --seconds S"
            + " [--trickle MS] [--flood BYTES] HOST PORT";
    private static final int MAX_PENDING_CONNECTS = 200;
    private static final int FRESH_TIMEOUT_MILLIS = 10_000;
    private static final byte[] FRESH_ECHO = "Hello World".getBytes(StandardCharsets.US_ASCII);

    private final InetSocketAddress address;
    private final boolean http;
    private final long trickleNanos;
    private final long floodBytes;
    private final Selector selector = Selector.open();
    private final List<Hostile> hostiles = new ArrayList<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private final ByteBuffer flood;
    private final List<Double> freshWaits = Collections.synchronizedList(new ArrayList<>());
    private volatile int freshTries;
    private volatile boolean running = true;
    private int connecting;
    private int connectFailures;
    private int closedByServer;
    private int reopened;
    private long bytesSent;

    public static void main(String[] args) throws Exception {
        String protocol = null;
        int count = -1;
        long seconds = -1;
        long trickleMillis = 1000;
        long floodBytes = 16L << 20;
        List<String> rest = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--protocol" -> protocol = args[++i];
                    case "--count" -> count = Integer.parseInt(args[++i]);
                    case "--seconds" -> seconds = Long.parseLong(args[++i]);
                    case "--trickle" -> trickleMillis = Long.parseLong(args[++i]);
                    case "--flood" -> floodBytes = Long.parseLong(args[++i]);
                    default -> rest.add(args[i]);
                }
            }
        } catch (RuntimeException e) {
            usage();
        }
        if (rest.size() != 2 || count < 2 || seconds < 1 || trickleMillis < 1
                || !("echo".equals(protocol) || "http".equals(protocol))) {
            usage();
        }
        HostileClients clients = new HostileClients(new InetSocketAddress(rest.get(0), Integer.parseInt(rest.get(1))),
                protocol.equals("http"), TimeUnit.MILLISECONDS.toNanos(trickleMillis), floodBytes);
        clients.run(count, TimeUnit.SECONDS.toNanos(seconds));
    }

    private static void usage() {
        System.err.println(USAGE);
        System.exit(2);
    }

    HostileClients(InetSocketAddress address, boolean http, long trickleNanos, long floodBytes) throws IOException {
        this.address = address;
        this.http = http;
        this.trickleNanos = trickleNanos;
        this.floodBytes = floodBytes;
        byte[] chunk = new byte[64 * 1024];
        if (http) {
            byte[] get = ("GET / HTTP/1.1\r\nHost: " + address.getHostString() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            chunk = new byte[get.length * (64 * 1024 / get.length)];
            for (int i = 0; i < chunk.length; i += get.length) {
                System.arraycopy(get, 0, chunk, i, get.length);
            }
        } else {
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (byte) ('a' + i % 26);
            }
        }
        flood = ByteBuffer.wrap(chunk).asReadOnlyBuffer();
    }

    void run(int count, long nanos) throws IOException, InterruptedException {
        long end = System.nanoTime() + nanos;
        for (int i = 0; i < count; i++) {
            hostiles.add(new Hostile(i % 2 == 0));
        }
        Thread fresh = new Thread(() -> freshClientsUntil(end), "fresh-client");
        fresh.setDaemon(true);
        long openStart = System.nanoTime();
        double openSeconds = -1;
        boolean freshStarted = false;
        while (System.nanoTime() < end) {
            long now = System.nanoTime();
            for (Hostile hostile : hostiles) {
                if (hostile.channel == null && connecting < MAX_PENDING_CONNECTS && now >= hostile.retryAt) {
                    hostile.connect();
                }
            }
            if (!freshStarted && (connected() == count || System.nanoTime() - openStart > Math.min(TimeUnit.SECONDS.toNanos(10), nanos / 2))) {
                openSeconds = (System.nanoTime() - openStart) / 1e9;
                fresh.start(); // once the hostile clients are in (or after trying for 10 s, or half the run)
                freshStarted = true;
            }
            pump();
        }
        running = false;
        int connectedAtEnd = connected();
        if (freshStarted) {
            fresh.join(FRESH_TIMEOUT_MILLIS + 1000);
        }
        for (Hostile hostile : hostiles) {
            hostile.close();
        }
        double after = freshClientMillis(); // the hostile clients are gone: is the server still there?

        List<Double> waits = new ArrayList<>(freshWaits);
        Collections.sort(waits);
        int served = waits.size();
        int tries = freshTries;
        print("clients", count);
        print("connected_at_end", connectedAtEnd);
        print("open_seconds", String.format(Locale.ROOT, "%.2f", openSeconds));
        print("closed_by_server", closedByServer);
        print("reopened", reopened);
        print("connect_failures", connectFailures);
        print("mib_sent", bytesSent >> 20);
        print("fresh_tries", tries);
        print("fresh_served", served);
        print("fresh_p50_ms", served == 0 ? "" : String.format(Locale.ROOT, "%.1f", waits.get(served / 2)));
        print("fresh_max_ms", served == 0 ? "" : String.format(Locale.ROOT, "%.1f", waits.get(served - 1)));
        print("fresh_after_ms", after < 0 ? "" : String.format(Locale.ROOT, "%.1f", after));
        System.out.printf(Locale.ROOT, "summary: %d hostile %s clients (%d trickling a byte every %d ms, %d sending without reading),"
                        + " %d connected at the end, %d closed by the server and opened again, %d connects failed, %d MiB sent;"
                        + " a fresh client: %d of %d served within %d s%s; after the hostile clients left: %s%n",
                count, http ? "HTTP" : "echo", (count + 1) / 2, TimeUnit.NANOSECONDS.toMillis(trickleNanos), count / 2,
                connectedAtEnd, closedByServer, connectFailures, bytesSent >> 20, served, tries, FRESH_TIMEOUT_MILLIS / 1000,
                served == 0 ? "" : String.format(Locale.ROOT, ", wait p50 %.1f ms, max %.1f ms", waits.get(served / 2), waits.get(served - 1)),
                after < 0 ? "not served within " + FRESH_TIMEOUT_MILLIS / 1000 + " s" : String.format(Locale.ROOT, "served in %.1f ms", after));
    }

    private int connected() {
        return (int) hostiles.stream().filter(Hostile::isConnected).count();
    }

    private void pump() throws IOException {
        selector.select(10);
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            Hostile hostile = (Hostile) key.attachment();
            try {
                if (key.isConnectable()) {
                    try {
                        hostile.channel.finishConnect();
                    } catch (IOException e) {
                        hostile.lost(true); // refused, or reset before it was accepted
                        continue;
                    }
                    connecting--;
                    hostile.connected();
                } else {
                    if (key.isReadable()) {
                        hostile.read();
                    }
                    if (key.isValid() && key.isWritable()) {
                        hostile.flood();
                    }
                }
            } catch (IOException e) {
                hostile.lost(false);
            }
        }
        long now = System.nanoTime();
        for (Hostile hostile : hostiles) {
            if (hostile.isConnected() && now >= hostile.nextPoke) {
                try {
                    hostile.poke(now);
                } catch (IOException e) {
                    hostile.lost(false);
                }
            }
        }
    }

    /** The polite client, once a second until the end, on its own thread. */
    private void freshClientsUntil(long end) {
        while (running && System.nanoTime() < end - TimeUnit.SECONDS.toNanos(1)) {
            long start = System.nanoTime();
            freshTries++;
            double ms = freshClientMillis();
            if (ms >= 0) {
                freshWaits.add(ms);
            }
            long pause = TimeUnit.SECONDS.toNanos(1) - (System.nanoTime() - start);
            if (pause > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(pause); // a pace, not a synchronisation
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** One exchange on a new connection (an echo of "Hello World", or GET / and its whole response); -1 if none in time. */
    private double freshClientMillis() {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(address, FRESH_TIMEOUT_MILLIS);
            socket.setSoTimeout(FRESH_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] request = http ? ("GET / HTTP/1.1\r\nHost: " + address.getHostString() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII) : FRESH_ECHO;
            out.write(request);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] chunk = new byte[16 * 1024];
            while (true) {
                int n = in.read(chunk);
                if (n > 0) {
                    received.write(chunk, 0, n);
                }
                if (!http && received.size() >= FRESH_ECHO.length) {
                    return new String(received.toByteArray(), StandardCharsets.US_ASCII).equals("Hello World")
                            ? (System.nanoTime() - start) / 1e6 : -1;
                }
                if (n < 0) { // HTTP, Connection: close: the whole response is in
                    return http && received.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200")
                            ? (System.nanoTime() - start) / 1e6 : -1;
                }
                if (System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(FRESH_TIMEOUT_MILLIS)) {
                    return -1;
                }
            }
        } catch (IOException e) {
            return -1;
        }
    }

    private static void print(String key, Object value) {
        System.out.println(key + "=" + value);
    }

    /** One hostile connection, trickling or not reading; opened again when the server closes it. */
    private final class Hostile {
        final boolean trickling;
        SocketChannel channel;
        long nextPoke;
        long retryAt;
        long sent;
        boolean everConnected;

        Hostile(boolean trickling) {
            this.trickling = trickling;
        }

        void connect() throws IOException {
            try {
                channel = SocketChannel.open();
            } catch (IOException e) {
                channel = null; // out of descriptors here: try again later
                return;
            }
            channel.configureBlocking(false);
            if (!trickling) {
                // A small receive window (the kernel's minimum, about 4 KiB): what the server owes
                // this client cannot hide in our socket buffer, it stays with the server.
                channel.setOption(StandardSocketOptions.SO_RCVBUF, 1);
            }
            connecting++;
            try {
                if (!channel.connect(address)) {
                    channel.register(selector, SelectionKey.OP_CONNECT, this);
                    return; // the handshake goes on: OP_CONNECT says when it is over
                }
            } catch (IOException e) {
                lost(true);
                return;
            }
            connecting--;
            try {
                connected();
            } catch (IOException e) {
                lost(false);
            }
        }

        void connected() throws IOException {
            if (everConnected) {
                reopened++;
            }
            everConnected = true;
            sent = 0;
            nextPoke = System.nanoTime() + trickleNanos;
            if (trickling) {
                if (http) {
                    write(ByteBuffer.wrap(("GET / HTTP/1.1\r\nHost: " + address.getHostString() + "\r\nX-Trickle: ")
                            .getBytes(StandardCharsets.US_ASCII)));
                }
                // Reading: to drop the echoes of our bytes, and to see the server close the connection.
                channel.register(selector, SelectionKey.OP_READ, this);
            } else {
                // Never OP_READ: a non-reader leaves every byte the server sends in its socket.
                channel.register(selector, SelectionKey.OP_WRITE, this);
            }
        }

        /** Once every TRICKLE ms: a trickler's next byte; a non-reader that is done flooding checks that it is still connected. */
        void poke(long now) throws IOException {
            nextPoke = now + trickleNanos;
            if (trickling) {
                write(ByteBuffer.wrap(new byte[] {'x'}));
            } else if (sent >= floodBytes) {
                // A write to a connection the server has closed (or reset) throws: the only way a
                // client that never reads learns of it. A few more bytes of the same stream.
                write(floodSlice(16));
            }
        }

        void flood() throws IOException {
            write(floodSlice(floodBytes - sent));
            if (sent >= floodBytes) {
                channel.register(selector, 0, this); // done: it sits there, owing nothing, never reading
            }
        }

        /** Up to {@code most} bytes of the endless flood stream (whole requests, for HTTP), from where this connection is. */
        private ByteBuffer floodSlice(long most) {
            ByteBuffer slice = flood.duplicate();
            slice.position((int) (sent % slice.capacity()));
            if (most < slice.remaining()) {
                slice.limit(slice.position() + (int) Math.max(most, 1));
            }
            return slice;
        }

        void read() throws IOException {
            readBuffer.clear();
            if (channel.read(readBuffer) < 0) {
                throw new IOException("closed by the server");
            }
        }

        private void write(ByteBuffer buffer) throws IOException {
            int n = channel.write(buffer);
            sent += n;
            bytesSent += n;
        }

        boolean isConnected() {
            return channel != null && channel.isConnected();
        }

        void lost(boolean whileConnecting) {
            if (whileConnecting) {
                connecting--;
                connectFailures++;
                retryAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100); // a refusing server is not hammered
            } else {
                closedByServer++;
            }
            close();
            channel = null; // the run loop opens it again
        }

        void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // already gone
                }
            }
        }
    }
}
