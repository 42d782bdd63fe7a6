package tutorial.step05;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The document root on its own: which target names which file, and which targets are refused. */
class StaticFilesTest {

    private static final long NO_LIMIT = Long.MAX_VALUE / 2;

    @TempDir
    static Path temp;
    private static Path root;
    private static StaticFiles files;

    @BeforeAll
    static void createSite() throws IOException {
        root = TestSite.create(temp);
        // Duration.ZERO: every find looks at the disk, so that a test sees a change at once
        files = new StaticFiles(root, Duration.ZERO, budget(NO_LIMIT));
    }

    private static MemoryBudget budget(long limit) {
        return new MemoryBudget(limit, Log.quiet(System.out));
    }

    @Test
    @DisplayName("out of descriptors, a file is not missing: 503; a missing file, a folder or a link: 404")
    void outOfDescriptorsIsTheServersShortageNotAMissingFile() {
        // The reason as the JDK gives it when open() fails with EMFILE (seen under ulimit -n 40).
        FileSystemException outOfDescriptors = new FileSystemException("/srv/site/a.html", null, "Too many open files");
        assertThat(StaticFiles.notFoundOrShortOf(outOfDescriptors, "a.html").status).isEqualTo(Status.SERVICE_UNAVAILABLE);
        assertThat(StaticFiles.notFoundOrShortOf(new NoSuchFileException("/srv/site/a.html"), "a.html").status)
                .isEqualTo(Status.NOT_FOUND);
        assertThat(StaticFiles.notFoundOrShortOf(new FileSystemException("/srv/site/link", null,
                "Too many levels of symbolic links or unable to access attributes of symbolic link"), "link").status)
                .isEqualTo(Status.NOT_FOUND);
    }

    @Test
    void servesIndexHtmlForTheRootAndForDirectories() throws HttpError, IOException {
        assertThat(files.find("/").bytes()).isEqualTo(Files.readAllBytes(root.resolve("index.html")));
        assertThat(files.find("/docs/").bytes()).asString().isEqualTo("<p>Docs index</p>\n");
        assertThat(files.find("/docs").bytes()).asString().isEqualTo("<p>Docs index</p>\n");
    }

    @Test
    void ignoresTheQueryAndDecodesPercentEscapesOnce() throws HttpError {
        assertThat(files.find("/index.html?v=2&x=%2e%2e").path()).isEqualTo("index.html");
        assertThat(files.find("/hello%20world.txt").path()).isEqualTo("hello world.txt");
        assertThat(files.find("/%25.txt").path()).isEqualTo("%.txt");
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
        assertThat(files.find("/docs/").contentType()).isEqualTo("text/html; charset=utf-8");
    }

    @Test
    void keepsSmallFilesInMemoryAndStreamsLargeOnes() throws HttpError, IOException {
        StaticFiles.StaticFile small = files.find("/image.png");
        StaticFiles.StaticFile large = files.find("/large.bin");

        assertThat(small.bytes()).hasSize((int) small.size());
        assertThat(large.bytes()).isNull();
        assertThat(large.size()).isEqualTo(TestSite.LARGE_FILE_SIZE);
        Body.File body = files.open(large);
        try (var channel = body.channel()) {
            assertThat(body.length()).isEqualTo(TestSite.LARGE_FILE_SIZE);
        }
    }

    @Test
    void rereadsACachedFileThatChanged() throws IOException, HttpError {
        assertThat(contentAfterChange(files, "/changing.txt", "/changing.txt")).isEqualTo("after!");
    }

    @Test
    void answersARecentLookUpFromMemoryWithoutAskingTheDisk() throws IOException, HttpError {
        StaticFiles remembering = new StaticFiles(root, Duration.ofHours(1), budget(NO_LIMIT));
        assertThat(contentAfterChange(remembering, "/kept.txt", "/kept.txt")).isEqualTo("before");
    }

    @Test
    @DisplayName("distinct query strings name the same file: one look-up, remembered by path (each used to cost a walk)")
    void queryStringsDoNotBypassTheRememberedLookUp() throws IOException, HttpError {
        StaticFiles remembering = new StaticFiles(root, Duration.ofHours(1), budget(NO_LIMIT));
        assertThat(contentAfterChange(remembering, "/query.txt?v=1", "/query.txt?v=2")).isEqualTo("before");
    }

