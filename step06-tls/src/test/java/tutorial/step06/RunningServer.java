package tutorial.step06;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;

/**
 * An {@link HttpServer} on port 0 with the test certificate, its loop running on a thread of its
 * own, its log kept for the test.
 */
final class RunningServer implements AutoCloseable {

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final HttpServer server;
    private final Thread loop;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    RunningServer(Path root) throws IOException {
        this(root, Arguments.DEFAULT_IDLE_TIMEOUT);
    }

    RunningServer(Path root, Duration idleTimeout) throws IOException {
        this(root, idleTimeout, TestCertificate.localhost().serverContext());
    }

    RunningServer(Path root, Duration idleTimeout, SSLContext tls) throws IOException {
        server = new HttpServer("127.0.0.1", 0, root, idleTimeout, tls,
                new PrintStream(logBytes, true, StandardCharsets.US_ASCII));
        loop = new Thread(this::serve, "http-server-loop");
        loop.start();
    }

    /** The site shipped in src/main/resources/site, as the server finds it when run with no --root. */
    static Path builtInSite() {
        try {
            return Path.of(RunningServer.class.getResource("/site/index.html").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private void serve() {
        try {
            server.serve();
        } catch (Throwable e) {
            failure.set(e);
        }
    }

    HttpServer server() {
        return server;
    }

    URI uri(String path) {
        return URI.create("https://127.0.0.1:" + server.port() + path);
    }

    /** A raw connection (TLS, the handshake done): the test writes the request bytes itself. */
    RawClient connect() throws IOException {
        return new RawClient(server.port());
    }

    /** What the server printed so far (ByteArrayOutputStream is synchronized, so this is safe). */
    String log() {
        return logBytes.toString(StandardCharsets.US_ASCII);
    }

    long logLines(String start) {
        return log().lines().filter(line -> line.startsWith(start)).count();
    }

    @Override
    public void close() {
        server.close();
        try {
            loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(loop.isAlive()).as("serve() returned after close()").isFalse();
        assertThat(failure.get()).as("serve() ended without an exception").isNull();
    }
}
