package tutorial.step04;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;

/**
 * The one-thread selector echo server of step 03, made correct for any client: each connection
 * keeps the output it still owes (a {@link Connection} attached to its key), {@code OP_WRITE} is
 * asked for only while output is pending, reading pauses while a client owes too much
 * (backpressure), and a client that half-closes still gets all of its echo.
 *
 * <p>Usage: {@code EchoServer [host] [port]}, defaults 127.0.0.1 5000.
 */
public final class EchoServer implements AutoCloseable {

    static final int BUFFER_SIZE = 1024;
    // Backpressure: while a connection owes its client this much, we stop reading from it.
    static final int MAX_PENDING_OUTPUT = 1024 * 1024;
    // The kernel's queue of connections not yet accepted. The JDK asks for 50: a burst of
    // hundreds of connects would overflow it, and the extra clients would wait for their
    // connect to be retried. Linux caps the number at net.core.somaxconn (4096 by default).
    private static final int BACKLOG = 1024;

    private final PrintStream log;
    private final Selector selector;
    private final ServerSocketChannel serverChannel;
    // One buffer for every read: the loop handles one channel at a time, on one thread.
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    private volatile boolean closing;
    // The counters below are written by the loop thread only; volatile so that other threads
    // (tests, a monitor) see the latest values.
    private volatile int openConnections;
    private volatile long loopIterations;
    private volatile long bytesReceived;
    private volatile long pendingOutputBytes;

    public static void main(String[] args) {
        Arguments arguments = new Arguments(args, 2, "EchoServer [host] [port]");
        try (EchoServer server = new EchoServer(arguments.host(), arguments.port(), System.out)) {
            server.serve();
        } catch (IOException e) {
            System.err.println("Server stopped: " + e);
            System.exit(1);
        }
    }

    // tag::bind[]
    public EchoServer(String host, int port, PrintStream log) throws IOException {
        this.log = log;
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

    /** How many times the loop woke up from select(): it must not grow while every client is idle. */
    public long loopIterations() {
        return loopIterations;
    }

    /** How many bytes the server has read from all its clients so far. */
    public long bytesReceived() {
        return bytesReceived;
    }

    /** How many bytes the server holds for its clients right now: backpressure keeps it bounded. */
    public long pendingOutputBytes() {
        return pendingOutputBytes;
    }

    /** Runs the event loop on the calling thread until {@link #close()} is called. */
    public void serve() throws IOException {
        InetSocketAddress address = (InetSocketAddress) serverChannel.getLocalAddress();
        log.println("Listening on " + address.getAddress().getHostAddress() + ":" + address.getPort());
        try {
            // tag::event-loop[]
            while (!closing) {
                selector.select(); // sleeps until at least one channel is ready (or wakeup())
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
            client.register(selector, SelectionKey.OP_READ, new Connection(address));
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
    /** What to wait for next on this connection, decided from its state alone. */
    private static int interestOf(Connection connection) {
        int interest = 0;
        // Backpressure: a client that sends but does not read would make us hold its echo in
        // memory without end. Past the bound, stop reading: its bytes wait in the socket
        // buffers, and once those are full, TCP holds back the client's writes.
        if (!connection.inputEnded() && connection.pendingOutputBytes() < MAX_PENDING_OUTPUT) {
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

    // tag::read-write[]
    private void read(SocketChannel channel, Connection connection) throws IOException {
        buffer.clear();
        int count = channel.read(buffer);
        Trace.read(count, connection.address());
        if (count == -1) {
            // End of stream: the client has sent everything (it may have half-closed with
            // shutdownOutput and still be reading). Finish writing its echo, then close.
            connection.endInput();
            if (connection.hasPendingOutput()) {
                log.println("End of stream from " + connection.address() + ", "
                        + connection.pendingOutputBytes() + " bytes still to send");
            }
            return;
        }
        buffer.flip();
        connection.queue(buffer); // the echo: what we read is what we owe
        bytesReceived += count;
        pendingOutputBytes += count;
    }

    private void write(SocketChannel channel, Connection connection) throws IOException {
        int written = connection.writeTo(channel);
        Trace.wrote(written, connection.address());
        pendingOutputBytes -= written;
    }
    // end::read-write[]

    // tag::close-connection[]
    private void closeConnection(SelectionKey key, String message) {
        pendingOutputBytes -= ((Connection) key.attachment()).pendingOutputBytes(); // lost with it
        key.cancel(); // the selector stops watching the channel
        try {
            key.channel().close();
        } catch (IOException e) {
            // Nothing more to do for this client: it is gone either way.
        }
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
        }
        selector.close();
    }
}