    @Test
    void answersARecentLookUpFromMemoryAndNoticesAChangeAfterTheRecheckTime() throws IOException, HttpError {
        StaticFiles remembering = new StaticFiles(root, Duration.ofSeconds(1), budget(NO_LIMIT));
        contentAfterChange(remembering, "/remembered.txt", "/remembered.txt");

        // Within the recheck time plus a margin, the disk is asked again and the change is seen.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> new String(remembering.find("/remembered.txt").bytes(), UTF_8).equals("after!"));
    }

    /**
     * Writes "before" to a new file and finds it with {@code first} (which remembers and caches
     * it), then changes the file to "after!" with a newer modification time, and returns what
     * finding it with {@code second} serves.
     */
    private static String contentAfterChange(StaticFiles files, String first, String second) throws IOException, HttpError {
        String name = StaticFiles.relativePath(first);
        Path page = Files.writeString(root.resolve(name), "before");
        assertThat(files.find(first).bytes()).asString().isEqualTo("before");

        Files.writeString(page, "after!");
        Files.setLastModifiedTime(page, FileTime.from(Instant.now().plusSeconds(60)));

        return new String(files.find(second).bytes(), UTF_8);
    }

    @Test
    void missingFilesAndFoldersWithoutIndexAre404() {
        assertNotFound("/missing.html");
        assertNotFound("/empty/");
        assertNotFound("/index.html/x");
    }

    @Test
    @DisplayName("a path of more than 32 names gets 414 before any disk is touched; 32 names are looked up")
    void aPathDeeperThanTheMaximumGets414() throws IOException, HttpError {
        Path deep = root;
        for (int i = 0; i < StaticFiles.MAX_DEPTH - 1; i++) {
            deep = deep.resolve("d");
        }
        Files.createDirectories(deep);
        Files.writeString(deep.resolve("deep.txt"), "deep");
        String thirtyTwo = "/d".repeat(StaticFiles.MAX_DEPTH - 1) + "/deep.txt";

        assertThat(files.find(thirtyTwo).bytes()).asString().isEqualTo("deep");
        assertThatThrownBy(() -> files.find("/d" + thirtyTwo)).isInstanceOfSatisfying(HttpError.class,
                e -> assertThat(e.status).isEqualTo(Status.URI_TOO_LONG));
        assertThatThrownBy(() -> files.find("/x".repeat(1900))).isInstanceOfSatisfying(HttpError.class,
                e -> assertThat(e).hasMessage("more than 32 names in the path"));
    }

