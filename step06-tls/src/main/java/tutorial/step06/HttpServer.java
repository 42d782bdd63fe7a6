package tutorial.step06;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * Step 05's HTTP/1.1 server, now speaking HTTPS: the loop, the parser, the files, the responses
 * and the limits are step 05's; what is new is that every connection's bytes pass through a
 * {@link TlsChannel}, which decrypts what the loop reads and encrypts what it writes, with the
 * server's certificate from a key store ({@link ServerCertificate}).
 *
 * <p>Usage: {@code HttpServer [--host HOST] [--port PORT] [--root DIR] [--idle-timeout SECONDS]
 * [--head-timeout SECONDS] [--max-connections N] [--quiet | --log FILE] --keystore FILE --storepass PASS},
 * defaults 127.0.0.1, 8443, the built-in site, and limits that fit the process.
 */
public final class HttpServer implements AutoCloseable {

    // One read moves up to 64 KiB: a request head of 20 KB arrives in one read, not twenty. The
    // size costs nothing per connection: there is one buffer, shared by every read, because the
    // loop reads one channel at a time, on one thread. TLS needs room for a whole record's
    // plaintext (16,704 bytes) in it: there is.
    static final int BUFFER_SIZE = 64 * 1024;
    // tag::turn-budget[]
    // Fairness: the work one connection gets in one turn of the loop. A client that reads as
    // fast as we write (a large download on a fast link) would otherwise keep the loop writing
    // to it for as long as its socket takes bytes, and a client that pipelines a thousand
    // requests would have them all answered at once, while every other client waits. Past
    // either bound, the connection waits for its next turn, after everyone else's; OP_WRITE
    // brings it back.
    static final int MAX_WRITTEN_PER_TURN = 256 * 1024;
    static final int MAX_ANSWERED_PER_TURN = 16;
    // end::turn-budget[]
    // Once the memory budget is spent, a connection that holds no bytes may still read this much:
    // enough for an ordinary request, so a new client is served while the others wait.
    static final int READ_WHEN_SPENT = 2 * 1024;
    // The kernel's queue of connections not yet accepted. The JDK asks for 50: a burst of
    // hundreds of connects would overflow it, and the extra clients would wait for their
    // connect to be retried. Linux caps the number at net.core.somaxconn (4096 by default).
    private static final int BACKLOG = 1024;
    // After accept() fails, we try again when a connection closes, or after this (as Netty does).
    private static final Duration ACCEPT_RETRY = Duration.ofSeconds(1);
    // A file found on disk is served from memory this long before we look at the disk again.
    private static final Duration RECHECK_FILES_AFTER = Duration.ofSeconds(1);
    // Loaded with this class, before the loop runs: the JVM opens a class file to load a class,
    // and once the descriptors have run out, a class used for the first time cannot be loaded
    // (NoClassDefFoundError, and the loop would die of it). Nested classes are files of their
    // own, hence the names; a test checks that no class the loop may use is missing here.
    // (TlsChannel$1 is the table javac makes for a switch on an enum of the JDK's.)
    static final List<String> USED_BY_THE_LOOP = List.of("AccessLog", "Body", "Body$Bytes", "Body$File",
            "Body$None", "Connection", "Connection$Ending", "Directory", "HttpError", "Limits", "Log", "Log$Line",
            "MemoryBudget", "Request", "RequestParser", "RequestParser$State", "Responder", "Response",
            "Response$CachedDate", "StaticFiles", "StaticFiles$Found", "StaticFiles$Located",
            "StaticFiles$StaticFile", "Status", "TlsChannel", "TlsChannel$1", "Trace");

