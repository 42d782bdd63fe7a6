package tutorial.step04;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Many connections from one thread: one {@link Selector}, N non-blocking connections, each
 * sending its messages and reading their echo until every byte it sent has come back.
 *
 * <p>Usage: {@code MultiConnectionClient [host] [port] [connections] [messages-per-connection]
 * [message-bytes]}, defaults 127.0.0.1 5000 3 3 64. Each connection's progress is printed when
 * there are at most 10 connections, or with {@code -Dverbose}; a summary line always.
 */
public final class MultiConnectionClient {

    private static final String USAGE =
            "MultiConnectionClient [host] [port] [connections] [messages-per-connection] [message-bytes]";
    private static final int BUFFER_SIZE = 1024;
    // A server that stops answering must not make the client wait for ever.
    private static final long GIVE_UP_AFTER_MILLIS = 10_000;

    /** What a run achieved; complete when every byte sent came back, unchanged. */
    public record Summary(int connections, int messagesSent, long bytesExpected, long bytesSent,
                          long bytesReceived, int connectionsWithWrongBytes, Duration elapsed) {

        public boolean complete() {
            return bytesSent == bytesExpected && bytesReceived == bytesExpected && connectionsWithWrongBytes == 0;
        }

        @Override
        public String toString() {
            String time = String.format(Locale.ROOT, "%.2f s", elapsed.toNanos() / 1e9);
            if (complete()) {
                return plural(connections, "connection") + ", " + plural(messagesSent, "message") + ", "
                        + bytesSent + " bytes sent and received in " + time;
            }
            return plural(connections, "connection") + ", " + plural(messagesSent, "message") + ", "
                    + bytesSent + " bytes sent, "
                    + bytesReceived + " received in " + time + ": INCOMPLETE, "
                    + Math.max(0, bytesExpected - bytesReceived) + " bytes missing, "
                    + connectionsWithWrongBytes + " connections got wrong bytes";
        }
    }

    private final InetSocketAddress server;
    private final int connectionCount;
    private final int messageCount;
    private final int messageBytes;
    private final PrintStream out;
    private final boolean verbose;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    private int unfinished;
    private int connected; // connections whose connect succeeded so far

    public static void main(String[] args) throws IOException {
        Arguments arguments = new Arguments(args, 5, USAGE);
        int connections = arguments.count(2, "connections", 3);
        int messages = arguments.count(3, "messages", 3);
        int messageBytes = arguments.count(4, "message bytes", 64);
        if ((long) messages * messageBytes > Integer.MAX_VALUE / 2) {
            System.err.println("usage: " + USAGE + " (too many bytes per connection)");
            System.exit(2);
        }
        boolean verbose = connections <= 10 || System.getProperty("verbose") != null;
        String host = arguments.host();
        int port = arguments.port();
        MultiConnectionClient client = new MultiConnectionClient(host, port, connections, messages, messageBytes,
                System.out, verbose);
        Summary summary;
        try {
            summary = client.run();
        } catch (ConnectException e) {
            System.err.println(Arguments.cannotTalk(host, port, e)); // nothing listens there
            System.exit(1);
            return;
        }
        System.out.println(summary);
        if (!summary.complete()) {
            System.exit(1);
        }
    }

    public MultiConnectionClient(String host, int port, int connections, int messages, int messageBytes,
                                 PrintStream out, boolean verbose) {
        this.server = new InetSocketAddress(host, port);
        this.connectionCount = connections;
        this.messageCount = messages;
        this.messageBytes = messageBytes;
        this.out = out;
        this.verbose = verbose;
    }

