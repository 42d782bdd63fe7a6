package tutorial.step05;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory is finite: each connection's bounds are small, but thousands of connections, or one
 * client asking for many files, add up. The memory budget bounds them all together, and a new
 * client is still served.
 */
class MemoryBudgetTest {

    private static final long BUDGET = 512 * 1024;

    @TempDir
    Path temp;

    @Test
    @DisplayName("clients that pipeline HEAD requests and never read, and clients that send half a head: the"
            + " buffers stay within the budget, a log line says it is spent, and a new client is served")
    void buffersStayWithinTheBudget() throws Exception {
        Descriptors.assumeFree(300);
        Path root = TestSite.create(temp);
        try (RunningServer running = new RunningServer(root, Limits.forThisProcess().withMemoryBudget(BUDGET))) {
            int port = running.server().port();

            String pipelining = Scripts.run("HostileClients.java", "127.0.0.1", port, 40, "pipeline", "--hold", 2);
            String halfHeads = Scripts.run("HostileClients.java", "127.0.0.1", port, 60, "half-headers", 15, "--hold", 1);

            assertThat(pipelining).contains("fresh_client=served");
            assertThat(halfHeads).contains("fresh_client=served");
            running.awaitLog("Buffers hold \\d+ KiB, the budget");
            // Past the limit, only connections that held nothing are read, a small read each, and
            // each answers what it read: that, and the turn that spent the budget, is the most by
            // which it can be overdrawn.
            long eachAfterTheLimit = HttpServer.READ_WHEN_SPENT + HttpServer.MAX_ANSWERED_PER_TURN * 256L;
            assertThat(running.server().stats().peakBufferedBytes())
                    .isLessThanOrEqualTo(BUDGET + 60 * eachAfterTheLimit + HttpServer.BUFFER_SIZE + Connection.MAX_PENDING_OUTPUT);
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
            for (int i = 0; i < 1000; i++) {
                client.send("GET /f" + i + ".bin HTTP/1.1\r\nHost: x\r\n\r\n");
                try {
                    assertThat(client.readResponse().body()).as("file %d", i).hasSize(content.length);
                } catch (IOException e) {
                    throw new AssertionError("file " + i + ": " + e + "; the server said: " + server.errors(), e);
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
