package tutorial.step06;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The document root: maps a request target such as {@code /img/logo.png?v=2} to a file inside
 * the root, and refuses every target that could name a file outside it. Whether a file may be
 * served (a regular file, inside the root, reached through no symbolic link) is decided when it
 * is opened, on what is opened. Small files are kept in memory and served from there until they
 * change on disk.
 */
final class StaticFiles {

    /** Files up to this size are kept in memory (while the memory budget allows); larger ones are streamed. */
    static final int MAX_CACHED_FILE = 64 * 1024;
    /**
     * A path with more names than this gets 414: each name is a directory the server opens and
     * looks at, on its one thread, so the depth of a path is work a client may ask for.
     */
    static final int MAX_DEPTH = 32;
    private static final int MAX_CACHED_FILES = 1000;
    private static final String INDEX = "index.html";

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

    /**
     * A file found for a request: its path under the root ({@code img/logo.png}), size and
     * content type, and its content if it is kept in memory (else null: {@link #open} it to
     * stream it).
     */
    record StaticFile(String path, long size, String contentType, byte[] bytes) {
    }

    /** What a look-up found, and when: answered from memory for the recheck time. */
    private record Found(StaticFile file, FileTime modified, long foundAtNanos) {
    }

    /** The last directory of a walk down the root, open, and the regular file in it, looked at. */
    private record Located(Directory directory, String name, BasicFileAttributes attributes) implements Closeable {
        @Override
        public void close() throws IOException {
            directory.close();
        }
    }

    private final Path root;
    private final long recheckAfterNanos;
    private final MemoryBudget budget;
    private final boolean secure;
    // By the path under the root, not by the target: "/a?1" and "/a?2" are the same file.
    private final Map<String, Found> found = new HashMap<>();
    private long cachedBytes;

    /**
     * Files under {@code root}. A file found on disk is answered from memory for
     * {@code recheckAfter}, then looked up on disk again: a changed or deleted file is noticed
     * that much later at the most. The bytes of the files kept in memory count in {@code budget}.
     */
    StaticFiles(Path root, Duration recheckAfter, MemoryBudget budget) throws IOException {
        this(root, recheckAfter, budget, true);
    }

    /** With {@code secure} false, the walk looks names up by path even where the JDK could do better (for tests). */
    StaticFiles(Path root, Duration recheckAfter, MemoryBudget budget, boolean secure) throws IOException {
        // The real path: absolute, normalised, every symbolic link followed, once, when the
        // server starts. Below it, no link is ever followed.
        this.root = root.toRealPath();
        this.recheckAfterNanos = recheckAfter.toNanos();
        this.budget = budget;
        this.secure = secure;
    }

    Path root() {
        return root;
    }

    // tag::recent-lookups[]
    /**
     * The file a GET or HEAD for {@code target}, in origin form ({@code /a?b}), serves; 400 for a
     * target that tries to leave the root, 414 for one too deep, 404 if none.
     */
    StaticFile find(String target) throws HttpError {
        String path = relativePath(target);
        long now = System.nanoTime();
        Found recent = found.get(path);
        if (recent != null && now - recent.foundAtNanos() < recheckAfterNanos) {
            // Found a moment ago: answer without asking the disk. Asking means system calls (a
            // stat per directory), which cost more than the rest of the answer. What is kept is
            // harmless to use: a size, a type, and bytes read through a checked open. A large
            // file is opened again, and checked again, for each GET.
            return recent.file();
        }
        if (recent != null) {
            forget(path, recent); // its bytes are used again below if the file has not changed
        }
        if (found.size() >= MAX_CACHED_FILES) {
            forgetAll(); // crude, and bounded: enough for a tutorial's site
        }
        Found fresh = lookUp(path, recent, now);
        found.put(path, fresh);
        return fresh.file();
    }
    // end::recent-lookups[]

