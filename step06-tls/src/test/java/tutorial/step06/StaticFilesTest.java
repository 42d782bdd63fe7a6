package tutorial.step06;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The document root on its own: which target names which file, and which targets are refused. */
class StaticFilesTest {

    @TempDir
    static Path temp;
    private static Path root;
    private static StaticFiles files;

    @BeforeAll
    static void createSite() throws IOException {
        root = TestSite.create(temp);
        // Duration.ZERO: every find looks at the disk, so that a test sees a change at once
        files = new StaticFiles(root, Duration.ZERO);
    }

    @Test
    void servesIndexHtmlForTheRootAndForDirectories() throws HttpError {
        assertThat(files.find("/").path().getFileName()).hasToString("index.html");
        assertThat(files.find("/docs/").path()).hasToString(realRoot().resolve("docs/index.html").toString());
        assertThat(files.find("/docs").path()).hasToString(realRoot().resolve("docs/index.html").toString());
    }

    @Test
    void ignoresTheQueryAndDecodesPercentEscapesOnce() throws HttpError {
        assertThat(files.find("/index.html?v=2&x=%2e%2e").path().getFileName()).hasToString("index.html");
        assertThat(files.find("/hello%20world.txt").path().getFileName()).hasToString("hello world.txt");
        assertThat(files.find("/%25.txt").path().getFileName()).hasToString("%.txt");
    }

    @Test
    void givesContentTypeFromTheExtensionWithUtf8ForText() throws HttpError {
        assertThat(files.find("/index.html").contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(files.find("/style.css").contentType()).isEqualTo("text/css; charset=utf-8");
        assertThat(files.find("/app.js").contentType()).isEqualTo("text/javascript; charset=utf-8");
        assertThat(files.find("/hello%20world.txt").contentType()).isEqualTo("text/plain; charset=utf-8");
        assertThat(files.find("/notes.md").contentType()).isEqualTo("text/markdown; charset=utf-8");
        assertThat(files.find("/data.json").contentType()).isEqualTo("application/json");
        assertThat(files.find("/image.png").contentType()).isEqualTo("image/png");
        assertThat(files.find("/photo.JPG").contentType()).isEqualTo("image/jpeg");
        assertThat(files.find("/photo.jpeg").contentType()).isEqualTo("image/jpeg");
        assertThat(files.find("/logo.svg").contentType()).isEqualTo("image/svg+xml");
        assertThat(files.find("/blob.bin").contentType()).isEqualTo("application/octet-stream");
    }

    @Test
    void keepsSmallFilesInMemoryAndStreamsLargeOnes() throws HttpError {
        StaticFiles.StaticFile small = files.find("/image.png");
        StaticFiles.StaticFile large = files.find("/large.bin");

        assertThat(small.bytes()).hasSize((int) small.size());
        assertThat(large.bytes()).isNull();
        assertThat(large.size()).isEqualTo(TestSite.LARGE_FILE_SIZE);
    }

    @Test
    void rereadsACachedFileThatChanged() throws IOException, HttpError {
        assertThat(contentAfterChange(files, "changing.txt")).isEqualTo("after!");
    }

    @Test
    void answersARecentLookUpFromMemoryWithoutAskingTheDisk() throws IOException, HttpError {
        StaticFiles remembering = new StaticFiles(root, Duration.ofHours(1));
        assertThat(contentAfterChange(remembering, "kept.txt")).isEqualTo("before");
    }

    @Test
    void answersARecentLookUpFromMemoryAndNoticesAChangeAfterTheRecheckTime() throws IOException, HttpError {
        StaticFiles remembering = new StaticFiles(root, Duration.ofSeconds(1));
        contentAfterChange(remembering, "remembered.txt");

        // Within the recheck time plus a margin, the disk is asked again and the change is seen.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> new String(remembering.find("/remembered.txt").bytes(), UTF_8).equals("after!"));
    }

    /**
     * Writes "before" to a new file and finds it (which remembers and caches it), then changes the
     * file to "after!" with a newer modification time, and returns what a second find serves.
     */
    private static String contentAfterChange(StaticFiles files, String name) throws IOException, HttpError {
        Path page = Files.writeString(root.resolve(name), "before");
        assertThat(files.find("/" + name).bytes()).asString().isEqualTo("before");

        Files.writeString(page, "after!");
        Files.setLastModifiedTime(page, FileTime.from(Instant.now().plusSeconds(60)));

        return new String(files.find("/" + name).bytes(), UTF_8);
    }

    @Test
    void missingFilesAndFoldersWithoutIndexAre404() {
        assertNotFound("/missing.html");
        assertNotFound("/empty/");
        assertNotFound("/index.html/x");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/../secret.txt",
        "/docs/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/.%2e/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "/index.html%00.txt",
        "/%00",
        "/%zz",
        "/%e9",
        "http://localhost/secret.txt",
        "secret.txt",
        "*",
    })
    void refusesTargetsThatTryToLeaveTheRoot(String target) {
        assertThatThrownBy(() -> files.find(target))
                .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status).isEqualTo(Status.BAD_REQUEST));
    }

    @Test
    void followsASymbolicLinkThatStaysInsideTheRoot() throws HttpError {
        assertThat(files.find("/link-in/index.html").bytes()).asString().isEqualTo("<p>Docs index</p>\n");
        assertThat(files.find("/link-in/").bytes()).asString().isEqualTo("<p>Docs index</p>\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/%252e%252e/secret.txt", "/%252e%252e%252fsecret.txt", "//secret.txt",
        "/link-out/secret.txt", "/secret-link.txt"})
    void doesNotFindFilesOutsideTheRootByAnyOtherWay(String target) {
        // Decoded once, %252e is the file name "%2e", which does not exist; "//" is an empty
        // segment; a symbolic link to a folder outside has a real path outside the root.
        assertNotFound(target);
    }

    private void assertNotFound(String target) {
        assertThatThrownBy(() -> files.find(target))
                .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status).isEqualTo(Status.NOT_FOUND));
    }

    private Path realRoot() {
        return files.root();
    }
}
