import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Step 02's echo server, one thread per connection from a fixed pool of platform threads: a
 * variant measured beside the steps by bench/run, not a step of the tutorial.
 *
 * <p>The main thread only accepts. Each accepted connection is handed to a pool of THREADS
 * threads, and the thread that takes it serves it exactly as step 02 serves its one client
 * (blocking read, {@link #sendAll}) until the client closes. So THREADS clients are served at
 * once; the next one is accepted (the kernel's handshake and our accept() both succeed) but waits
 * in the pool's queue, unserved, until a served client leaves. An idle connection holds its
 * thread as firmly as a busy one: bench/run's "connections held" row shows a new client that
 * is never served once THREADS idle clients are connected.
 *
 * <p>Usage: {@code java -cp bench/target/variants PooledEchoServer [host] [port] [threads]},
 * defaults 127.0.0.1 5000 1024.
 */
public final class PooledEchoServer {

    private static final String USAGE = "PooledEchoServer [host] [port] [threads]";
    // Step 02's buffer: the variants change how connections get a thread, nothing else.
    private static final int BUFFER_SIZE = 1024;
    // bench/run's largest load is 1,000 concurrent connections (the echo row and the check of
    // step 04's behaviour): every one of them must get a thread of its own, else the 1,001st
    // waits for one of the first 1,000 to close.
    private static final int DEFAULT_THREADS = 1024;
    // The kernel's queue of connections not yet accepted, as in step 04: the JDK asks for 50,
    // and a burst of 1,000 connects overflows that even with a thread that does nothing but accept.
    private static final int BACKLOG = 1024;

    public static void main(String[] args) throws IOException {
        if (args.length > 3) {
            exitWithUsage("too many arguments");
        }
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? number(args[1], 0, 65535, "not a port number: " + args[1]) : 5000;
        int threads = args.length > 2 ? number(args[2], 1, 100_000, "not a number of threads: " + args[2]) : DEFAULT_THREADS;
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
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        while (true) {
            SocketChannel accepted = listener.accept();
            // Queued if every thread is busy: an unbounded queue, so this thread never blocks here,
            // but a queued client is connected and unserved, its bytes waiting in the kernel.
            pool.execute(() -> serveOneClient(accepted));
        }
        // end::accept-loop[]
    }

    // Step 02's serveOneClient and echo loop, run by a pool thread.
    private static void serveOneClient(SocketChannel accepted) {
        SocketAddress peer = null;
        try (SocketChannel channel = accepted) {
            peer = channel.getRemoteAddress();
            System.out.println("Got connection from " + peer);
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
            while (channel.read(buffer.clear()) != -1) { // blocks this thread, and only this one
                sendAll(channel, buffer.flip());
            }
            System.out.println("Connection from " + peer + " closed");
        } catch (IOException e) {
            System.out.println("Connection from " + peer + " lost: " + e.getMessage());
        }
    }

    // tag::send-all[]
    /**
     * Writes until nothing remains, as step 02 does. On a platform thread a blocking write takes
     * the whole buffer (the kernel blocks us until it fits), so this loop goes round once here;
     * it is kept because the same code on a virtual thread would lose bytes without it (see
     * VirtualThreadEchoServer: there a blocking write can return after part of the buffer).
     */
    private static void sendAll(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
    // end::send-all[]

    private static int number(String value, int least, int most, String problem) {
        if (!value.matches("\\d{1,9}") || Integer.parseInt(value) < least || Integer.parseInt(value) > most) {
            exitWithUsage(problem);
        }
        return Integer.parseInt(value);
    }

    private static void exitWithUsage(String problem) {
        System.err.println("usage: " + USAGE + " (" + problem + ")");
        System.exit(2);
    }
}
