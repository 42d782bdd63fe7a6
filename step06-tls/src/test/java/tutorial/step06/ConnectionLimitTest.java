package tutorial.step06;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Descriptors are finite: the server stops accepting before they run out, and survives when they do. */
class ConnectionLimitTest {

    private static final Pattern OPEN_WHEN_PAUSED =
            Pattern.compile("Cannot accept connections \\(Too many open files\\), (\\d+) open");
    private static final Pattern MAXIMUM = Pattern.compile("(\\d+) connections open, the maximum");
    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    @TempDir
    static Path temp;
    private static Path root;
    private final List<RawClient> clients = new ArrayList<>();
    // A TLS client cannot send its request before it is accepted: its handshake waits for the
    // server's answer. So each client that may wait talks on a thread of its own.
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeAll
    static void createSite() throws IOException {
        root = TestSite.create(temp);
    }

    @AfterEach
    void closeClients() throws IOException {
        for (RawClient client : clients) {
            client.close();
        }
        threads.shutdownNow();
    }

    @Test
    @DisplayName("--max-connections: at the maximum, new clients wait in the backlog, one log line says so,"
            + " and each is served as soon as a connection closes")
    void atTheMaximumNewClientsWaitUntilOneCloses() throws Exception {
        try (RunningServer running = new RunningServer(root, Limits.forThisProcess().withMaxConnections(3))) {
            for (int i = 0; i < 5; i++) {
                clients.add(RawClient.connectOnly(running.server().port())); // the handshake waits for the accept
            }
            for (int i = 0; i < 3; i++) {
                assertThat(get(clients.get(i)).status()).isEqualTo(200);
                clients.get(i).send("GET /index.html HTTP/1.1\r\n"); // busy: in the middle of a request
            }
            // Their hello waits in the backlog with the connection; the handshake, then the
            // request, go on once the server accepts them.
            CompletableFuture<RawClient.RawResponse> style = request(clients.get(3), "GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n");
            CompletableFuture<RawClient.RawResponse> app = request(clients.get(4), "GET /app.js HTTP/1.1\r\nHost: x\r\n\r\n");
            await().during(1, SECONDS).atMost(5, SECONDS).until(() -> running.server().openConnections() == 3);
            running.awaitLog("3 connections open, the maximum: new ones wait until one closes");

            clients.get(0).close(); // one closes: the first of those waiting is accepted, and answered
            assertThat(style.get(20, SECONDS).bodyText()).isEqualTo("p { color: red }\n");
            clients.get(1).close();
            assertThat(app.get(20, SECONDS).bodyText()).isEqualTo("console.log('hi')\n");

            clients.get(2).close(); // nobody waits any more
            running.awaitLog("Accepting connections again, 2 open");
            assertThat(count(running.log(), "the maximum")).as("lines about the maximum").isEqualTo(1);
        }
    }

    @Test
    @DisplayName("at the maximum, keep-alive connections with nothing in flight make room for a new client, within"
            + " seconds (they used to keep it waiting for their idle timeout, a minute here)")
    void atTheMaximumIdleKeepAliveConnectionsMakeRoom() throws Exception {
        Limits limits = Limits.forThisProcess().withMaxConnections(3).withIdleTimeout(Duration.ofSeconds(60));
        try (RunningServer running = new RunningServer(root, limits)) {
            for (int i = 0; i < 3; i++) {
                clients.add(running.connect());
                assertThat(get(clients.get(i)).status()).isEqualTo(200);
            }
            try (RawClient newcomer = running.connect()) {
                assertThat(get(newcomer).status()).isEqualTo(200);
            }
            assertThat(running.awaitLog("1 of [123] idle keep-alive connections closed to make room")).contains(
                    "3 connections open, the maximum");
            assertThat(clients.get(0).closedByServer()).as("the first client, the longest quiet, was closed to make room")
                    .isTrue();
        }
    }