    static {
        for (String name : USED_BY_THE_LOOP) {
            try {
                Class.forName(HttpServer.class.getPackageName() + "." + name);
            } catch (ClassNotFoundException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private final Log log;
    private final Limits limits;
    private final MemoryBudget budget;
    private final Responder responder;
    private final Selector selector;
    private final ServerSocketChannel serverChannel;
    private final SelectionKey serverKey;
    private final SSLContext tls;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    private final long idleTimeoutNanos;
    private final long headTimeoutNanos;
    // How often the loop looks for idle and slow connections: a tenth of the shorter timeout, so
    // a silent connection is closed between 1 and 1.1 timeouts after its last byte.
    private final long sweepNanos;
    private long lastSweep = System.nanoTime();
    private boolean acceptPaused; // OP_ACCEPT is off: no descriptor, or at the maximum
    private long retryAcceptAt; // System.nanoTime() from which a paused accept is tried again
    private boolean pauseLogged; // "not accepting" was logged, "accepting again" not yet
    private volatile boolean closing;
    // The counters below are written by the loop thread only; volatile so that other threads
    // (tests, a monitor) see the latest values.
    private volatile int openConnections;
    private volatile long loopIterations;
    private volatile long maxPendingOutputBytes;
    private volatile long maxWrittenInOneTurn;

    public static void main(String[] args) {
        Arguments arguments = new Arguments(args);
        Limits machine = Limits.forThisProcess();
        Limits limits = machine
                .withMaxConnections(arguments.count("--max-connections", "connections", machine.maxConnections()))
                .withIdleTimeout(arguments.seconds("--idle-timeout", machine.idleTimeout()))
                .withHeadTimeout(arguments.seconds("--head-timeout", machine.headTimeout()));
        try (Log log = logFor(arguments);
             HttpServer server = new HttpServer(arguments.host(), arguments.port(), arguments.root(), limits,
                     arguments.tls(), log)) {
            server.serve();
        } catch (BindException e) {
            // A slip, not a crash: most often the port is taken. One line says so, no stack trace.
            System.err.println(Arguments.cannotListen(arguments.host(), arguments.port(), e));
            System.exit(1);
        } catch (Throwable failure) {
            report(failure);
            System.exit(1);
        }
    }

    /** The log on standard output, buffered: the log's own thread writes a burst of lines at once. */
    private static Log logFor(Arguments arguments) {
        PrintStream console = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out),
                1 << 16), false, StandardCharsets.US_ASCII);
        if (arguments.has("--quiet") && arguments.has("--log")) {
            arguments.exitWithUsage("--quiet or --log, not both");
        }
        if (arguments.has("--quiet")) {
            return Log.quiet(console);
        }
        if (arguments.has("--log")) {
            try {
                return Log.toFile(console, new PrintStream(new FileOutputStream(arguments.value("--log"), true),
                        false, StandardCharsets.US_ASCII));
            } catch (FileNotFoundException e) {
                arguments.exitWithUsage("cannot write to " + arguments.value("--log"));
            }
        }
        return Log.to(console);
    }

    /** What stopped the server, then anything that also failed while closing. */
    private static void report(Throwable failure) {
        System.err.println("Server stopped: " + failure);
        for (Throwable alsoFailed : failure.getSuppressed()) {
            System.err.println("  and while closing: " + alsoFailed);
        }
        if (!(failure instanceof IOException)) {
            failure.printStackTrace(); // a bug or a lack of memory: where it happened matters
        }
    }

    public HttpServer(String host, int port, Path root, Limits limits, SSLContext tls, Log log) throws IOException {
        this(host, port, root, RECHECK_FILES_AFTER, limits, tls, log);
    }

