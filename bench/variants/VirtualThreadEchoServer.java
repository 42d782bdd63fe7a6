import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Step 02's echo server, one virtual thread per connection: a variant measured beside the steps
 * by bench/run, not a step of the tutorial. Needs JDK 21 or newer (virtual threads); bench/run
 * compiles and runs it only there.
 *
 * <p>The code reads like step 02's, one blocking call after the other, but no platform thread
 * waits in read(): a virtual thread that blocks is unmounted from its carrier (a platform thread;
 * as many carriers as cores), and the JDK's poller mounts it again when its socket is ready. So
 * 10,000 idle clients cost 10,000 small objects on the heap, not 10,000 thread stacks, and a new
 * client is served at once, which a fixed pool of platform threads cannot promise.
 *
 * <p>Usage: {@code java -cp bench/target/variants VirtualThreadEchoServer [host] [port]},
 * defaults 127.0.0.1 5000.
 */
public final class VirtualThreadEchoServer {

    private static final String USAGE = "VirtualThreadEchoServer [host] [port]";
    // Step 02's buffer: the variants change how connections get a thread, nothing else.
    private static final int BUFFER_SIZE = 1024;
    // The kernel's queue of connections not yet accepted, as in step 04: the JDK asks for 50,
    // and a burst of 1,000 connects overflows that even with a thread that does nothing but accept.
    private static final int BACKLOG = 1024;

    public static void main(String[] args) throws IOException {
        if (args.length > 2) {
            exitWithUsage("too many arguments");
        }
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = 5000;
        if (args.length > 1) {
            if (!args[1].matches("\\d{1,5}") || Integer.parseInt(args[1]) > 65535) {
                exitWithUsage("not a port number: " + args[1]);
            }
            port = Integer.parseInt(args[1]);
        }
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            exitWithUsage("unknown host " + host);
        }

        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(host, port), BACKLOG);
        InetSocketAddress address = (InetSocketAddress) listener.getLocalAddress();
        System.out.println("Listening on " + address.getAddress().getHostAddress() + ":" + address.getPort());
        // tag::accept-loop[]
        while (true) {
            SocketChannel accepted = listener.accept();
            // A new virtual thread for every connection, never pooled: it costs about as much
            // as the objects it holds, and ends when its client leaves.
            Thread.ofVirtual().start(() -> serveOneClient(accepted));
        }
        // end::accept-loop[]
    }

    // Step 02's serveOneClient and echo loop, run by the connection's own virtual thread.
    private static void serveOneClient(SocketChannel accepted) {
        SocketAddress peer = null;
        try (SocketChannel channel = accepted) {
            peer = channel.getRemoteAddress();
            System.out.println("Got connection from " + peer);
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
            while (channel.read(buffer.clear()) != -1) { // parks this virtual thread, frees its carrier
                sendAll(channel, buffer.flip());
            }
            System.out.println("Connection from " + peer + " closed");
        } catch (IOException e) {
            System.out.println("Connection from " + peer + " lost: " + e.getMessage());
        }
    }

    // tag::send-all[]
    /**
     * Writes until nothing remains, as step 02 does, and here the loop is not a formality. On a
     * virtual thread a blocking SocketChannel is non-blocking underneath: write() puts into the
     * socket what fits, parks the thread only while nothing fits, and returns as soon as it has
     * written anything -- possibly part of the buffer. Measured on JDK 25 with a client that was
     * not reading yet: one blocking write of 8,388,608 bytes returned 4,157,547 (3,919,872 in
     * another run); on a platform thread the same call returned only when all 8,388,608 were
     * written. Without this loop the rest of the echo would be dropped without an error.
     */
    private static void sendAll(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
    // end::send-all[]

    private static void exitWithUsage(String problem) {
        System.err.println("usage: " + USAGE + " (" + problem + ")");
        System.exit(2);
    }
}
