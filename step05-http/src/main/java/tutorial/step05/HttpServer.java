package tutorial.step05;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A primitive HTTP/1.1 server for static files on step 04's one-thread selector loop. This class
 * is the loop: accept, select, read, write, close, and close a connection that stays silent too
 * long. The per-connection state on the key, {@code OP_WRITE} only while output is pending, the
 * backpressure and the limits on what all clients together may spend ({@link Limits}) are step
 * 04's. The HTTP is elsewhere: each {@link Connection} parses what it read into requests
 * ({@link RequestParser}), a {@link Responder} decides the response to each (files from
 * {@link StaticFiles}), and the loop queues it on the connection and writes it out.
 *
 * <p>Usage: {@code HttpServer [--host HOST] [--port PORT] [--root DIR] [--idle-timeout SECONDS]
 * [--head-timeout SECONDS] [--max-connections N] [--quiet | --log FILE]}, defaults 127.0.0.1, 8080,
 * the built-in site, and limits that fit the process.
 */
public final class HttpServer implements AutoCloseable {

    // One read moves up to 64 KiB: a request head of 20 KB arrives in one read, not twenty. The
    // size costs nothing per connection: there is one buffer, shared by every read, because the
    // loop reads one channel at a time, on one thread.
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
    // A file found on disk is served from memory this long before we look at the disk again.
    private static final Duration RECHECK_FILES_AFTER = Duration.ofSeconds(1);

    static {
        Preload.classesOfTheLoop(); // before the loop runs: out of descriptors, no class file can be opened
    }

    private final Log log;
    private final Limits limits;
    private final MemoryBudget budget;
    private final Responder responder;
    private final Selector selector;
    private final ServerSocketChannel serverChannel;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    private final AcceptGate acceptGate;
    private final IdleSweep sweep;
    private final LoopStats stats;
    private volatile boolean closing;

    public static void main(String[] args) {
        Arguments arguments = new Arguments(args);
        Limits limits = arguments.limits();
        try (Log log = arguments.log();
             HttpServer server = new HttpServer(arguments.host(), arguments.port(), arguments.root(), limits, log)) {
            server.serve();
        } catch (BindException e) {
            // A slip, not a crash: most often the port is taken. One line says so, no stack trace.
            System.err.println(Arguments.cannotListen(arguments.host(), arguments.port(), e));
            System.exit(1);
        } catch (Throwable failure) {
            Shutdown.report(failure);
            System.exit(1);
        }
    }

    public HttpServer(String host, int port, Path root, Limits limits, Log log) throws IOException {
        this(host, port, root, RECHECK_FILES_AFTER, limits, log);
    }

    // tag::bind[]
    HttpServer(String host, int port, Path root, Duration recheckFilesAfter, Limits limits, Log log) throws IOException {
        this.log = log;
        this.limits = limits;
        this.budget = new MemoryBudget(limits.memoryBudget(), log);
        this.stats = new LoopStats(budget);
        this.responder = new Responder(new StaticFiles(root, recheckFilesAfter, budget));
        this.sweep = new IdleSweep(limits, System.nanoTime());
        this.selector = Selector.open();
        this.serverChannel = ServerSocketChannel.open();
        serverChannel.bind(new InetSocketAddress(host, port), BACKLOG);
        // Non-blocking: accept() returns null instead of waiting when nobody is connecting.
        serverChannel.configureBlocking(false);
        this.acceptGate = new AcceptGate(serverChannel.register(selector, SelectionKey.OP_ACCEPT),
                limits.maxConnections(), log);
    }
    // end::bind[]

    public int port() {
        return serverChannel.socket().getLocalPort();
    }

    /** How many client connections are open right now. */
    public int openConnections() {
        return acceptGate.openConnections();
    }

    /** What the loop counts about itself: turns, the most output held, the most written in a turn. */
    public LoopStats stats() {
        return stats;
    }

