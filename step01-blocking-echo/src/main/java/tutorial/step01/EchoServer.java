package tutorial.step01;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Step 01: a blocking echo server. It accepts one client, sends back every byte that client sends
 * until the client closes its side, and only then accepts the next one.
 *
 * <p>Run it: {@code ./mvnw -q -pl step01-blocking-echo compile exec:java@server}
 */
public final class EchoServer implements AutoCloseable {

    private static final int BUFFER_SIZE = 1024;

    private final ServerSocketChannel listener;
    private final InetSocketAddress address;
    private final PrintStream log;
    private SocketChannel client; // the one being served, so that close() can end it too
    private boolean closed;

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

    // tag::open-bind-listen[]
    public EchoServer(String host, int port, PrintStream log) throws IOException {
        this.log = log;
        // create: a TCP socket whose only job is to accept connections (blocking, as every
        // channel is when it is opened)
        listener = ServerSocketChannel.open();
        // bind + listen in one call: from here on the kernel completes the handshake with each
        // client that connects and queues the connection (the backlog: 50 by default) until
        // accept() takes it -- even while this thread is busy with somebody else
        listener.bind(new InetSocketAddress(host, port));
        address = (InetSocketAddress) listener.getLocalAddress(); // port 0 became a real port
    }
    // end::open-bind-listen[]

    public int port() {
        return address.getPort();
    }

    // tag::accept-loop[]
    public void serve() throws IOException {
        log.println("Listening on " + address.getAddress().getHostAddress() + ":" + address.getPort());
        while (true) {
            SocketChannel accepted;
            try {
                accepted = listener.accept(); // blocks until a client has connected
            } catch (ClosedChannelException e) {
                return; // close() was called (while we waited, or before)
            }
            serveOneClient(accepted);
        }
    }
    // end::accept-loop[]

    // tag::serve-one-client[]
    private void serveOneClient(SocketChannel accepted) {
        SocketAddress peer = null;
        try (SocketChannel channel = accepted) {
            peer = channel.getRemoteAddress();
            log.println("Got connection from " + peer);
            if (startServing(channel)) {
                echoUntilEndOfStream(channel, peer);
                log.println("Connection from " + peer + " closed");
            }
        } catch (IOException e) {
            if (!isClosed()) { // a client that vanishes is logged; the server goes on
                log.println("Connection from " + peer + " lost: " + e.getMessage());
            }
        }
    }
    // end::serve-one-client[]

    // tag::echo[]
    private void echoUntilEndOfStream(SocketChannel channel, SocketAddress peer) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
        while (true) {
            buffer.clear();                 // ready to be filled: position 0, limit 1024
            int read = channel.read(buffer); // blocks until bytes arrive; then 1 to 1024 of them
            Trace.read(read, peer);
            if (read == -1) {
                return;                     // end of stream: the client closed its side
            }
            buffer.flip();                  // ready to be drained: limit = what was read, position 0
            int written = channel.write(buffer);
            Trace.wrote(written, peer);
        }
    }
    // end::echo[]

    // tag::close[]
    /** Stops the server from any thread: a blocked accept() or read() ends at once. */
    @Override
    public void close() throws IOException {
        SocketChannel current;
        synchronized (this) {
            closed = true;
            current = client;
        }
        listener.close(); // wakes a thread blocked in accept() (AsynchronousCloseException)
        if (current != null) {
            current.close(); // wakes a thread blocked in read() the same way
        }
    }
    // end::close[]

    private synchronized boolean startServing(SocketChannel channel) {
        client = channel;
        return !closed;
    }

    private synchronized boolean isClosed() {
        return closed;
    }
}
