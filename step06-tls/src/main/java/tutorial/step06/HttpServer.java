package tutorial.step06;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * Step 05's HTTP/1.1 server, now speaking HTTPS: the loop, the parser, the files and the
 * responses are step 05's; what is new is that every connection's bytes pass through a
 * {@link TlsChannel}, which decrypts what the loop reads and encrypts what it writes, with the
 * server's certificate from a key store ({@link ServerCertificate}).
 *
 * <p>Usage: {@code HttpServer [--host HOST] [--port PORT] [--root DIR] [--idle-timeout SECONDS]
 * --keystore FILE --storepass PASS}, defaults 127.0.0.1, 8443, the built-in site, 10 seconds.
 */
public final class HttpServer implements AutoCloseable {

    // The kernel's queue of connections not yet accepted. The JDK asks for 50: a burst of
    // hundreds of connects would overflow it, and the extra clients would wait for their
    // connect to be retried. Linux caps the number at net.core.somaxconn (4096 by default).
    private static final int BACKLOG = 1024;
    // A file found on disk is served from memory this long before we look at the disk again.
    private static final Duration RECHECK_FILES_AFTER = Duration.ofSeconds(1);
    private static final Set<String> OTHER_METHODS =
            Set.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT");

    private final PrintStream log;
    private final Selector selector;
    private final ServerSocketChannel serverChannel;
    private final StaticFiles files;
    private final SSLContext tls;
    private final long idleTimeoutNanos;
    // How often the loop looks for idle connections: a tenth of the timeout, 10 ms to 1 s.
    private final long sweepMillis;
    private long lastSweep = System.nanoTime();
    private volatile boolean closing;
    // The counters below are written by the loop thread only; volatile so that other threads
    // (tests, a monitor) see the latest values.
    private volatile int openConnections;
    private volatile long maxPendingOutputBytes;

