package tutorial.step04;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/** An {@link EchoServer} on port 0, its loop running on a thread of its own, its log kept for the test. */
final class RunningServer implements AutoCloseable {

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final Log log = Log.to(new PrintStream(logBytes, true, StandardCharsets.US_ASCII));
    private final EchoServer server;
    private final Thread loop;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    RunningServer() throws IOException {
        this(Limits.forThisProcess());
    }

    RunningServer(Limits limits) throws IOException {
        server = new EchoServer("127.0.0.1", 0, limits, log);
        loop = new Thread(this::serve, "echo-server-loop");
        loop.start();
    }

    private void serve() {
        try {
            server.serve();
        } catch (Throwable e) {
            failure.set(e);
        }
    }

    EchoServer server() {
        return server;
    }

    /** A blocking connection to the server, as a blocking client opens it. */
    SocketChannel connect() throws IOException {
        return SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
    }

    /**
     * What the server logged so far. The log's own thread writes it, a moment after the loop
     * wrote the line: wait for a line with {@code await()}, do not expect it at once.
     * (ByteArrayOutputStream is synchronized, so reading it from the test's thread is safe.)
     */
    String log() {
        return logBytes.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        server.close();
        try {
            loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.close();
        assertThat(loop.isAlive()).as("serve() returned after close()").isFalse();
        assertThat(failure.get()).as("serve() ended without an exception").isNull();
    }
}
