package tutorial.step02;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** An {@link EchoServer} on a free port, serving on a thread of its own, with its log kept for the test. */
final class RunningServer implements AutoCloseable {

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final EchoServer server;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private RunningServer() throws IOException {
        server = new EchoServer("127.0.0.1", 0, new PrintStream(output, true, StandardCharsets.UTF_8));
        thread = new Thread(this::serve, "echo-server");
        thread.start();
    }

    static RunningServer start() throws IOException {
        return new RunningServer();
    }

    int port() {
        return server.port();
    }

    String log() {
        return output.toString(StandardCharsets.UTF_8);
    }

    List<String> logLines() {
        return log().lines().toList();
    }

    private void serve() {
        try {
            server.serve();
        } catch (Throwable e) {
            failure.set(e);
        }
    }

    /** Closes the server and checks that serve() came back promptly and quietly. */
    @Override
    public void close() throws IOException {
        server.close();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for serve() to return", e);
        }
        assertThat(thread.isAlive()).as("serve() still running 10 s after close()").isFalse();
        assertThat(failure.get()).as("serve() ended with an exception").isNull();
    }
}
