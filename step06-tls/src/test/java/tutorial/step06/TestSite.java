package tutorial.step06;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A document root for the tests, made fresh in a temporary folder, with a secret file next to it
 * (outside the root) and symbolic links inside the root, where this system lets us make them.
 */
final class TestSite {

    static final String SECRET = "TOP SECRET: you must never see this";
    static final int LARGE_FILE_SIZE = 8 * 1024 * 1024 + 123;
    private static volatile String noLinksBecause;

    private TestSite() {
    }

    /** Creates {@code temp/root} (returned) and {@code temp/secret.txt}. */
    static Path create(Path temp) throws IOException {
        Path root = Files.createDirectories(temp.resolve("root"));
        Files.writeString(temp.resolve("secret.txt"), SECRET);
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), SECRET);
        Files.writeString(root.resolve("index.html"), "<!DOCTYPE html><title>Test index</title><p>Test index</p>\n");
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("docs/index.html"), "<p>Docs index</p>\n");
        Files.createDirectories(root.resolve("empty"));
        Files.writeString(root.resolve("hello world.txt"), "hello\n");
        Files.writeString(root.resolve("%.txt"), "percent\n");
        Files.writeString(root.resolve("style.css"), "p { color: red }\n");
        Files.writeString(root.resolve("app.js"), "console.log('hi')\n");
        Files.writeString(root.resolve("notes.md"), "# Notes\n");
        Files.writeString(root.resolve("data.json"), "{\"a\": 1}\n");
        Files.writeString(root.resolve("logo.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n");
        Files.write(root.resolve("image.png"), randomBytes(3000, 1));
        Files.write(root.resolve("photo.JPG"), randomBytes(100, 2));
        Files.write(root.resolve("photo.jpeg"), randomBytes(100, 3));
        Files.write(root.resolve("blob.bin"), randomBytes(100, 4));
        Files.write(root.resolve("large.bin"), randomBytes(LARGE_FILE_SIZE, 5));
        Files.write(temp.resolve("large-secret.bin"), SECRET.repeat(LARGE_FILE_SIZE / SECRET.length() + 1)
                .getBytes(StandardCharsets.US_ASCII));
        try {
            Files.createSymbolicLink(root.resolve("link-out"), outside);
            Files.createSymbolicLink(root.resolve("secret-link.txt"), temp.resolve("secret.txt"));
            Files.createSymbolicLink(root.resolve("link-in"), root.resolve("docs"));
            Files.createSymbolicLink(root.resolve("docs-link.html"), root.resolve("docs/index.html"));
        } catch (UnsupportedOperationException | IOException e) {
            // Windows without the privilege to create links: the tests that need them say so and skip.
            noLinksBecause = e.toString();
        }
        return root;
    }

    /** Skips the test, with the reason, where the site could not get its symbolic links. */
    static void assumeSymbolicLinks() {
        assumeTrue(noLinksBecause == null, () -> "symbolic links cannot be created here (" + noLinksBecause
                + "), so what the server does with them cannot be tested");
    }

    /** Makes a FIFO (a named pipe) with mkfifo; skips the test, with the reason, where there is none (Windows). */
    static void makeFifo(Path path) throws InterruptedException {
        boolean made;
        try {
            Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
            made = mkfifo.waitFor(20, TimeUnit.SECONDS) && mkfifo.exitValue() == 0;
        } catch (IOException e) {
            made = false;
        }
        assumeTrue(made, "needs mkfifo to make a FIFO (a named pipe), which this system does not have");
    }

    /**
     * Opens the FIFO for reading and writing, which never waits on Linux, and closes it: a server
     * thread stuck in open() for reading would go on. A test calls it when done, so that even a
     * server that got stuck there (the bug the test is about) can be closed.
     */
    static void unblockFifo(Path fifo) {
        try (RandomAccessFile both = new RandomAccessFile(fifo.toFile(), "rw")) {
            // opened: any reader waiting in open() has a writer now
        } catch (IOException e) {
            // gone already
        }
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String text(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
