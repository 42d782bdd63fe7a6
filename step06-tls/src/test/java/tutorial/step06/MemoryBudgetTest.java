package tutorial.step06;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory is finite: each connection's bounds are small, but many connections, or one client
 * asking for many files, add up. The memory budget bounds them all together, the TLS buffers of
 * every connection counted, and a new client is still served. Step 05's hostile clients speak
 * plain HTTP: here the same attacks are made over TLS by the test itself.
 */
class MemoryBudgetTest {

    private static final long BUDGET = 512 * 1024;
    private static final String HEAD = "HEAD /style.css HTTP/1.1\r\nHost: x\r\n\r\n";

    @TempDir
    Path temp;
    private final List<RawClient> clients = new ArrayList<>();

    @AfterEach
    void closeClients() throws IOException {
        for (RawClient client : clients) {
            client.close(); // a writer still blocked in its write gets an exception, and ends
        }
    }

    @Test
    @DisplayName("clients that pipeline HEAD requests and never read, and clients that send half a head: the"
            + " buffers stay within the budget (each connection's TLS buffers counted in it), a log line says it"
            + " is spent, and a new client is served")
    void buffersStayWithinTheBudget() throws Exception {
        Descriptors.assumeFree(300);
        Path root = TestSite.create(temp);
        int pipelining = 20;
        int halfHeads = 30;
        int connections = pipelining + halfHeads + 1;
        // The TLS buffers of every connection, held whatever the budget says (the maximum number of
        // connections bounds those), and 512 KiB for what the clients make the server hold.
        long tlsBuffers = connections * 2L * TestCertificate.packetBufferSize();
        long budget = tlsBuffers + BUDGET;
        try (RunningServer running = new RunningServer(root, Limits.forThisProcess().withMemoryBudget(budget))) {
            for (int i = 0; i < pipelining; i++) {
                RawClient client = running.connect();
                clients.add(client);
                // HEAD after HEAD, as fast as the server takes them, never reading an answer: on a
                // thread of its own, as the write blocks once the server stops reading.
                Thread writer = new Thread(() -> {
                    try {
                        while (true) {
                            client.send(HEAD.repeat(400));
                        }
                    } catch (IOException e) {
                        // closed by the test
                    }
                }, "pipelining-client-" + i);
                writer.setDaemon(true);
                writer.start();
            }
            for (int i = 0; i < halfHeads; i++) {
                RawClient client = running.connect();
                clients.add(client);
                client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Filler: " + "h".repeat(15 * 1024) + "\r\n"); // no blank line
            }
            running.awaitLog("Buffers hold \\d+ (KiB|MiB), the budget");

            // Past the limit, only connections that hold nothing more than their TLS buffers are
            // read, a record each, and each answers what it read: that, and the turn that spent
            // the budget, is the most by which it can be overdrawn.
            long eachAfterTheLimit = TestCertificate.applicationBufferSize() + HttpServer.MAX_ANSWERED_PER_TURN * 256L;
            long bound = budget + connections * eachAfterTheLimit + HttpServer.BUFFER_SIZE + Connection.MAX_PENDING_OUTPUT;
            try (RawClient fresh = running.connect()) {
                fresh.send("GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(fresh.readResponse().bodyText()).isEqualTo("p { color: red }\n");
            }
            assertThat(running.server().stats().peakBufferedBytes()).isLessThanOrEqualTo(bound);
        }
    }

    @Test
    @DisplayName("-Xmx64m, one client fetching 1,000 different 64 KiB files: the cache stays within its share of"
            + " the budget, the server stays alive and serves a new client (the cache used to take 64 MiB and the"
            + " server died of OutOfMemoryError)")
    void smallHeapOutlivesAClientThatAsksForEveryFile() throws Exception {
        Path site = Files.createDirectories(temp.resolve("many-files"));
        byte[] content = new byte[StaticFiles.MAX_CACHED_FILE];
        for (int i = 0; i < 1000; i++) {
            Files.write(site.resolve("f" + i + ".bin"), content);
        }
        Files.writeString(site.resolve("index.html"), "<p>index</p>\n");
        try (ChildServer server = ChildServer.start(List.of("-Xmx64m"), "--root", site.toString(), "--quiet");
             RawClient client = new RawClient(server.port())) {
            // Ten requests at a time: over TLS a round trip costs more than in step 05, and the
            // server holds the same: the files it caches, and a response or two waiting.
            for (int i = 0; i < 1000; i += 10) {
                StringBuilder requests = new StringBuilder();
                for (int j = i; j < i + 10; j++) {
                    requests.append("GET /f").append(j).append(".bin HTTP/1.1\r\nHost: x\r\n\r\n");
                }
                client.send(requests.toString());
                for (int j = i; j < i + 10; j++) {
                    try {
                        assertThat(client.readResponse().body()).as("file %d", j).hasSize(content.length);
                    } catch (IOException e) {
                        throw new AssertionError("file " + j + ": " + e + "; the server said: " + server.errors(), e);
                    }
                }
            }
            try (RawClient fresh = new RawClient(server.port())) {
                fresh.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(fresh.readResponse().bodyText()).isEqualTo("<p>index</p>\n");
            }
            assertThat(server.isAlive()).isTrue();
            assertThat(server.output()).contains("Limits: ", "16 MiB of buffers");
            assertThat(server.errors()).doesNotContain("OutOfMemoryError");
        }
    }
}