    @Test
    void filesKeptInMemoryCountInTheBudgetAndAreNotKeptOnceItIsSpent() throws IOException, HttpError {
        MemoryBudget budget = budget(NO_LIMIT);
        StaticFiles counted = new StaticFiles(root, Duration.ZERO, budget);
        counted.find("/image.png");
        assertThat(budget.used()).isEqualTo(3000).isEqualTo(counted.cachedBytes());

        budget.allocated(NO_LIMIT); // all spent, by others
        assertThat(counted.find("/photo.jpeg").bytes()).as("streamed: not kept").isNull();
        assertThat(counted.find("/photo.jpeg").size()).isEqualTo(100);
        budget.released(NO_LIMIT);
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

    @ParameterizedTest
    @ValueSource(strings = {"/%252e%252e/secret.txt", "/%252e%252e%252fsecret.txt", "//secret.txt"})
    void doesNotFindFilesOutsideTheRootByAnyOtherWay(String target) {
        // Decoded once, %252e is the file name "%2e", which does not exist; "//" is an empty segment.
        assertNotFound(target);
    }

    @ParameterizedTest(name = "{0}, looked up by descriptor: {1}")
    @org.junit.jupiter.params.provider.CsvSource({
        "/link-out/secret.txt, true", "/secret-link.txt, true", "/link-in/index.html, true", "/link-in/, true",
        "/docs-link.html, true",
        "/link-out/secret.txt, false", "/secret-link.txt, false", "/link-in/index.html, false", "/link-in/, false",
        "/docs-link.html, false",
    })
    @DisplayName("no symbolic link is ever followed, even one that stays inside the root")
    void aSymbolicLinkIsNeverFollowed(String target, boolean secure) throws IOException {
        TestSite.assumeSymbolicLinks();
        StaticFiles walking = new StaticFiles(root, Duration.ZERO, budget(NO_LIMIT), secure);

        assertThatThrownBy(() -> walking.find(target))
                .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status).isEqualTo(Status.NOT_FOUND));
    }

    @Test
    void onLinuxTheWalkUsesOpenDirectories() throws IOException {
        if (System.getProperty("os.name").startsWith("Linux")) {
            try (Directory directory = Directory.open(root, true)) {
                assertThat(directory.isSecure()).as("the JDK gives a SecureDirectoryStream on Linux").isTrue();
            }
        }
    }

    @ParameterizedTest(name = "looked up by descriptor: {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("a FIFO in the root is not found, at once: open() is never called on it (it would wait for a writer)")
    void aFifoIsNotFoundAndNeverOpened(boolean secure) throws Exception {
        Path fifo = root.resolve("fifo-" + secure + ".html");
        TestSite.makeFifo(fifo);
        try {
            StaticFiles walking = new StaticFiles(root, Duration.ZERO, budget(NO_LIMIT), secure);
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThatThrownBy(
                    () -> walking.find("/" + fifo.getFileName())).isInstanceOfSatisfying(HttpError.class,
                    e -> assertThat(e.status).isEqualTo(Status.NOT_FOUND)));
        } finally {
            TestSite.unblockFifo(fifo);
            Files.delete(fifo);
        }
    }

    @ParameterizedTest(name = "looked up by descriptor: {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("a large file found, then swapped for a symbolic link to a file outside the root: open() refuses it")
    void aFileSwappedForALinkAfterItWasFoundIsNotOpened(boolean secure) throws IOException, HttpError {
        TestSite.assumeSymbolicLinks();
        StaticFiles remembering = new StaticFiles(root, Duration.ofHours(1), budget(NO_LIMIT), secure);
        Path swapped = Files.write(root.resolve("swapped-" + secure + ".bin"), new byte[200_000]);
        StaticFiles.StaticFile found = remembering.find("/" + swapped.getFileName());

        Files.delete(swapped);
        Files.createSymbolicLink(swapped, temp.resolve("large-secret.bin"));

        assertThat(remembering.find("/" + swapped.getFileName())).as("remembered").isSameAs(found);
        assertThatThrownBy(() -> remembering.open(found))
                .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status).isEqualTo(Status.NOT_FOUND));
    }

    @ParameterizedTest(name = "looked up by descriptor: {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("a large file found, then swapped for a FIFO: open() refuses it at once, it never waits")
    void aFileSwappedForAFifoAfterItWasFoundIsNotOpened(boolean secure) throws Exception {
        StaticFiles remembering = new StaticFiles(root, Duration.ofHours(1), budget(NO_LIMIT), secure);
        Path swapped = Files.write(root.resolve("to-fifo-" + secure + ".bin"), new byte[200_000]);
        StaticFiles.StaticFile found = remembering.find("/" + swapped.getFileName());
        Files.delete(swapped);
        TestSite.makeFifo(swapped);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThatThrownBy(() -> remembering.open(found))
                    .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status).isEqualTo(Status.NOT_FOUND)));
        } finally {
            TestSite.unblockFifo(swapped);
            Files.delete(swapped);
        }
    }

    @Test
    void theBodyOfALargeFileHasTheSizeOfTheFileOpenedNotOfTheFileFound() throws IOException, HttpError {
        StaticFiles remembering = new StaticFiles(root, Duration.ofHours(1), budget(NO_LIMIT));
        Path growing = Files.write(root.resolve("growing.bin"), new byte[100_000]);
        StaticFiles.StaticFile found = remembering.find("/growing.bin");
        Files.write(growing, new byte[150_000]);

        Body.File body = remembering.open(found);
        try (var channel = body.channel()) {
            assertThat(body.length()).as("what Content-Length will say, and what is sent").isEqualTo(150_000);
            assertThat(channel.read(ByteBuffer.allocate(10))).isEqualTo(10);
        }
    }

    private void assertNotFound(String target) {
        assertThatThrownBy(() -> files.find(target))
                .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status).isEqualTo(Status.NOT_FOUND));
    }
}