    // tag::open[]
    /**
     * Opens a file that {@link #find} found too large to keep in memory, to stream it: the walk
     * down the root again, and the checks with it, at the moment of opening. What was found a
     * second ago may have been swapped since for a link, a FIFO or another file. The body's
     * length is the size of the file opened (an fstat), not the one found: what Content-Length
     * promises is what the connection will read and send.
     */
    Body.File open(StaticFile file) throws HttpError {
        try (Located located = locate(file.path())) {
            SeekableByteChannel channel = located.directory().open(located.name());
            try {
                return new Body.File(channel, channel.size());
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw notFoundOrShortOf(e, file.path());
        } catch (InvalidPathException e) {
            throw new HttpError(Status.NOT_FOUND, "no such file: /" + file.path());
        }
    }
    // end::open[]

    // tag::find[]
    /** Looks {@code path} up on disk; reads its bytes if it is small, and new or changed since {@code before}. */
    private Found lookUp(String path, Found before, long now) throws HttpError {
        try (Located located = locate(path)) {
            BasicFileAttributes attributes = located.attributes();
            byte[] bytes = null;
            if (attributes.size() <= MAX_CACHED_FILE) {
                boolean unchanged = before != null && before.file().bytes() != null
                        && before.modified().equals(attributes.lastModifiedTime())
                        && before.file().size() == attributes.size();
                bytes = unchanged ? before.file().bytes() : readSmallFile(located);
            }
            long size = bytes != null ? bytes.length : attributes.size();
            StaticFile file = new StaticFile(path, size, contentType(located.name()), bytes);
            if (bytes != null) {
                cachedBytes += bytes.length;
                budget.allocated(bytes.length);
            }
            return new Found(file, attributes.lastModifiedTime(), now);
        } catch (IOException e) {
            throw notFoundOrShortOf(e, path);
        } catch (InvalidPathException e) {
            throw new HttpError(Status.NOT_FOUND, "no such file: /" + path); // a name this system cannot have
        }
    }
    // end::find[]

    /**
     * What a failure to look at or open a file means for the client. No such file, a file used as
     * a folder ("/index.html/x"), a symbolic link (ELOOP), no permission: "not here", 404. But
     * out of descriptors (EMFILE for this process, ENFILE for the system: the JDK reports both
     * with the system's words, "Too many open files"), the file may well be there: the server is
     * short, and says so with a 503, as when the root itself cannot be opened.
     */
    static HttpError notFoundOrShortOf(IOException e, String path) {
        if (e instanceof FileSystemException failed && failed.getReason() != null
                && failed.getReason().startsWith("Too many open files")) {
            return new HttpError(Status.SERVICE_UNAVAILABLE, "cannot open /" + path + " now (" + failed.getReason() + ")");
        }
        return new HttpError(Status.NOT_FOUND, "no such file: /" + path);
    }

    // tag::walk[]
    /**
     * Walks from the root to the file {@code path} names, one name at a time: each name is
     * looked at in the directory opened before it, without following a symbolic link, and must
     * be a directory (to go on) or, for the last name, a regular file. A directory at the end
     * gives its index.html. One look and one open per name: the work grows with the depth, not
     * with its square, and there is no name on the way that a link could redirect.
     */
    private Located locate(String path) throws IOException, HttpError {
        Directory directory = openRoot();
        try {
            String[] names = path.isEmpty() ? new String[0] : path.split("/");
            for (int i = 0; i < names.length; i++) {
                if (names[i].isEmpty() || names[i].equals(".") || names[i].equals("..") || names[i].contains("\\")) {
                    // Not reached while relativePath refuses them: a second lock on the same door.
                    throw new HttpError(Status.NOT_FOUND, "no such file: /" + path);
                }
                BasicFileAttributes attributes = directory.attributes(names[i]);
                if (attributes.isDirectory()) {
                    Directory next = directory.enter(names[i]);
                    directory.close();
                    directory = next;
                } else if (i == names.length - 1 && attributes.isRegularFile()) {
                    return new Located(directory, names[i], attributes);
                } else {
                    // A link, a FIFO, a device, a socket, or a file used as a folder.
                    throw new HttpError(Status.NOT_FOUND, "no such file: /" + path);
                }
            }
            BasicFileAttributes index = directory.attributes(INDEX);
            if (!index.isRegularFile()) {
                throw new HttpError(Status.NOT_FOUND, "no such file: /" + path);
            }
            return new Located(directory, INDEX, index);
        } catch (IOException | HttpError | RuntimeException e) {
            directory.close();
            throw e;
        }
    }
    // end::walk[]

    /**
     * The root, opened for a walk. It was there when the server started: if it cannot be opened
     * now, no file is missing, the server is short of something (descriptors, most likely, when
     * too many connections are open), and says so with a 503 rather than a 404.
     */
    private Directory openRoot() throws HttpError {
        try {
            return Directory.open(root, secure);
        } catch (IOException e) {
            String reason = e instanceof FileSystemException failed && failed.getReason() != null
                    ? failed.getReason() : e.getClass().getSimpleName();
            throw new HttpError(Status.SERVICE_UNAVAILABLE, "cannot open the document root now (" + reason + ")");
        }
    }

    /**
     * Reads a small file whole, through an open of the file just looked at; null when there is no
     * room for it in the memory budget (it is streamed like a large file then).
     */
    private byte[] readSmallFile(Located located) throws IOException {
        if (budget.spent()) {
            return null;
        }
        if (cachedBytes + located.attributes().size() > budget.limit() / 2) {
            forgetAll(); // the cache may take half of the budget at most: the clients get the rest
        }
        try (SeekableByteChannel channel = located.directory().open(located.name())) {
            long size = channel.size(); // of the file opened (an fstat), which is what we read
            if (size > MAX_CACHED_FILE) {
                return null; // it grew since we looked: stream it
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) size);
            while (bytes.hasRemaining()) {
                if (channel.read(bytes) == -1) {
                    throw new EOFException("the file shrank while it was read");
                }
            }
            return bytes.array();
        }
    }

