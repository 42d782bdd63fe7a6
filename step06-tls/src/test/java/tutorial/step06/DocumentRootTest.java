package tutorial.step06;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The document root as a hostile neighbour or a careless user leaves it, on real sockets: files
 * swapped after the server found them, a path hundreds of folders deep, the same file asked for
 * under ever new query strings. The server remembers what it found for an hour here, so that every
 * second request surely comes while the first look-up is still remembered.
 */
class DocumentRootTest {

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
        running = new RunningServer(root, Duration.ofHours(1), Limits.forThisProcess());
    }

    @AfterEach
    void stop() {
        running.close();
    }

    @Test
    @DisplayName("a large file found, then swapped for a symbolic link to a file outside the root: 404, never a"
            + " byte of that file (the remembered look-up used to open the link)")
    void aFileSwappedForALinkOutOfTheRootIsNotServed() throws IOException {
        TestSite.assumeSymbolicLinks();
        Path swapped = Files.write(root.resolve("swapped-for-a-link.bin"), new byte[200_000]);
        try (RawClient client = running.connect()) {
            assertThat(get(client, "/swapped-for-a-link.bin").status()).isEqualTo(200);

            Files.delete(swapped);
            Files.createSymbolicLink(swapped, temp.resolve("large-secret.bin"));
            RawClient.RawResponse response = get(client, "/swapped-for-a-link.bin");

            assertThat(response.status()).isEqualTo(404);
            assertThat(response.bodyText()).doesNotContain(TestSite.SECRET);
        }
    }

    @Test
    @DisplayName("a large file found, then swapped for a FIFO: 404 at once, and the one thread serves everyone"
            + " (it used to wait in open() for a writer, and the whole server hung)")
    void aFileSwappedForAFifoGets404AndTheServerGoesOn() throws Exception {
        Path swapped = Files.write(root.resolve("swapped-for-a-fifo.bin"), new byte[200_000]);
        try (RawClient client = running.connect()) {
            assertThat(get(client, "/swapped-for-a-fifo.bin").status()).isEqualTo(200);

            Files.delete(swapped);
            TestSite.makeFifo(swapped);
            RawClient.RawResponse response = get(client, "/swapped-for-a-fifo.bin");

            assertThat(response.status()).isEqualTo(404);
            try (RawClient other = running.connect()) {
                assertThat(get(other, "/style.css").status()).isEqualTo(200);
            }
        } finally {
            TestSite.unblockFifo(swapped); // lets a server stuck in open() go on, so that it can be closed
        }
    }

    @Test
    @DisplayName("a path of more than 32 names gets 414 and the connection stays open; 32 names are served")
    void aPathDeeperThanTheMaximumGets414() throws IOException {
        Path deep = Files.createDirectories(root.resolve("d/".repeat(StaticFiles.MAX_DEPTH)));
        Files.writeString(deep.resolve("index.html"), "deep");
        String thirtyTwo = "/d".repeat(StaticFiles.MAX_DEPTH) + "/";
        try (RawClient client = running.connect()) {
            RawClient.RawResponse tooDeep = get(client, thirtyTwo + "index.html");

            assertThat(tooDeep.status()).isEqualTo(414);
            assertThat(tooDeep.bodyText()).isEqualTo("414 URI Too Long: more than 32 names in the path\n");
            assertThat(get(client, thirtyTwo).bodyText()).as("the same file, 32 names deep").isEqualTo("deep");
        }
    }

    @Test
    @DisplayName("distinct query strings do not bypass the remembered look-up: it is kept by path, not by target")
    void distinctQueryStringsShareOneLookUp() throws IOException {
        Path page = Files.writeString(root.resolve("asked-with-queries.txt"), "before");
        try (RawClient client = running.connect()) {
            assertThat(get(client, "/asked-with-queries.txt?v=1").bodyText()).isEqualTo("before");

            Files.writeString(page, "after!");
            Files.setLastModifiedTime(page, FileTime.from(Instant.now().plusSeconds(60)));

            assertThat(get(client, "/asked-with-queries.txt?v=2").bodyText())
                    .as("answered from memory: no look-up on disk for a new query string").isEqualTo("before");
        }
    }

    private static RawClient.RawResponse get(RawClient client, String target) throws IOException {
        client.send("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
        return client.readResponse();
    }
}