    public static void main(String[] args) throws IOException {
        Arguments arguments = new Arguments(args);
        Path root = arguments.root() != null ? arguments.root() : builtInSite();
        // The log is buffered (System.out would make a write system call per line, that is per
        // request); serve() flushes it each time before the loop goes to sleep in select().
        PrintStream log = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, StandardCharsets.US_ASCII);
        try (HttpServer server = new HttpServer(arguments.host(), arguments.port(), root,
                arguments.idleTimeout(), arguments.tls(), log)) {
            server.serve();
        } finally {
            log.flush();
        }
    }

    // tag::bind[]
    public HttpServer(String host, int port, Path root, Duration idleTimeout, SSLContext tls, PrintStream log)
            throws IOException {
        this.log = log;
        this.tls = tls;
        this.files = new StaticFiles(root, RECHECK_FILES_AFTER);
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.sweepMillis = Math.max(10, Math.min(1000, idleTimeout.toMillis() / 10));
        this.selector = Selector.open();
        this.serverChannel = ServerSocketChannel.open();
        serverChannel.bind(new InetSocketAddress(host, port), BACKLOG);
        // Non-blocking: accept() returns null instead of waiting when nobody is connecting.
        serverChannel.configureBlocking(false);
        serverChannel.register(selector, SelectionKey.OP_ACCEPT);
    }
    // end::bind[]

    public int port() {
        return serverChannel.socket().getLocalPort();
    }

    /** How many client connections are open right now. */
    public int openConnections() {
        return openConnections;
    }

    /** The most output any one connection has had waiting at once: it stays bounded, even for huge files. */
    public long maxPendingOutputBytes() {
        return maxPendingOutputBytes;
    }

    /** Runs the event loop on the calling thread until {@link #close()} is called. */
    public void serve() throws IOException {
        InetSocketAddress address = (InetSocketAddress) serverChannel.getLocalAddress();
        log.println("Serving files from " + files.root());
        String host = address.getAddress().getHostAddress();
        host = host.contains(":") ? "[" + host + "]" : host; // an IPv6 address goes in brackets in a URL
        log.println("Listening on https://" + host + ":" + address.getPort() + "/");
        try {
            // tag::event-loop[]
            while (!closing) {
                log.flush(); // the log lines of this turn, in one write, before we sleep
                // With clients connected, wake up now and then even if nothing happens: a client
                // that sends nothing makes no event, and only the clock can tell us it is idle.
                selector.select(openConnections > 0 ? sweepMillis : 0);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    // The selector only ever adds keys to the selected set; if we left this one
                    // there, the next select() would hand it to us again as if it were ready.
                    keys.remove();
                    if (!key.isValid()) {
                        continue; // cancelled: its channel was closed earlier in this round
                    }
                    if (key.isAcceptable()) {
                        acceptAll();
                    } else {
                        handle(key);
                    }
                }
                closeIdleConnections();
            }
            // end::event-loop[]
        } finally {
            closeEverything();
        }
    }

    // tag::accept[]
    private void acceptAll() throws IOException {
        SocketChannel client;
        // Take every connection that is waiting, not just one: a burst empties the backlog at once.
        while ((client = serverChannel.accept()) != null) {
            SocketAddress address = client.getRemoteAddress();
            client.configureBlocking(false); // a selector only works with non-blocking channels
            // Nagle's algorithm holds back a small segment while an earlier one is unacknowledged,
            // and the client delays its ACK by up to 40 ms: a keep-alive response that leaves in
            // two small pieces could wait that long. We write each response in one go anyway;
            // TCP_NODELAY makes sure nothing we send is ever held back.
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            TlsChannel channel = TlsChannel.serverSide(tls, client, address, log);
            client.register(selector, SelectionKey.OP_READ, new Connection(address, System.nanoTime(), channel));
            openConnections++;
            log.println("Got connection from " + address);
        }
    }
    // end::accept[]

    // tag::handle[]
    private void handle(SelectionKey key) {
        Connection connection = (Connection) key.attachment();
        TlsChannel channel = connection.channel();
        try {
            if (key.isReadable()) {
                read(channel, connection);
            }
            answerAndWrite(key, connection);
        } catch (IOException e) {
            // Typically "Connection reset": the client vanished. Drop it; serve everyone else.
            closeConnection(key, "Connection from " + connection.address() + " lost: " + e.getMessage());
        }
    }

    private void answerAndWrite(SelectionKey key, Connection connection) throws IOException {
        TlsChannel channel = connection.channel();
        do {
            answerRequests(connection);
            if (connection.hasPendingOutput()) {
                // Also right after a read: most of the time the socket takes it all at once,
                // and OP_WRITE is never needed.
                write(channel, connection);
            }
            // Written out: the next pipelined request, if already read, may be answered now.
        } while (connection.canAnswer() && connection.hasUnparsedInput());
        if (connection.isFinished()) {
            closeConnection(key, "Connection from " + connection.address() + " closed");
            return;
        }
        if (connection.mustClose() && !connection.hasPendingOutput() && !connection.draining()) {
            // Everything is answered. Closing now, with the client's unread bytes (a refused
            // body, say) still in our receive buffer, would send a reset that can destroy our
            // response before the client reads it. So: send our FIN, read and discard until
            // theirs (or the idle timeout), then close.
            channel.shutdownOutput();
            connection.startDraining(System.nanoTime());
        }
        key.interestOps(interestOf(connection));
    }
    // end::handle[]

    // tag::interest[]
    /** What to wait for next on this connection, decided from its state alone. */
    private static int interestOf(Connection connection) {
        int interest = 0;
        // Backpressure: while the input buffer is full (the client pipelines faster than it
        // reads our answers), stop reading; TCP then slows the client down.
        if (!connection.inputEnded()
                && (connection.draining()
                        || (!connection.mustClose() && connection.channel().hasRoomToDecryptInto(connection.input())))) {
            interest |= SelectionKey.OP_READ;
        }
        // Only while there is something to write: a socket with room in its send buffer is
        // writable nearly all the time, so OP_WRITE left on would wake select() at once, again
        // and again, and the loop would spin at 100% CPU.
        if (connection.hasPendingOutput()) {
            interest |= SelectionKey.OP_WRITE;
        }
        return interest;
    }
    // end::interest[]

    // tag::answer-requests[]
    /** Parses what has been read and queues a response for each complete request, in order. */
    private void answerRequests(Connection connection) {
        ByteBuffer input = connection.input().flip();
        try {
            while (connection.canAnswer() && input.hasRemaining()) {
                Request request = connection.parser().parse(input);
                if (request == null) {
                    break; // every byte consumed, the request still incomplete: wait for more
                }
                respond(connection, request);
            }
        } catch (HttpError e) {
            // The bytes make no request we can frame: answer why, then close (nothing after them
            // on this connection could be trusted to start a request).
            send(connection, connection.parser().requestLine(), Response.error(e.status, e.getMessage()), "close");
            connection.closeWhenAnswered();
        } finally {
            input.compact(); // what the parser did not take stays for next time
        }
        maxPendingOutputBytes = Math.max(maxPendingOutputBytes, connection.pendingOutputBytes());
    }
    // end::answer-requests[]

    // tag::respond[]
    private void respond(Connection connection, Request request) {
        Response response = answer(request);
        if (request.method().equals("HEAD")) {
            response = response.withoutBody();
        }
        // A body we did not read would be parsed as the next request: after refusing it, close.
        boolean close = !request.keepAlive() || request.hasBody();
        String connectionHeader = close ? "close" : request.version().equals("HTTP/1.0") ? "keep-alive" : null;
        send(connection, request.requestLine(), response, connectionHeader);
        if (close) {
            connection.closeWhenAnswered();
        }
    }

    /** What to answer to a complete, well-formed request. */
    private Response answer(Request request) {
        String method = request.method();
        if (request.header("transfer-encoding") != null) {
            return Response.error(Status.NOT_IMPLEMENTED, "request bodies with Transfer-Encoding are not supported");
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return OTHER_METHODS.contains(method)
                    ? Response.error(Status.METHOD_NOT_ALLOWED, method + " is not allowed here").allowing("GET, HEAD")
                    : Response.error(Status.NOT_IMPLEMENTED, "unknown method " + method);
        }
        if (request.contentLength() > 0) {
            return Response.error(Status.CONTENT_TOO_LARGE, "this server accepts no request body");
        }
        try {
            StaticFiles.StaticFile file = files.find(request.target());
            if (file.bytes() != null) {
                return Response.ok(file.contentType(), file.size(), ByteBuffer.wrap(file.bytes()), null);
            }
            FileChannel channel = method.equals("GET") ? FileChannel.open(file.path()) : null;
            return Response.ok(file.contentType(), file.size(), null, channel);
        } catch (HttpError e) {
            return Response.error(e.status, e.getMessage());
        } catch (IOException e) {
            return Response.error(Status.NOT_FOUND, "cannot open " + request.target());
        }
    }
    // end::respond[]

    // tag::send[]
    /** Queues the head and body together, and writes the access log line. */
    private void send(Connection connection, String requestLine, Response response, String connectionHeader) {
        connection.queue(response.head(connectionHeader));
        if (response.body() != null) {
            connection.queue(response.body());
        } else if (response.file() != null) {
            try {
                connection.queueFile(response.file(), response.contentLength());
            } catch (IOException e) {
                connection.closeFile(); // the head is queued: the client sees the body cut short
                connection.closeWhenAnswered();
            }
        }
        log.println(connection.address() + " \"" + printable(requestLine) + "\" "
                + response.status().code + " " + response.bodyBytes());
    }
    // end::send[]

    /** The request line as it may be printed: ASCII, no control characters, not too long. */
    private static String printable(String requestLine) {
        if (requestLine == null) {
            return "-";
        }
        StringBuilder shown = new StringBuilder(Math.min(requestLine.length(), 203));
        for (int i = 0; i < requestLine.length() && i < 200; i++) {
            char c = requestLine.charAt(i);
            shown.append(c >= ' ' && c < 0x7F ? c : '?');
        }
        return requestLine.length() > 200 ? shown.append("...").toString() : shown.toString();
    }

    // tag::read-write[]
    private void read(TlsChannel channel, Connection connection) throws IOException {
        ByteBuffer input = connection.input();
        int count = channel.read(input);
        Trace.read(count, connection.address());
        if (count == -1) {
            // End of stream: the client sends nothing more. Answer what it did send, then close.
            connection.endInput();
            return;
        }
        if (connection.draining()) {
            input.clear(); // our side is closed: what still arrives is read only to be dropped
            return;
        }
        connection.touch(System.nanoTime());
    }

    private static void write(TlsChannel channel, Connection connection) throws IOException {
        long written;
        do {
            written = connection.writeTo(channel);
            Trace.wrote((int) written, connection.address());
            if (written > 0) {
                connection.touch(System.nanoTime());
            }
            // A large file comes a chunk at a time: go on while the socket takes everything.
        } while (written > 0 && connection.hasPendingOutput());
    }
    // end::read-write[]

    // tag::idle-timeout[]
    /** Closes every connection that has neither read nor written a byte for the idle timeout. */
    private void closeIdleConnections() {
        long now = System.nanoTime();
        if (now - lastSweep < sweepMillis * 1_000_000) {
            return; // looking at every connection costs; a few times a timeout is enough
        }
        lastSweep = now;
        for (SelectionKey key : selector.keys()) {
            if (key.isValid() && key.attachment() instanceof Connection connection
                    && now - connection.lastActivity() > idleTimeoutNanos) {
                timeOut(key, connection);
            }
        }
    }

    private void timeOut(SelectionKey key, Connection connection) {
        if (!connection.parser().inProgress() || connection.mustClose() || connection.hasPendingOutput()) {
            closeConnection(key, "Connection from " + connection.address() + " timed out");
            return;
        }
        // Stalled halfway through a request: say so (408), then close as after any error.
        send(connection, connection.parser().requestLine(),
                Response.error(Status.REQUEST_TIMEOUT, "the request did not arrive in time"), "close");
        connection.closeWhenAnswered();
        connection.touch(System.nanoTime()); // the 408 gets one more idle period to leave
        try {
            answerAndWrite(key, connection);
        } catch (IOException e) {
            closeConnection(key, "Connection from " + connection.address() + " lost: " + e.getMessage());
        }
    }
    // end::idle-timeout[]

    // tag::close-connection[]
    private void closeConnection(SelectionKey key, String message) {
        key.cancel(); // the selector stops watching the channel
        try {
            ((Connection) key.attachment()).channel().close(); // close_notify, if it has not gone yet
        } catch (IOException e) {
            // Nothing more to do for this client: it is gone either way.
        }
        ((Connection) key.attachment()).closeFile();
        log.println(message);
        openConnections--;
    }
    // end::close-connection[]

    /** Stops {@link #serve()} from any thread: the loop wakes up, closes everything and returns. */
    @Override
    public void close() {
        closing = true;
        selector.wakeup(); // select() returns at once, even if no channel is ready
    }

    private void closeEverything() throws IOException {
        for (SelectionKey key : selector.keys()) {
            key.channel().close();
            if (key.attachment() instanceof Connection connection) {
                connection.closeFile();
            }
        }
        selector.close();
    }

    // tag::built-in-site[]
    /**
     * The site shipped in src/main/resources/site. Maven copies it to target/classes/site, a
     * folder on disk, and we serve it from there. From inside a jar it would not be a folder:
     * then the server asks for --root.
     */
    private static Path builtInSite() {
        URL index = HttpServer.class.getResource("/site/index.html");
        if (index == null || !index.getProtocol().equals("file")) {
            Arguments.exitWithUsage("the built-in site is not a folder on disk here; give one with --root DIR");
        }
        try {
            return Path.of(index.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
    // end::built-in-site[]
}
