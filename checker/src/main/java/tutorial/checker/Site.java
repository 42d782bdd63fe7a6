package tutorial.checker;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The document root some HTTP checks need ({@code --make-site DIR}): a large file whose every
 * byte the checker knows, a folder with its own index, and a secret file next to the root that
 * no request may ever reach. Serve {@code DIR/site} with the server you check.
 */
final class Site {

    static final String LARGE_FILE = "/large.bin";
    // 16 MiB, several times what the socket buffers hold on loopback, and an odd size, so that a
    // lost or repeated last chunk shows.
    static final long LARGE_FILE_BYTES = 16L * 1024 * 1024 + 4321;
    static final String FOLDER = "/docs";
    static final String SECRET = "CHECKER SECRET: this file lies outside the document root. No request may ever get it.";

    private static final String INDEX = """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>The checker's site</title></head>
            <body>
            <h1>The checker's site</h1>
            <p>The checker of the TCP sockets tutorial wrote this folder (--make-site). Some HTTP checks
            need what it holds:</p>
            <ul>
              <li><a href="/">/</a>, this page: a small text file that compresses well;</li>
              <li><a href="/docs/">/docs/</a>, a folder with an index of its own (a request for /docs,
              without the slash, is the directory redirect exercise);</li>
              <li><a href="/large.bin">/large.bin</a>, 16 MiB and 4321 bytes: byte number i is i modulo 251,
              so the checker knows every byte without reading the file;</li>
              <li>and, next to this folder, secret.txt, which no request may ever get.</li>
            </ul>
            <p>Serve this folder with the server you check, then run the checker against it. The checks
            only read from it, except the exercise that stores a file with PUT (checker-put.txt).</p>
            <p>A page of text repeats itself, as real pages do, so that a compressed answer is much
            smaller than this one: a page of text repeats itself, as real pages do.</p>
            </body>
            </html>
            """;
    private static final String FOLDER_INDEX = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>docs</title></head>
            <body><p>The index of /docs/. Relative links here resolve against /docs/.</p></body></html>
            """;

    private Site() {
    }

    /** Writes the site into {@code folder}: {@code folder/site} (the root to serve) and {@code folder/secret.txt}. */
    static void make(Path folder, PrintStream out) throws IOException {
        Path root = folder.resolve("site");
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("index.html"), INDEX, StandardCharsets.UTF_8);
        Files.writeString(root.resolve("docs").resolve("index.html"), FOLDER_INDEX, StandardCharsets.UTF_8);
        writeLargeFile(root.resolve(LARGE_FILE.substring(1)));
        Files.writeString(folder.resolve("secret.txt"), SECRET + "\n", StandardCharsets.UTF_8);
        out.println("Wrote the checker's site: " + root + " (index.html, docs/index.html, large.bin of "
                + LARGE_FILE_BYTES + " bytes)");
        out.println("and " + folder.resolve("secret.txt") + " next to it, outside the root.");
        out.println("Serve " + root + " with your server, for example: HttpServer --root " + root);
    }

    private static void writeLargeFile(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer chunk = ByteBuffer.allocate(1024 * 1024);
            for (long written = 0; written < LARGE_FILE_BYTES; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), LARGE_FILE_BYTES - written));
                BytePattern.fill(chunk, written);
                chunk.flip();
                while (chunk.hasRemaining()) {
                    written += channel.write(chunk);
                }
            }
        }
    }
}
