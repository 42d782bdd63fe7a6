package tutorial.step06;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * An {@link HttpServer} on port 0 with the test certificate, its loop running on a thread of its
 * own, its log kept for the test.
 */
final class RunningServer implements AutoCloseable {

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final Log log = Log.to(new PrintStream(logBytes, true, StandardCharsets.US_ASCII));
    private final HttpServer server;
    private final Thread loop;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    RunningServer(Path root) throws IOException {
        this(root, Limits.forThisProcess());
    }

    RunningServer(Path root, Duration idleTimeout) throws IOException {
        this(root, Limits.forThisProcess().withIdleTimeout(idleTimeout));
    }

    RunningServer(Path root, Limits limits) throws IOException {
        this(root, Duration.ofSeconds(1), limits);
    }

    /** With {@code recheckFilesAfter}: how long a file found on disk is served from memory before it is looked up again. */
    RunningServer(Path root, Duration recheckFilesAfter, Limits limits) throws IOException {
        this(root, recheckFilesAfter, limits, TestCertificate.localhost().serverContext());
    }

    /** With a certificate of the test's choosing, in {@code tls}. */
    RunningServer(Path root, SSLContext tls) throws IOException {
        this(root, Duration.ofSeconds(1), Limits.forThisProcess(), tls);
    }

    /** With a certificate of the test's choosing, in {@code tls}, and {@code limits}. */
    RunningServer(Path root, Duration recheckFilesAfter, Limits limits, SSLContext tls) throws IOException {
        server = new HttpServer("127.0.0.1", 0, root, recheckFilesAfter, limits, tls, log);
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

    /**
     * What the server logged so far. The log's own thread writes it, a moment after the loop
     * wrote the line: wait for a line with {@link #awaitLog}, do not expect it at once.
     * (ByteArrayOutputStream is synchronized, so reading it from the test's thread is safe.)
     */
    String log() {
        return logBytes.toString(StandardCharsets.US_ASCII);
    }

    /** Waits until the log has a line that contains {@code pattern} (a regular expression), and returns the log. */
    String awaitLog(String pattern) {
        Pattern wanted = Pattern.compile(pattern);
        await().atMost(Duration.ofSeconds(10)).until(() -> wanted.matcher(log()).find());
        return log();
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
        log.close();
        assertThat(loop.isAlive()).as("serve() returned after close()").isFalse();
        assertThat(failure.get()).as("serve() ended without an exception").isNull();
    }
}
