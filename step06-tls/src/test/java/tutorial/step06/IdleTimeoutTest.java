package tutorial.step06;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients that go quiet are closed by the loop itself, on its one thread, while others are served. */
class IdleTimeoutTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);

    @TempDir
    static Path temp;
    private static Path root;
    private RunningServer running;

    @BeforeAll
    static void createSite() throws IOException {
        root = TestSite.create(temp);
    }

    @BeforeEach
    void start() throws IOException {
        running = new RunningServer(root, IDLE_TIMEOUT);
    }

    @AfterEach
    void stop() {
        running.close();
    }

    @Test
    void aSilentClientIsClosedWhileAnotherIsServed() throws Exception {
        try (RawClient silent = running.connect(); RawClient busy = running.connect()) {
            CompletableFuture<Boolean> silentClosed = CompletableFuture.supplyAsync(() -> closedByServer(silent));
            AtomicInteger served = new AtomicInteger();

            // Not at once: for a good part of the timeout the silent client stays connected.
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !silentClosed.isDone());
            // Until it is closed, the other client keeps making requests, and each is answered.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                busy.send("GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(busy.readResponse().status()).isEqualTo(200);
                served.incrementAndGet();
                return silentClosed.isDone();
            });

            assertThat(silentClosed.get()).as("a clean close (end of stream)").isTrue();
            assertThat(served.get()).isGreaterThan(1);
            busy.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(busy.readResponse().status()).as("the busy client is still served").isEqualTo(200);
        }
        running.awaitLog("Connection from /127.0.0.1:\\d+ timed out");
    }

    @Test
    void aKeepAliveConnectionIsClosedOnceItHasBeenIdleTooLong() throws IOException {
        try (RawClient client = running.connect()) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(20)).until(() -> running.server().openConnections() == 0);

            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void aClientStalledHalfwayThroughARequestGets408ThenAClose() throws IOException {
        try (RawClient client = running.connect()) {
            client.send("GET /index.html HTTP/1.1\r\nHost: x\r\n"); // no blank line: never complete

            RawClient.RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(408);
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(client.closedByServer()).isTrue();
        }
        running.awaitLog("\"GET /index.html HTTP/1.1\" 408 \\d+");
    }

    @Test
    @DisplayName("a head sent a byte every 200 ms is never idle for 2 s, and still gets 408 and a close once it has"
            + " taken 1 s (with only an idle timeout, it kept its connection for as long as it liked)")
    void aTrickledHeadGets408AtItsDeadlineThoughItIsNeverIdle() throws Exception {
        running.close();
        running = new RunningServer(root, Limits.forThisProcess()
                .withIdleTimeout(Duration.ofSeconds(2)).withHeadTimeout(Duration.ofSeconds(1)));
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try (RawClient client = running.connect()) {
            client.send("GET /index.html HTTP/1.1\r\nHost: x\r\nX-Trickle: ");
            AtomicInteger sent = new AtomicInteger();
            trickle.scheduleAtFixedRate(() -> {
                try {
                    client.send("a");
                    sent.incrementAndGet();
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // the server closed: the trickle stops
                }
            }, 200, 200, TimeUnit.MILLISECONDS);

            RawClient.RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(408);
            assertThat(response.bodyText()).isEqualTo("408 Request Timeout: the request head did not arrive whole within 1 s\n");
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(sent.get()).as("bytes trickled before the 408").isPositive();
            trickle.shutdownNow(); // stop sending, or our own bytes would keep the lingering close going
            assertThat(client.closedByServer()).isTrue();
        } finally {
            trickle.shutdownNow();
        }
        running.awaitLog("\"GET /index.html HTTP/1.1\" 408 \\d+");
    }

    private static boolean closedByServer(RawClient client) {
        try {
            return client.closedByServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
