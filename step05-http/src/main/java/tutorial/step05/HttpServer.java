package tutorial.step05;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;

/**
 * A primitive HTTP/1.1 server for static files on step 04's one-thread selector loop. This class
 * is the loop: accept, select, read, write, close, and (new) close a connection that stays silent
 * too long. The per-connection state on the key, {@code OP_WRITE} only while output is pending
 * and the backpressure are step 04's. The HTTP is elsewhere: each {@link Connection} parses what
 * it read into requests ({@link RequestParser}), a {@link Responder} decides the response to each
 * (files from {@link StaticFiles}), and the loop queues it on the connection and writes it out.
 *
 * <p>Usage: {@code HttpServer [--host HOST] [--port PORT] [--root DIR] [--idle-timeout SECONDS]},
 * defaults 127.0.0.1, 8080, the built-in site, 10 seconds.
 */
public final class HttpServer implements AutoCloseable {

    // The kernel's queue of connections not yet accepted. The JDK asks for 50: a burst of
    // hundreds of connects would overflow it, and the extra clients would wait for their
    // connect to be retried. Linux caps the number at net.core.somaxconn (4096 by default).
    private static final int BACKLOG = 1024;
    // A file found on disk is served from memory this long before we look at the disk again.
    private static final Duration RECHECK_FILES_AFTER = Duration.ofSeconds(1);

    private final PrintStream log;
    private final Selector selector;
    private final ServerSocketChannel serverChannel;
    private final Responder responder;
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
        // The log is buffered (System.out would make a write system call per line, that is per
        // request); serve() flushes it each time before the loop goes to sleep in select().
        PrintStream log = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, StandardCharsets.US_ASCII);
        try (HttpServer server = new HttpServer(arguments.host(), arguments.port(), arguments.root(),
                arguments.idleTimeout(), log)) {
            server.serve();
        } finally {
            log.flush();
        }
    }

    // tag::bind[]
    public HttpServer(String host, int port, Path root, Duration idleTimeout, PrintStream log) throws IOException {
        this.log = log;
        this.responder = new Responder(new StaticFiles(root, RECHECK_FILES_AFTER));
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
        log.println("Serving files from " + responder.root());
        String host = address.getAddress().getHostAddress();
        host = host.contains(":") ? "[" + host + "]" : host; // an IPv6 address goes in brackets in a URL
        log.println("Listening on http://" + host + ":" + address.getPort() + "/");
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
            client.register(selector, SelectionKey.OP_READ, new Connection(address, System.nanoTime()));
            openConnections++;
            log.println("Got connection from " + address);
        }
    }
    // end::accept[]

    // tag::handle[]
    private void handle(SelectionKey key) {
        SocketChannel channel = (SocketChannel) key.channel();
        Connection connection = (Connection) key.attachment();
        try {
            if (key.isReadable()) {
                read(channel, connection);
            }
            answerAndWrite(channel, connection);
            if (connection.isFinished()) {
                closeConnection(key, "Connection from " + connection.address() + " closed");
            } else {
                key.interestOps(interestOf(connection));
            }
        } catch (IOException e) {
            // Typically "Connection reset": the client vanished. Drop it; serve everyone else.
            closeConnection(key, "Connection from " + connection.address() + " lost: " + e.getMessage());
        }
    }

    private void answerAndWrite(SocketChannel channel, Connection connection) throws IOException {
        do {
            answerRequests(connection);
            if (connection.hasPendingOutput()) {
                // Also right after a read: most of the time the socket takes it all at once,
                // and OP_WRITE is never needed.
                write(channel, connection);
            }
            // Written out: the next pipelined request, if already read, may be answered now.
        } while (connection.hasRequestToAnswer());
        if (connection.readyToLinger()) {
            // Everything is answered. Closing now, with the client's unread bytes (a refused
            // body, say) still in our receive buffer, would send a reset that can destroy our
            // response before the client reads it. So, a lingering close: send our FIN, read
            // and drop until theirs (or the idle timeout), then close.
            channel.shutdownOutput();
            connection.startLingering(System.nanoTime());
        }
    }
    // end::handle[]

    // tag::interest[]
    /** What to wait for next on this connection, decided from its state alone. */
    private static int interestOf(Connection connection) {
        int interest = 0;
        // Backpressure: the connection stops wanting input while its input buffer is full (the
        // client pipelines faster than it reads our answers); TCP then holds back its writes.
        if (connection.wantsInput()) {
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
    /** Queues a response for each complete request read so far, in order, as long as the connection may answer. */
    private void answerRequests(Connection connection) {
        try {
            Request request;
            while ((request = connection.nextRequest()) != null) {
                answer(connection, request.requestLine(), responder.respond(request));
            }
        } catch (HttpError e) {
            // The bytes make no request we can frame: answer why, then close.
            answer(connection, connection.unfinishedRequestLine(), Responder.refuseAndClose(e));
        }
        maxPendingOutputBytes = Math.max(maxPendingOutputBytes, connection.pendingOutputBytes());
    }

    /** Queues the response on the connection, and writes its access log line. */
    private void answer(Connection connection, String requestLine, Response response) {
        connection.queue(response);
        log.println(AccessLog.line(connection.address(), requestLine, response));
    }
    // end::answer-requests[]

    // tag::read-write[]
    private void read(SocketChannel channel, Connection connection) throws IOException {
        int count = connection.readFrom(channel); // into the connection's own buffer, for its parser
        Trace.read(count, connection.address());
        if (count == -1) {
            // End of stream: the client sends nothing more. Answer what it did send, then close.
            connection.endInput();
            return;
        }
        connection.touch(System.nanoTime());
    }

    private static void write(SocketChannel channel, Connection connection) throws IOException {
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
        if (!connection.stalledMidRequest()) {
            closeConnection(key, "Connection from " + connection.address() + " timed out");
            return;
        }
        // Stalled halfway through a request: say so (408), then close as after any error.
        HttpError late = new HttpError(Status.REQUEST_TIMEOUT, "the request did not arrive in time");
        answer(connection, connection.unfinishedRequestLine(), Responder.refuseAndClose(late));
        connection.touch(System.nanoTime()); // the 408 gets one more idle period to leave
        // The socket is writable: the next select() hands us the key, and handle() writes the
        // 408 and starts the lingering close, as for any response.
        key.interestOps(interestOf(connection));
    }
    // end::idle-timeout[]

    // tag::close-connection[]
    private void closeConnection(SelectionKey key, String message) {
        key.cancel(); // the selector stops watching the channel
        try {
            key.channel().close();
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
}