    /** Runs the event loop on the calling thread until {@link #close()} is called. */
    public void serve() throws IOException {
        InetSocketAddress address = (InetSocketAddress) serverChannel.getLocalAddress();
        log.notice("Serving files from " + responder.root());
        String host = address.getAddress().getHostAddress();
        host = host.contains(":") ? "[" + host + "]" : host; // an IPv6 address goes in brackets in a URL
        log.notice("Listening on http://" + host + ":" + address.getPort() + "/");
        log.notice(limits.describe());
        try {
            // tag::event-loop[]
            while (!closing) {
                log.flush(); // this turn's log lines, handed to the log's thread in one piece
                selector.select(selectTimeoutMillis()); // until a channel is ready, a timer is due, or wakeup()
                stats.wokeUp();
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
            Shutdown.closeEverything(selector, failure); // a failure to close is added to this one, never put in its place
            throw failure;
        }
        Shutdown.closeEverything(selector, null);
    }

    // tag::accept[]
    private void acceptAll() throws IOException {
        // Take every connection that is waiting, not just one: a burst empties the backlog at once.
        while (acceptGate.hasRoom()) {
            SocketChannel client;
            try {
                client = serverChannel.accept();
            } catch (IOException e) {
                // Most often "Too many open files": no descriptor is left for the new socket. The
                // connection stays in the backlog, so OP_ACCEPT would fire again at once and the
                // loop would spin: stop asking for a while, and serve the clients we have.
                acceptGate.pauseAfterFailure(e, System.nanoTime());
                return;
            }
            if (client == null) {
                acceptGate.backlogEmptied();
                return;
            }
            SocketAddress address = client.getRemoteAddress();
            client.configureBlocking(false); // a selector only works with non-blocking channels
            // Nagle's algorithm holds back a small segment while an earlier one is unacknowledged,
            // and clients delay their ACKs (Linux 40 to 200 ms, Windows 200 ms): a response that
            // leaves in two small pieces could wait that long. We write each response in one go
            // anyway; TCP_NODELAY turns Nagle off, so nothing we send waits for an ACK.
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            client.register(selector, SelectionKey.OP_READ, new Connection(address, budget, System.nanoTime()));
            acceptGate.opened();
            log.info("Got connection from " + address);
        }
        // Stop before the kernel refuses: the limit keeps descriptors for the JVM and its files.
        acceptGate.pauseAtMaximum(System.nanoTime());
    }
    // end::accept[]

    private void retryAcceptingWhenDue() throws IOException {
        if (acceptGate.reopenWhenDue(System.nanoTime())) {
            acceptAll(); // now: if nobody waits, it says at once that we accept again
        }
    }

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
        stats.writtenInOneTurn(written);
        connection.keepUnparsedInput(); // the loop's buffer goes to the next connection
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
            return connection.heldBytes() > 0 ? 0 : READ_WHEN_SPENT;
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
        stats.pendingOutput(connection.pendingOutputBytes());
        return answered;
    }

    /** Queues the response on the connection, and writes its access log line. */
    private void answer(Connection connection, String requestLine, Response response) {
        connection.queue(response);
        log.info(AccessLog.line(connection.address(), requestLine, response));
    }
    // end::answer-requests[]

    // tag::read-write[]
    private void read(SocketChannel channel, Connection connection) throws IOException {
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
    private static long write(SocketChannel channel, Connection connection, long most) throws IOException {
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
     * Each time the sweep is due, does to every connection what {@link IdleSweep} says it has earned:
     * 408 to a request too slow, a close if idle too long, and to a few idle while others wait.
     */
    private void closeIdleConnections() {
        long now = System.nanoTime();
        if (!sweep.due(now)) {
            return;
        }
        String idleFor = Limits.seconds(limits.idleTimeout());
        List<SelectionKey> couldMakeRoom = new ArrayList<>();
        for (SelectionKey key : selector.keys()) {
            if (key.isValid() && key.attachment() instanceof Connection connection) {
                switch (sweep.judge(connection, now, acceptGate.paused())) {
                    case HEAD_TOO_SLOW -> refuseLateRequest(key, connection,
                            "the request head did not arrive whole within " + Limits.seconds(limits.headTimeout()));
                    case SILENT_MID_REQUEST -> refuseLateRequest(key, connection,
                            "no byte for " + idleFor + " in the middle of the request");
                    case IDLE -> closeConnection(key, "Connection from " + connection.address()
                            + " timed out: no byte for " + idleFor);
                    case COULD_MAKE_ROOM -> {
                        couldMakeRoom.add(key); // a few are closed once all are judged; the others stay
                        key.interestOps(interestOf(connection));
                    }
                    // A connection the memory budget held back reads again once the budget allows.
                    case STAYS -> key.interestOps(interestOf(connection));
                }
            }
        }
        int open = acceptGate.openConnections();
        List<SelectionKey> closing = IdleSweep.toCloseToMakeRoom(couldMakeRoom);
        closing.forEach(key -> closeConnection(key, null));
        if (!closing.isEmpty()) { // one line a batch: a line every second for minutes says the maximum is too low
            log.info(closing.size() + " of " + couldMakeRoom.size() + " idle keep-alive connections closed to make room: "
                    + open + " open, others wait to be accepted");
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
        // A client that sends nothing makes no event: only the clock can tell us it is idle.
        long sleepNanos = Math.min(acceptGate.openConnections() > 0 ? sweep.nanosUntilDue(now) : Long.MAX_VALUE,
                acceptGate.nanosUntilRetry(now));
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
            key.channel().close();
        } catch (IOException e) {
            // Nothing more to do for this client: it is gone either way.
        }
        if (message != null) { // null: one line says it for a batch
            log.info(message);
        }
        acceptGate.closed(System.nanoTime()); // a descriptor is free: a paused accept may go on now
    }
    // end::close-connection[]

    /** Stops {@link #serve()} from any thread: the loop wakes up, closes everything and returns. */
    @Override
    public void close() {
        closing = true;
        selector.wakeup(); // select() returns at once, even if no channel is ready
    }
}