    // tag::bind[]
    HttpServer(String host, int port, Path root, Duration recheckFilesAfter, Limits limits, SSLContext tls, Log log)
            throws IOException {
        this.log = log;
        this.tls = tls;
        this.limits = limits;
        this.budget = new MemoryBudget(limits.memoryBudget(), log);
        this.responder = new Responder(new StaticFiles(root, recheckFilesAfter, budget));
        this.idleTimeoutNanos = limits.idleTimeout().toNanos();
        this.headTimeoutNanos = limits.headTimeout().toNanos();
        this.sweepNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(idleTimeoutNanos, headTimeoutNanos) / 10);
        this.selector = Selector.open();
        this.serverChannel = ServerSocketChannel.open();
        serverChannel.bind(new InetSocketAddress(host, port), BACKLOG);
        // Non-blocking: accept() returns null instead of waiting when nobody is connecting.
        serverChannel.configureBlocking(false);
        this.serverKey = serverChannel.register(selector, SelectionKey.OP_ACCEPT);
    }
    // end::bind[]

    public int port() {
        return serverChannel.socket().getLocalPort();
    }

    /** How many client connections are open right now. */
    public int openConnections() {
        return openConnections;
    }

    /** How many times the loop woke up from select(): it must not grow fast while every client is idle. */
    public long loopIterations() {
        return loopIterations;
    }

    /** The most output any one connection has had waiting at once: it stays bounded, even for huge files. */
    public long maxPendingOutputBytes() {
        return maxPendingOutputBytes;
    }

    /** The most bytes written to one connection in one turn of the loop: bounded, however fast a client reads. */
    public long maxWrittenInOneTurn() {
        return maxWrittenInOneTurn;
    }

    /** Bytes of buffers held for clients right now, the file cache included: the memory budget bounds them. */
    public long bufferedBytes() {
        return budget.used();
    }

    /** The most bytes of buffers held at any one time so far. */
    public long peakBufferedBytes() {
        return budget.peak();
    }

    /** Runs the event loop on the calling thread until {@link #close()} is called. */
    public void serve() throws IOException {
        InetSocketAddress address = (InetSocketAddress) serverChannel.getLocalAddress();
        log.notice("Serving files from " + responder.root());
        String host = address.getAddress().getHostAddress();
        host = host.contains(":") ? "[" + host + "]" : host; // an IPv6 address goes in brackets in a URL
        log.notice("Listening on https://" + host + ":" + address.getPort() + "/");
        log.notice(limits.describe());
        try {
            // tag::event-loop[]
            while (!closing) {
                log.flush(); // this turn's log lines, handed to the log's thread in one piece
                selector.select(selectTimeoutMillis()); // until a channel is ready, a timer is due, or wakeup()
                loopIterations++;
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
                retryAcceptingWhenDue();
            }
            // end::event-loop[]
        } catch (Throwable failure) {
            closeEverything(failure); // a failure to close is added to this one, never put in its place
            throw failure;
        }
        closeEverything(null);
    }

    // tag::accept[]
    private void acceptAll() throws IOException {
        // Take every connection that is waiting, not just one: a burst empties the backlog at once.
        while (openConnections < limits.maxConnections()) {
            SocketChannel client;
            try {
                client = serverChannel.accept();
            } catch (IOException e) {
                // Most often "Too many open files": no descriptor is left for the new socket. The
                // connection stays in the backlog, so OP_ACCEPT would fire again at once and the
                // loop would spin: stop asking for a while, and serve the clients we have.
                pauseAccepting("Cannot accept connections (" + e.getMessage() + "), " + openConnections
                        + " open: new ones wait, tried again when one closes or in " + Limits.seconds(ACCEPT_RETRY));
                return;
            }
            if (client == null) {
                if (pauseLogged) {
                    log.notice("Accepting connections again, " + openConnections + " open");
                    pauseLogged = false;
                }
                return;
            }
            SocketAddress address = client.getRemoteAddress();
            client.configureBlocking(false); // a selector only works with non-blocking channels
            // Nagle's algorithm holds back a small segment while an earlier one is unacknowledged,
            // and the client delays its ACK by up to 40 ms: a keep-alive response that leaves in
            // two small pieces could wait that long. We write each response in one go anyway;
            // TCP_NODELAY makes sure nothing we send is ever held back.
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            TlsChannel channel = TlsChannel.serverSide(tls, client, address, log);
            client.register(selector, SelectionKey.OP_READ, new Connection(address, budget, System.nanoTime(), channel));
            openConnections++;
            log.info("Got connection from " + address);
        }
        // Stop before the kernel refuses: the limit keeps descriptors for the JVM and its files.
        pauseAccepting(openConnections + " connections open, the maximum: new ones wait until one closes");
    }
    // end::accept[]

    // tag::accept-pause[]
    private void pauseAccepting(String reason) {
        serverKey.interestOps(0);
        acceptPaused = true;
        retryAcceptAt = System.nanoTime() + ACCEPT_RETRY.toNanos();
        if (!pauseLogged) { // one line for the whole pause, however many retries it takes
            log.notice(reason);
            pauseLogged = true;
        }
    }

    private void retryAcceptingWhenDue() throws IOException {
        if (acceptPaused && System.nanoTime() - retryAcceptAt >= 0) {
            acceptPaused = false;
            serverKey.interestOps(SelectionKey.OP_ACCEPT);
            acceptAll(); // now: if nobody waits, it says at once that we accept again
        }
    }
    // end::accept-pause[]

    // tag::handle[]
    private void handle(SelectionKey key) {
        Connection connection = (Connection) key.attachment();
        TlsChannel channel = connection.channel();
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

    private void answerAndWrite(TlsChannel channel, Connection connection) throws IOException {
        int answered = 0; // in this turn
        long written = 0;
        do {
            answered += answerRequests(connection, MAX_ANSWERED_PER_TURN - answered);
            if (connection.hasPendingOutput()) {
                // Also right after a read: most of the time the socket takes it all at once,
                // and OP_WRITE is never needed.
                written += write(channel, connection, MAX_WRITTEN_PER_TURN - written);
            }
            // Written out: the next pipelined request, if already read, may be answered now.
        } while (answered < MAX_ANSWERED_PER_TURN && written < MAX_WRITTEN_PER_TURN && connection.hasRequestToAnswer());
        maxWrittenInOneTurn = Math.max(maxWrittenInOneTurn, written);
        connection.keepUnparsedInput(); // the loop's buffer goes to the next connection
        if (connection.readyToLinger()) {
            // Everything is answered. Closing now, with the client's unread bytes (a refused
            // body, say) still in our receive buffer, would send a reset that can destroy our
            // response before the client reads it. So, a lingering close: send our FIN, read
            // and drop until theirs (or the idle timeout), then close.
            channel.shutdownOutput(); // close_notify first, then the FIN
            connection.startLingering(System.nanoTime());
        }
    }
    // end::handle[]

    // tag::interest[]
    /** What to wait for next on this connection, decided from its state and the budget's. */
    private int interestOf(Connection connection) {
        int interest = 0;
        if (readAllowance(connection) > 0) {
            interest |= SelectionKey.OP_READ;
        }
        // Only while there is something to write, or a request read and waiting for its turn to
        // be answered: a socket with room in its send buffer is writable nearly all the time, so
        // OP_WRITE left on would wake select() at once, again and again, and the loop would spin
        // at 100% CPU.
        if (connection.hasPendingOutput() || connection.hasRequestToAnswer()) {
            interest |= SelectionKey.OP_WRITE;
        }
        return interest;
    }

    /** How many bytes we may read from this connection now. */
    private int readAllowance(Connection connection) {
        // Backpressure: the connection stops wanting input while it holds requests it cannot
        // answer yet (the client pipelines faster than it reads our answers); TCP then holds
        // back its writes.
        if (!connection.wantsInput()) {
            return 0;
        }
        // All clients together: once the memory budget is spent, those that hold bytes (output,
        // unparsed requests, half a head) wait, and a client that holds nothing reads a request.
        if (budget.spent()) {
            // TLS: a record is decrypted whole or not at all, so a read needs room for a whole
            // record's plaintext: 16,704 bytes, not 2 KiB (TlsChannel.applicationBufferSize).
            return connection.heldBytes() > 0 ? 0
                    : Math.max(READ_WHEN_SPENT, connection.channel().applicationBufferSize());
        }
        return buffer.capacity();
    }
    // end::interest[]

    // tag::answer-requests[]
    /**
     * Queues a response for each complete request read so far, in order, as long as the
     * connection may answer, {@code most} of them at most; returns how many it queued.
     */
    private int answerRequests(Connection connection, int most) {
        int answered = 0;
        try {
            Request request;
            while (answered < most && (request = connection.nextRequest(System.nanoTime())) != null) {
                answer(connection, request.requestLine(), responder.respond(request));
                answered++;
            }
        } catch (HttpError e) {
            // The bytes make no request we can frame: answer why, then close.
            answer(connection, connection.unfinishedRequestLine(), Responder.refuseAndClose(e));
            answered++;
        }
        maxPendingOutputBytes = Math.max(maxPendingOutputBytes, connection.pendingOutputBytes());
        return answered;
    }

    /** Queues the response on the connection, and writes its access log line. */
    private void answer(Connection connection, String requestLine, Response response) {
        connection.queue(response);
        log.info(AccessLog.line(connection.address(), requestLine, response));
    }
    // end::answer-requests[]

    // tag::read-write[]
    private void read(TlsChannel channel, Connection connection) throws IOException {
        int allowance = readAllowance(connection);
        if (allowance == 0) {
            return; // the budget ran out while this key waited its turn in the round
        }
        buffer.clear().limit(allowance);
        int count = connection.readFrom(channel, buffer); // the connection parses from the loop's buffer
        Trace.read(count, connection.address());
        connection.touch(System.nanoTime());
        if (count == -1) {
            // End of stream: the client sends nothing more. Answer what it did send, then close.
            connection.endInput();
        }
    }

    /** Writes while the socket takes bytes, {@code most} of them or one write past; returns how many. */
    private static long write(TlsChannel channel, Connection connection, long most) throws IOException {
        long total = 0;
        long written;
        do {
            written = connection.writeTo(channel);
            Trace.wrote((int) written, connection.address());
            if (written > 0) {
                connection.touch(System.nanoTime());
            }
            total += written;
            // A large file comes a chunk at a time: go on while the socket takes everything,
            // up to the turn's share.
        } while (written > 0 && connection.hasPendingOutput() && total < most);
        return total;
    }
    // end::read-write[]

    // tag::idle-timeout[]
    /**
     * Closes every connection that has neither read nor written a byte for the idle timeout, and
     * answers 408 to a request head that takes longer than the head timeout to arrive (a TLS
     * handshake that takes as long is closed without a word: no HTTP can be said before it). While
     * accepting is paused (at the maximum, or out of descriptors), closes the keep-alive
     * connections that have nothing in flight, to make room for those waiting.
     */
    private void closeIdleConnections() {
        long now = System.nanoTime();
        if (now - lastSweep < sweepNanos) {
            return; // looking at every connection costs; ten times a timeout is enough
        }
        lastSweep = now;
        for (SelectionKey key : selector.keys()) {
            if (key.isValid() && key.attachment() instanceof Connection connection) {
                if (connection.handshakeOverdue(now, headTimeoutNanos)) {
                    // No HTTP can be said before the handshake is done: no 408, just the close.
                    closeConnection(key, "Connection from " + connection.address() + " closed: no TLS handshake within "
                            + Limits.seconds(limits.headTimeout()));
                } else if (connection.headOverdue(now, headTimeoutNanos)) {
                    // A byte now and then keeps a connection from being idle, but not from this.
                    refuseLateRequest(key, connection, "the request head did not arrive whole within "
                            + Limits.seconds(limits.headTimeout()));
                } else if (now - connection.lastActivity() > idleTimeoutNanos) {
                    timeOut(key, connection);
                } else if (acceptPaused && connection.isBetweenRequests() && now - connection.lastActivity() > sweepNanos) {
                    // Others wait to be accepted, and this keep-alive connection has nothing in
                    // flight: the cheapest thing to give up. HTTP lets a server close an idle
                    // connection at any time (RFC 9112, 9.5); its client opens another one when
                    // it has something to ask.
                    closeConnection(key, "Connection from " + connection.address() + " closed to make room: idle"
                            + " between requests while others wait");
                } else {
                    // A connection the memory budget held back reads again once the budget allows.
                    key.interestOps(interestOf(connection));
                }
            }
        }
    }

    private void timeOut(SelectionKey key, Connection connection) {
        if (connection.stalledMidRequest()) {
            refuseLateRequest(key, connection, "no byte for " + Limits.seconds(limits.idleTimeout())
                    + " in the middle of the request");
        } else {
            closeConnection(key, "Connection from " + connection.address() + " timed out: no byte for "
                    + Limits.seconds(limits.idleTimeout()));
        }
    }

    /** Says why (408), then closes as after any error. */
    private void refuseLateRequest(SelectionKey key, Connection connection, String why) {
        answer(connection, connection.unfinishedRequestLine(),
                Responder.refuseAndClose(new HttpError(Status.REQUEST_TIMEOUT, why)));
        connection.touch(System.nanoTime()); // the 408 gets one more idle period to leave
        // The socket is writable: the next select() hands us the key, and handle() writes the
        // 408 and starts the lingering close, as for any response.
        key.interestOps(interestOf(connection));
    }

    /** How long select() may sleep: until the next look for idle connections or retry of accept. */
    private long selectTimeoutMillis() {
        long now = System.nanoTime();
        long sleepNanos = Long.MAX_VALUE;
        if (openConnections > 0) {
            // A client that sends nothing makes no event: only the clock can tell us it is idle.
            sleepNanos = lastSweep + sweepNanos - now;
        }
        if (acceptPaused) {
            sleepNanos = Math.min(sleepNanos, retryAcceptAt - now);
        }
        if (sleepNanos == Long.MAX_VALUE) {
            return 0; // nothing is due: sleep until a channel is ready
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(sleepNanos) + 1); // 0 would mean "for ever"
    }
    // end::idle-timeout[]

    // tag::close-connection[]
    private void closeConnection(SelectionKey key, String message) {
        Connection connection = (Connection) key.attachment();
        connection.release(); // its buffers go back to the budget, its file is closed
        key.cancel(); // the selector stops watching the channel
        try {
            connection.channel().close(); // close_notify, if it has not gone yet
        } catch (IOException e) {
            // Nothing more to do for this client: it is gone either way.
        }
        log.info(message);
        openConnections--;
        retryAcceptAt = System.nanoTime(); // a descriptor is free: a paused accept may go on now
    }
    // end::close-connection[]

    /** Stops {@link #serve()} from any thread: the loop wakes up, closes everything and returns. */
    @Override
    public void close() {
        closing = true;
        selector.wakeup(); // select() returns at once, even if no channel is ready
    }

    // tag::close-everything[]
    /**
     * Closes every channel, every file being sent and the selector. A failure here never hides
     * the one that stopped the loop: a server that ran out of descriptors or memory may fail to
     * close for the same reason, and the report must still name the first cause.
     */
    private void closeEverything(Throwable failure) throws IOException {
        Throwable toReport = failure;
        for (SelectionKey key : selector.keys()) {
            toReport = close(key.channel(), toReport);
            if (key.attachment() instanceof Connection connection) {
                connection.closeFile();
            }
        }
        toReport = close(selector, toReport);
        if (failure == null && toReport != null) {
            throw new IOException("closing the server failed", toReport);
        }
    }

    /** Closes one resource. Returns what to report: {@code failure} with this failure added, or this failure. */
    static Throwable close(Closeable resource, Throwable failure) {
        try {
            resource.close();
        } catch (Throwable e) { // an IOException, or an Error: closing can need a descriptor too
            if (failure == null) {
                return e;
            }
            failure.addSuppressed(e); // kept with the report, never in its place
        }
        return failure;
    }
    // end::close-everything[]
}