    @Test
    @DisplayName("at the maximum, a look closes only a few idle keep-alive connections to make room, the longest quiet"
            + " first (an eighth, at least 1 and at most 32, as nginx does: 5 of 40), not all of them (it used to"
            + " close 9,612 of 10,000 to admit 19)")
    void atTheMaximumOnlyAFewIdleConnectionsMakeRoom() throws Exception {
        Limits limits = Limits.forThisProcess().withMaxConnections(40).withIdleTimeout(Duration.ofSeconds(60));
        try (RunningServer running = new RunningServer(root, limits)) {
            for (int i = 0; i < 40; i++) {
                clients.add(running.connect());
                assertThat(get(clients.get(i)).status()).isEqualTo(200); // one after the other: 0 is the longest quiet
            }
            RawClient newcomer = RawClient.connectOnly(running.server().port());
            clients.add(newcomer);
            assertThat(request(newcomer, GET).get(20, SECONDS).status()).as("the client that waited").isEqualTo(200);

            // Below the maximum once the newcomer is in: nothing more is closed. (If a look came
            // when only a few had been quiet for a whole look, it closed 1, the newcomer filled the
            // server again, and the next look closed 4: 5 in all, still.)
            await("36 or more open: at most 5 of the 40 closed").during(3, SECONDS).atMost(10, SECONDS)
                    .until(() -> running.server().openConnections() >= 36);
            int closed = 41 - running.server().openConnections();
            assertThat(closed).as("closed to make room").isBetween(1, 5);
            for (int i = 0; i < closed; i++) {
                assertThat(clients.get(i).closedByServer()).as("client %d, among the longest quiet", i).isTrue();
            }
            for (int i = closed; i < 40; i++) {
                assertThat(get(clients.get(i)).status()).as("client %d, still connected", i).isEqualTo(200);
            }
            assertThat(running.log()).contains("idle keep-alive connections closed to make room: 40 open");
        }
    }

    @Test
    @DisplayName("at the maximum, a connection in its TLS handshake is not closed to make room, an idle keep-alive"
            + " one is: a burst of handshakes keeps the loop busy for seconds, and a client waiting for its turn"
            + " would look idle")
    void atTheMaximumAConnectionInItsHandshakeIsNotClosedToMakeRoom() throws Exception {
        Limits limits = Limits.forThisProcess().withMaxConnections(2).withIdleTimeout(Duration.ofSeconds(60))
                .withHeadTimeout(Duration.ofSeconds(10)); // a look for idle connections every second
        try (RunningServer running = new RunningServer(root, limits);
             Socket inHandshake = new Socket()) {
            inHandshake.connect(new InetSocketAddress("127.0.0.1", running.server().port()), 20_000);
            // The first bytes of a hello (a handshake record that announces 512 bytes): the server
            // waits for the rest.
            inHandshake.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00});
            RawClient idle = running.connect();
            clients.add(idle);
            assertThat(get(idle).status()).isEqualTo(200);
            RawClient newcomer = RawClient.connectOnly(running.server().port());
            clients.add(newcomer);

            assertThat(request(newcomer, GET).get(20, SECONDS).status()).isEqualTo(200);

