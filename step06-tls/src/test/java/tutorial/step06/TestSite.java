package tutorial.step06;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A document root for the tests, made fresh in a temporary folder, with a secret file next to it
 * (outside the root) and a symbolic link inside the root that points out of it.
 */
final class TestSite {

    static final String SECRET = "TOP SECRET: you must never see this";
    static final int LARGE_FILE_SIZE = 8 * 1024 * 1024 + 123;

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
        try {
            Files.createSymbolicLink(root.resolve("link-out"), outside);
            Files.createSymbolicLink(root.resolve("secret-link.txt"), temp.resolve("secret.txt"));
            Files.createSymbolicLink(root.resolve("link-in"), root.resolve("docs"));
        } catch (UnsupportedOperationException | IOException e) {
            // No symbolic links here (some Windows setups): the other tests still run.
        }
        return root;
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