    /**
     * Opens every connection, runs them all to the end on this thread, and sums up. Throws the
     * {@link ConnectException} if the first connect to finish was refused: nothing listens there,
     * and the others would be refused too.
     */
    public Summary run() throws IOException {
        long start = System.nanoTime();
        List<ClientConnection> connections = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            try {
                for (int id = 1; id <= connectionCount; id++) {
                    ClientConnection connection = open(selector, id);
                    connections.add(connection);
                    if (connection.channel().isConnected()) {
                        connected(connection); // connect() finished at once, as it may on loopback
                    }
                }
                unfinished = connectionCount;
                runUntilAllDone(selector);
            } finally {
                for (SelectionKey key : selector.keys()) {
                    key.channel().close(); // those the server never finished, or all of them if nothing listens
                }
            }
        }
        return summarize(connections, Duration.ofNanos(System.nanoTime() - start));
    }

    // tag::open[]
    private ClientConnection open(Selector selector, int id) throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.configureBlocking(false);
        ClientConnection connection = new ClientConnection(id, channel, messageCount, messageBytes);
        // Non-blocking connect() only starts the handshake; OP_CONNECT says when it is over.
        boolean connected = channel.connect(server);
        int interest = connected ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT;
        channel.register(selector, interest, connection);
        return connection;
    }
    // end::open[]

    // tag::client-loop[]
    private void runUntilAllDone(Selector selector) throws IOException {
        while (unfinished > 0) {
            if (selector.select(GIVE_UP_AFTER_MILLIS) == 0) {
                out.println("No progress for " + GIVE_UP_AFTER_MILLIS / 1000 + " s: giving up");
                return;
            }
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                ClientConnection connection = (ClientConnection) key.attachment();
                try {
                    step(key, connection);
                } catch (IOException e) {
                    failed(key, connection, e);
                }
            }
        }
    }

    private void step(SelectionKey key, ClientConnection connection) throws IOException {
        if (key.isConnectable()) {
            connection.channel().finishConnect(); // throws if the server refused
            connected(connection);
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            return;
        }
        if (key.isWritable()) {
            send(key, connection);
        }
        if (key.isReadable()) {
            receive(key, connection);
        }
    }
    // end::client-loop[]

    // tag::send-receive[]
    private void send(SelectionKey key, ClientConnection connection) throws IOException {
        ByteBuffer message = connection.outgoing();
        int written = connection.channel().write(message);
        Trace.wrote(written, server);
        if (message.hasRemaining()) {
            return; // the socket took part of it: the rest goes at the next OP_WRITE
        }
        connection.messageSent();
        progress(connection, "sent message " + connection.messagesSent() + " of " + connection.messageCount()
                + " (" + connection.messageBytes() + " bytes)");
        if (connection.outgoing() == null) {
            key.interestOps(SelectionKey.OP_READ); // nothing left to send: stop asking for OP_WRITE
        }
    }

    private void receive(SelectionKey key, ClientConnection connection) throws IOException {
        buffer.clear();
        int count = connection.channel().read(buffer);
        Trace.read(count, server);
        if (count == -1) {
            progress(connection, "server closed the connection after " + connection.bytesReceived() + " of "
                    + connection.bytesExpected() + " bytes");
            finish(key);
            return;
        }
        connection.received(buffer.flip());
        // TCP keeps no message boundaries: one read may hold part of a message, or several.
        progress(connection, "received " + count + " bytes (" + connection.bytesReceived() + " of "
                + connection.bytesExpected() + ")");
        if (connection.echoEnded()) {
            progress(connection, connection.hasWrongBytes() ? "echo differs from what was sent, closing"
                    : "every byte is back, closing");
            finish(key);
        }
    }
    // end::send-receive[]

    private void connected(ClientConnection connection) throws IOException {
        if (connected++ == 0) {
            // Said once a connection got through, not before: with no server, the one line that
            // says so (main) is all the client prints.
            out.println("Opening " + plural(connectionCount, "connection") + " to " + server.getHostString() + ":"
                    + server.getPort() + ", " + plural(messageCount, "message") + " of " + messageBytes + " bytes each");
        }
        progress(connection, "connected from " + connection.channel().getLocalAddress());
    }

    private void failed(SelectionKey key, ClientConnection connection, IOException e) throws IOException {
        if (e instanceof ConnectException && connected == 0) {
            throw e; // refused before any connection got through: nothing listens there
        }
        progress(connection, "failed: " + e.getMessage());
        finish(key);
    }

    private void finish(SelectionKey key) throws IOException {
        key.cancel();
        key.channel().close();
        unfinished--;
    }

    private static String plural(long count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }

    private void progress(ClientConnection connection, String message) {
        if (verbose) {
            out.println("connection " + connection.id() + ": " + message);
        }
    }

    private static Summary summarize(List<ClientConnection> connections, Duration elapsed) {
        int messages = 0;
        long expected = 0;
        long sent = 0;
        long received = 0;
        int wrong = 0;
        for (ClientConnection connection : connections) {
            messages += connection.messagesSent();
            expected += connection.bytesExpected();
            sent += connection.bytesSent();
            received += connection.bytesReceived();
            wrong += connection.hasWrongBytes() ? 1 : 0;
        }
        return new Summary(connections.size(), messages, expected, sent, received, wrong, elapsed);
    }
}