            String log = running.awaitLog("closed to make room");
            assertThat(log).as("the connection in its handshake is no candidate")
                    .contains("1 of 1 idle keep-alive connections closed to make room");
            assertThat(count(log, "closed to make room")).as("one batch").isEqualTo(1);
            assertThat(idle.closedByServer()).as("the idle keep-alive connection was closed to make room").isTrue();
            assertThat(running.server().openConnections()).as("the one in its handshake and the newcomer").isEqualTo(2);
        }
    }

    @Test
    @DisplayName("out of descriptors (ulimit -n 64, 80 clients): accept fails, one log line says so, every open"
            + " connection is still answered, and the loop does not spin; those waiting are served once others"
            + " close (step 05 used to die of 'Too many open files')")
    void outOfDescriptorsTheServerServesWhoItHas() throws Exception {
        Descriptors.assumeFree(150);
        // A maximum the descriptors cannot reach: accept() itself fails with "Too many open files".
        try (ChildServer server = ChildServer.startWithDescriptorLimit(64, "--max-connections", "1000")) {
            // Each sends its request at once (its hello, then the request once it is accepted):
            // the kernel completes every connect and takes the bytes, accepted or not. (A client
            // that kept quiet could be closed after a second while accepting is paused, to make
            // room, before a slow test got round to it.)
            List<CompletableFuture<RawClient.RawResponse>> responses = new ArrayList<>();
            for (int i = 0; i < 80; i++) { // step 05's 100, less 20 handshakes; still more than 64 descriptors
                clients.add(RawClient.connectOnly(server.port()));
                responses.add(request(clients.get(i), GET));
            }
            await().atMost(20, SECONDS).until(() -> OPEN_WHEN_PAUSED.matcher(server.output()).find());
            int accepted = firstNumber(OPEN_WHEN_PAUSED, server.output());
            assertThat(accepted).isBetween(10, 63);

            // The backlog is first in, first out: the first `accepted` clients are the open
            // connections. Each gets an answer: the page, or, when the server must look at the
            // disk and has no descriptor left to do it with, a 503 that says why. (The classes
            // that answer were loaded before the loop ran: no class file could be opened now.)
            for (int i = 0; i < accepted; i++) {
                RawClient.RawResponse response = answerOf(responses, i, server);
                assertThat(response.status()).as("client %d", i).isIn(200, 503);
                if (response.status() == 503) {
                    assertThat(response.bodyText()).contains("now (Too many open files)");
                }
            }
            // The connection that could not be accepted stays in the backlog, and the listening
            // socket stays ready: without the pause, the loop would go round at full speed.
            Duration before = server.cpuTime();
            await().during(3, SECONDS).atMost(6, SECONDS)
                    .until(() -> server.cpuTime().minus(before).toMillis() < 750);

            // One by one, each waiting client is accepted, served, and leaves.
            for (int i = 0; i < clients.size(); i++) {
                clients.get(i).close();
                if (i + accepted < clients.size()) {
                    assertThat(answerOf(responses, i + accepted, server).status()).as("client %d", i + accepted).isIn(200, 503);
                }
            }
            try (RawClient fresh = RawClient.connectOnly(server.port())) {
                assertThat(get(fresh).status()).as("with descriptors to spare again").isEqualTo(200);
            }
            // The line comes once the backlog is empty, which with only a few closed to make room
            // a look may be at the very end; the log's thread writes it a moment later.
            await().atMost(10, SECONDS).until(() -> server.output().contains("Accepting connections again"));
            assertThat(server.isAlive()).isTrue();
            assertThat(server.errors()).isEmpty();
        }
    }

    @Test
    @DisplayName("default maximum (ulimit -n 64): the server stops accepting before the kernel refuses")
    void defaultMaximumStaysBelowTheDescriptorLimit() throws Exception {
        Descriptors.assumeFree(100);
        try (ChildServer server = ChildServer.startWithDescriptorLimit(128)) {
            List<CompletableFuture<RawClient.RawResponse>> responses = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                clients.add(RawClient.connectOnly(server.port()));
                responses.add(request(clients.get(i), GET)); // at once, as above
            }
            await().atMost(20, SECONDS).until(() -> MAXIMUM.matcher(server.output()).find());
            int maximum = firstNumber(MAXIMUM, server.output());
            assertThat(server.output()).contains("Limits: " + maximum + " connections,");
            assertThat(maximum).isBetween(1, (128 - Limits.RESERVED_DESCRIPTORS) / 2);
            for (int i = 0; i < maximum; i++) {
                assertThat(responses.get(i).get(20, SECONDS).status()).as("client %d", i).isEqualTo(200);
            }
            assertThat(server.output()).doesNotContain("Cannot accept");
        }
    }

    @Test
    @DisplayName("every class of the step that the loop may use is loaded before it runs: out of descriptors, a"
            + " class file cannot be opened, and a class used for the first time would kill the loop")
    void everyClassTheLoopMayUseIsLoadedBeforeItRuns() throws Exception {
        Path classes = Path.of(HttpServer.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(HttpServer.class.getPackageName().replace('.', '/'));
        List<String> all;
        try (var files = Files.list(classes)) {
            all = files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".class"))
                    .map(name -> name.substring(0, name.length() - ".class".length())).sorted().toList();
        }
        // Used before the loop runs or never by it: the command line, the step's client, the server itself.
        List<String> notInTheLoop = List.of("Arguments", "HttpGet", "HttpServer", "Preload", "ServerCertificate");

        assertThat(all).containsAll(Preload.USED_BY_THE_LOOP);
        assertThat(all.stream().filter(name -> !notInTheLoop.contains(name)).toList())
                .containsExactlyInAnyOrderElementsOf(Preload.USED_BY_THE_LOOP);
    }

    /** Sends the request and reads the answer, on a thread of its own: the handshake may wait for the accept. */
    private CompletableFuture<RawClient.RawResponse> request(RawClient client, String request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return client.send(request).readResponse();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, threads);
    }

    private static RawClient.RawResponse get(RawClient client) throws IOException {
        client.send(GET);
        return client.readResponse();
    }

    private static int firstNumber(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        assertThat(matcher.find()).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    private static int count(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }

    /** Client {@code i}'s answer; if there is none, the failure says what the server logged meanwhile. */
    private static RawClient.RawResponse answerOf(List<CompletableFuture<RawClient.RawResponse>> responses, int i,
            ChildServer server) throws Exception {
        try {
            return responses.get(i).get(20, SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("client " + i + " got no answer (" + e.getCause() + "); the server's log:\n"
                    + server.output() + server.errors(), e);
        }
    }
}
