package tutorial.step06;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The document root: maps a request target such as {@code /img/logo.png?v=2} to a file inside
 * the root, and refuses every target that could name a file outside it. Small files are kept in
 * memory and served from there until they change on disk.
 */
final class StaticFiles {

    /** Files up to this size are cached whole; larger ones are streamed from disk in pieces. */
    static final int MAX_CACHED_FILE = 64 * 1024;
    private static final int MAX_CACHED_FILES = 1000;

    private static final Map<String, String> CONTENT_TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("htm", "text/html; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("md", "text/markdown; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("xml", "application/xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("pdf", "application/pdf"));

    /** A file found for a request; {@code bytes} holds its content if it is small, else null. */
    record StaticFile(Path path, long size, String contentType, byte[] bytes) {
    }

    private record CachedFile(FileTime modified, long size, byte[] bytes) {
    }

    private record Lookup(StaticFile file, long foundAtNanos) {
    }

    private final Path root;
    private final long recheckAfterNanos;
    private final Map<String, Lookup> recentLookups = new HashMap<>();
    private final Map<Path, CachedFile> cache = new HashMap<>();

    /**
     * Files under {@code root}. A target found on disk is answered from memory for
     * {@code recheckAfter}, then looked up on disk again: a changed or deleted file is noticed
     * that much later at the most.
     */
    StaticFiles(Path root, Duration recheckAfter) throws IOException {
        // The real path: absolute, normalised, every symbolic link followed. Each file we serve
        // must have a real path that starts with this one.
        this.root = root.toRealPath();
        this.recheckAfterNanos = recheckAfter.toNanos();
    }

    Path root() {
        return root;
    }

    // tag::recent-lookups[]
    /** The file a GET or HEAD for {@code target} serves; 400 for a target that tries to leave the root, 404 if none. */
    StaticFile find(String target) throws HttpError {
        long now = System.nanoTime();
        Lookup recent = recentLookups.get(target);
        if (recent != null && now - recent.foundAtNanos() < recheckAfterNanos) {
            // Found a moment ago: answer without asking the disk. Asking means at least one
            // system call (a stat) per request, which costs more than the rest of the answer.
            return recent.file();
        }
        StaticFile file = lookUp(target);
        if (recentLookups.size() >= MAX_CACHED_FILES) {
            recentLookups.clear(); // crude, and bounded, as the cache below
        }
        recentLookups.put(target, new Lookup(file, now));
        return file;
    }
    // end::recent-lookups[]

    // tag::find[]
    /** Looks {@code target} up on disk, checking that it stays inside the root. */
    private StaticFile lookUp(String target) throws HttpError {
        String relative = relativePath(target);
        try {
            Path file = root.resolve(relative.isEmpty() ? "index.html" : relative).normalize();
            BasicFileAttributes attributes = attributesInsideRoot(file);
            if (attributes.isDirectory()) {
                file = file.resolve("index.html");
                attributes = attributesInsideRoot(file);
            }
            if (!attributes.isRegularFile()) {
                throw new HttpError(Status.NOT_FOUND, "no such file: " + target);
            }
            byte[] bytes = cachedBytes(file, attributes);
            long size = bytes != null ? bytes.length : attributes.size();
            return new StaticFile(file, size, contentType(file), bytes);
        } catch (IOException | InvalidPathException e) {
            // No such file, a file used as a folder ("/index.html/x"), no permission: all "not here".
            throw new HttpError(Status.NOT_FOUND, "no such file: " + target);
        }
    }
    // end::find[]

    // tag::inside-root[]
    /**
     * The attributes of {@code file}, a normalised path, checked to be inside the root for real:
     * first as text, then on disk. On disk, each component below the root is looked at without
     * following symbolic links (an lstat). If none is a link, the path is its own real path and
     * we are done: one system call per component. If one is a link, toRealPath follows every
     * link, and the real path must still start with the root's real path: a link inside the root
     * that points outside it gives a 404.
     */
    private BasicFileAttributes attributesInsideRoot(Path file) throws IOException, HttpError {
        if (!file.startsWith(root)) {
            // Not reached while relativePath refuses "..": a second lock on the same door.
            throw new HttpError(Status.NOT_FOUND, "no such file: " + file.getFileName());
        }
        BasicFileAttributes attributes = null;
        Path part = root;
        for (Path name : root.relativize(file)) {
            part = part.resolve(name);
            attributes = Files.readAttributes(part, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
                Path real = file.toRealPath();
                if (!real.startsWith(root)) {
                    throw new HttpError(Status.NOT_FOUND, "no such file: " + root.relativize(file));
                }
                return Files.readAttributes(real, BasicFileAttributes.class);
            }
        }
        return attributes;
    }
    // end::inside-root[]

    // tag::relative-path[]
    /**
     * The target's path, percent-decoded once, as a path relative to the root. Refused (400):
     * anything that is not {@code /path[?query]} (so absolute-form {@code http://host/x} too), and
     * after decoding a backslash, a NUL, a slash that was encoded ({@code %2F}), or a {@code ..}
     * segment. Decoding happens once only: {@code %252e} stays the three characters {@code %2e}.
     */
    static String relativePath(String target) throws HttpError {
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        if (!path.startsWith("/")) {
            throw new HttpError(Status.BAD_REQUEST, "the target must be a path starting with /");
        }
        StringBuilder relative = new StringBuilder();
        for (String segment : path.substring(1).split("/", -1)) {
            String name = percentDecode(segment);
            if (name.equals("..") || name.contains("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
                throw new HttpError(Status.BAD_REQUEST, "path not allowed: " + target);
            }
            if (!name.isEmpty() && !name.equals(".")) {
                relative.append(relative.length() == 0 ? "" : "/").append(name);
            }
        }
        return relative.toString();
    }
    // end::relative-path[]

    private static String percentDecode(String segment) throws HttpError {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                bytes.write(c);
            } else if (i + 2 < segment.length() && isHex(segment.charAt(i + 1)) && isHex(segment.charAt(i + 2))) {
                bytes.write(Integer.parseInt(segment.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                throw new HttpError(Status.BAD_REQUEST, "bad percent-encoding in the target");
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new HttpError(Status.BAD_REQUEST, "the target is not UTF-8 once percent-decoded");
        }
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0 && c < 0x80;
    }

    static String contentType(Path file) {
        String name = file.getFileName().toString();
        String extension = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return CONTENT_TYPES.getOrDefault(extension, "application/octet-stream");
    }

    // tag::cache[]
    /** A small file's bytes, read from disk only when it is new or has changed since it was cached. */
    private byte[] cachedBytes(Path file, BasicFileAttributes attributes) throws IOException {
        if (attributes.size() > MAX_CACHED_FILE) {
            return null;
        }
        CachedFile cached = cache.get(file);
        if (cached == null || !cached.modified().equals(attributes.lastModifiedTime())
                || cached.size() != attributes.size()) {
            if (cache.size() >= MAX_CACHED_FILES) {
                cache.clear(); // crude, and bounded: enough for a tutorial's site
            }
            cached = new CachedFile(attributes.lastModifiedTime(), attributes.size(), Files.readAllBytes(file));
            cache.put(file, cached);
        }
        return cached.bytes();
    }
    // end::cache[]
}
