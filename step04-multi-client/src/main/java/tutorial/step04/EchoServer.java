package tutorial.step04;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one-thread selector echo server of step 03, made correct for any client: each connection
 * keeps the output it still owes (a {@link Connection} attached to its key), {@code OP_WRITE} is
 * asked for only while output is pending, reading pauses while a client owes too much
 * (backpressure), and a client that half-closes still gets all of its echo.
 *
 * <p>It also outlives clients that spend what is finite ({@link Limits}): it stops accepting
 * before it runs out of descriptors, and carries on when it runs out anyway; it closes
 * connections that stay silent; it keeps all output buffers together within a share of the heap;
 * and it never waits for its log.
 *
 * <p>Usage: {@code EchoServer [host] [port] [--max-connections N] [--idle-timeout SECONDS]
 * [--quiet | --log FILE]}, defaults 127.0.0.1 5000 and limits that fit the process.
 */
public final class EchoServer implements AutoCloseable {

    private static final String USAGE =
            "EchoServer [host] [port] [--max-connections N] [--idle-timeout SECONDS] [--quiet | --log FILE]";

    // One read moves up to 64 KiB: a 256 MiB stream takes 4,096 read calls instead of 262,144.
    // The size costs nothing per connection: there is one buffer, shared by every read, because
    // the loop reads one channel at a time, on one thread.
    static final int BUFFER_SIZE = 64 * 1024;
    // Backpressure: while a connection owes its client this much, we stop reading from it.
    static final int MAX_PENDING_OUTPUT = 1024 * 1024;
    // The kernel's queue of connections not yet accepted. The JDK asks for 50: a burst of
    // hundreds of connects would overflow it, and the extra clients would wait for their
    // connect to be retried. Linux caps the number at net.core.somaxconn (4096 by default).
    private static final int BACKLOG = 1024;
    // Loaded with this class, before the loop runs: the JVM opens a class file to load a class,
    // and once the descriptors have run out, a class used for the first time cannot be loaded
    // (NoClassDefFoundError, and the loop would die of it).
    private static final List<Class<?>> USED_BY_THE_LOOP = List.of(Connection.class, Shutdown.class, Trace.class);

    private final Log log;
    private final Limits limits;
    private final OutputBudget budget;
    private final Selector selector;
    private final ServerSocketChannel serverChannel;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    private final AcceptGate acceptGate;
    private final IdleSweep sweep;
    private final LoopStats stats;
    private volatile boolean closing;

    public static void main(String[] args) {
        Arguments arguments = new Arguments(args, 2, USAGE,
                "--max-connections N", "--idle-timeout SECONDS", "--quiet", "--log FILE");
        Limits limits = arguments.limits();
        String host = arguments.host();
        int port = arguments.port();
        try (Log log = arguments.log();
             EchoServer server = new EchoServer(host, port, limits, log)) {
            server.serve();
        } catch (BindException e) {
            System.err.println(Arguments.cannotListen(host, port, e)); // the port is taken, most often
            System.exit(1);
        } catch (Throwable failure) {
            Shutdown.report(failure);
            System.exit(1);
        }
    }

    // tag::bind[]
    public EchoServer(String host, int port, Limits limits, Log log) throws IOException {
        this.log = log;
        this.limits = limits;
        this.budget = new OutputBudget(limits.outputBudget(), log);
        this.stats = new LoopStats(budget);
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

    /** What the loop counts about itself: turns, bytes received, output owed. */
    public LoopStats stats() {
        return stats;
    }

    /** Runs the event loop on the calling thread until {@link #close()} is called. */
    public void serve() throws IOException {
        InetSocketAddress address = (InetSocketAddress) serverChannel.getLocalAddress();
        log.notice("Listening on " + address.getAddress().getHostAddress() + ":" + address.getPort());
        log.notice(limits.describe());
        try {
            // tag::event-loop[]
            while (!closing) {
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
            if (connection.hasPendingOutput()) {
                // Also right after a read: most of the time the socket takes it all at once,
                // and OP_WRITE is never needed.
                write(channel, connection);
            }
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
    // end::handle[]

    // tag::interest[]
    /** What to wait for next on this connection, decided from its state and the budget's. */
    private int interestOf(Connection connection) {
        int interest = 0;
        if (readAllowance(connection) > 0) {
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

    /** How many bytes we may read from this connection now: what it may still come to owe. */
    private int readAllowance(Connection connection) {
        if (connection.inputEnded()) {
            return 0;
        }
        // Backpressure: a client that sends but does not read would make us hold its echo in
        // memory without end. At the bound, stop reading: its bytes wait in the socket
        // buffers, and once those are full, TCP holds back the client's writes.
        // All clients together: once the output budget is spent, no buffer may grow, so each
        // connection reads only into the room its buffer already has. Those that owe the most
        // (their buffers full) wait; a client that owes nothing still reads a buffer's worth.
        long most = budget.spent() ? connection.outputCapacity() : MAX_PENDING_OUTPUT;
        return (int) Math.min(buffer.capacity(), Math.max(0, most - connection.pendingOutputBytes()));
    }
    // end::interest[]

    // tag::read-write[]
    private void read(SocketChannel channel, Connection connection) throws IOException {
        int allowance = readAllowance(connection);
        if (allowance == 0) {
            return; // the budget ran out while this key waited its turn in the round
        }
        buffer.clear().limit(allowance);
        int count = channel.read(buffer);
        Trace.read(count, connection.address());
        connection.touch(System.nanoTime());
        if (count == -1) {
            // End of stream: the client has sent everything (it may have half-closed with
            // shutdownOutput and still be reading). Finish writing its echo, then close.
            connection.endInput();
            if (connection.hasPendingOutput()) {
                log.info("End of stream from " + connection.address() + ", "
                        + connection.pendingOutputBytes() + " bytes still to send");
            }
            return;
        }
        buffer.flip();
        stats.received(count); // the echo: what we read is what we owe
        if (!connection.hasPendingOutput()) {
            // Nothing is owed before these bytes, so they may go out straight from the loop's
            // buffer. Most of the time the socket takes them all, and nothing is copied into
            // the connection or allocated for it.
            wrote(channel.write(buffer), connection);
        }
        connection.queue(buffer); // what the socket did not take, we still owe
    }

    private void write(SocketChannel channel, Connection connection) throws IOException {
        wrote(connection.writeTo(channel), connection);
    }

    private void wrote(int written, Connection connection) {
        Trace.wrote(written, connection.address());
        if (written > 0) {
            connection.touch(System.nanoTime());
        }
        stats.noLongerOwed(written);
    }
    // end::read-write[]

    // tag::idle-timeout[]
    /** Each time the sweep is due, closes every connection that {@link IdleSweep} finds idle. */
    private void closeIdleConnections() {
        long now = System.nanoTime();
        if (!sweep.due(now)) {
            return;
        }
        for (SelectionKey key : selector.keys()) {
            if (key.isValid() && key.attachment() instanceof Connection connection && sweep.idle(connection, now)) {
                closeConnection(key, "Connection from " + connection.address() + " timed out: no byte for "
                        + Limits.seconds(limits.idleTimeout()));
            }
        }
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
        stats.noLongerOwed(connection.pendingOutputBytes()); // lost with it
        connection.releaseOutput();
        key.cancel(); // the selector stops watching the channel
        try {
            key.channel().close();
        } catch (IOException e) {
            // Nothing more to do for this client: it is gone either way.
        }
        log.info(message);
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