    private void forget(String path, Found entry) {
        found.remove(path);
        byte[] bytes = entry.file().bytes();
        if (bytes != null) {
            cachedBytes -= bytes.length;
            budget.released(bytes.length);
        }
    }

    private void forgetAll() {
        found.clear();
        budget.released(cachedBytes);
        cachedBytes = 0;
    }

    /** Bytes of files kept in memory right now. */
    long cachedBytes() {
        return cachedBytes;
    }

    // tag::relative-path[]
    /**
     * The target's path, percent-decoded once, as a path relative to the root. Refused (400):
     * anything that is not {@code /path[?query]} (the origin form: {@link Request#originForm}
     * turns {@code http://host/x} into {@code /x} before it gets here), and after decoding a
     * backslash, a NUL, a slash that was encoded ({@code %2F}), or a {@code ..} segment. Decoding
     * happens once only: {@code %252e} stays the three characters {@code %2e}.
     */
    static String relativePath(String target) throws HttpError {
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        if (!path.startsWith("/")) {
            throw new HttpError(Status.BAD_REQUEST, "the target must be a path starting with /");
        }
        StringBuilder relative = new StringBuilder();
        int depth = 0;
        for (String segment : path.substring(1).split("/", -1)) {
            String name = percentDecode(segment);
            if (name.equals("..") || name.contains("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
                throw new HttpError(Status.BAD_REQUEST, "path not allowed: " + target);
            }
            if (!name.isEmpty() && !name.equals(".")) {
                relative.append(relative.length() == 0 ? "" : "/").append(name);
                if (++depth > MAX_DEPTH) {
                    throw new HttpError(Status.URI_TOO_LONG, "more than " + MAX_DEPTH + " names in the path");
                }
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

    static String contentType(String name) {
        String extension = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return CONTENT_TYPES.getOrDefault(extension, "application/octet-stream");
    }
}
