package tutorial.step03;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;

/**
 * An echo server that serves many clients at once on one thread: a {@link Selector} tells it
 * which channels are ready, and it never blocks on any one of them.
 *
 * <p>Usage: {@code EchoServer [host] [port]}, defaults 127.0.0.1 5000.
 */
public final class EchoServer implements AutoCloseable {

    private static final int BUFFER_SIZE = 1024;

    private final PrintStream log;
    private final Selector selector;
    private final ServerSocketChannel serverChannel;
    // One buffer for every connection: the loop handles one channel at a time, on one thread.
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    private volatile boolean closing;
    // Written by the loop thread only; volatile so that other threads (tests) see the latest value.
    private volatile int openConnections;

    public static void main(String[] args) {
        Arguments arguments = new Arguments(args, 2, "EchoServer [host] [port]");
        String host = arguments.host();
        int port = arguments.port();
        try (EchoServer server = new EchoServer(host, port, System.out)) {
            server.serve();
        } catch (BindException e) {
            System.err.println(Arguments.cannotListen(host, port, e)); // the port is taken, most often
            System.exit(1);
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
        serverChannel.bind(new InetSocketAddress(host, port));
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

    /** Runs the event loop on the calling thread until {@link #close()} is called. */
    public void serve() throws IOException {
        InetSocketAddress address = (InetSocketAddress) serverChannel.getLocalAddress();
        log.println("Listening on " + address.getAddress().getHostAddress() + ":" + address.getPort());
        try {
            // tag::event-loop[]
            while (!closing) {
                selector.select(); // sleeps until at least one channel is ready (or wakeup())
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
                        accept();
                    } else if (key.isReadable()) {
                        echo(key);
                    }
                }
            }
            // end::event-loop[]
        } finally {
            closeEverything();
        }
    }

    // tag::accept[]
    private void accept() throws IOException {
        SocketChannel client = serverChannel.accept();
        if (client == null) {
            return; // the client gave up between select() and accept()
        }
        SocketAddress address = client.getRemoteAddress();
        client.configureBlocking(false); // a selector only works with non-blocking channels
        // The address rides along with the key, so that we can still name the client after
        // its channel is closed.
        client.register(selector, SelectionKey.OP_READ, address);
        openConnections++;
        log.println("Got connection from " + address);
    }
    // end::accept[]

    // tag::echo[]
    private void echo(SelectionKey key) {
        SocketChannel client = (SocketChannel) key.channel();
        SocketAddress address = (SocketAddress) key.attachment();
        try {
            buffer.clear();
            int count = client.read(buffer);
            Trace.read(count, address);
            if (count == -1) { // end of stream: the client closed its side (0 would mean "nothing now")
                closeConnection(key, "Connection from " + address + " closed");
                return;
            }
            buffer.flip();
            // Naive on purpose: ONE write. If the socket's send buffer is full, write() takes
            // fewer bytes than we give it (maybe none), and the rest is dropped. Step 04 fixes it.
            int written = client.write(buffer);
            Trace.wrote(written, address);
        } catch (IOException e) {
            // Typically "Connection reset": the client vanished. Drop it; serve everyone else.
            closeConnection(key, "Connection from " + address + " lost: " + e.getMessage());
        }
    }
    // end::echo[]

    // tag::close-connection[]
    private void closeConnection(SelectionKey key, String message) {
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
