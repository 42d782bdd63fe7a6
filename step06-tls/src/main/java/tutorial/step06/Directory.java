package tutorial.step06;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;

// tag::directory[]
/**
 * One directory of the document root, open, in which names are looked up and opened without ever
 * following a symbolic link. Where the JDK offers a {@link SecureDirectoryStream} (Linux; macOS
 * from JDK 24), the directory is an open descriptor and every name is relative to it: the kernel's
 * {@code fstatat} and {@code openat} with {@code O_NOFOLLOW}, so nothing renamed or swapped above
 * this directory can change what a name means, and the work for one name does not grow with the
 * depth. Elsewhere (Windows), names are looked up by their full path; the chapter says what that
 * leaves open.
 */
final class Directory implements Closeable {

    private final Path path; // for the look-ups by path, where there is no secure stream
    private final SecureDirectoryStream<Path> stream; // null where the JDK has none

    private Directory(Path path, SecureDirectoryStream<Path> stream) {
        this.path = path;
        this.stream = stream;
    }

    /** The root itself, opened as a secure stream where {@code secure} and the JDK allow it. */
    static Directory open(Path root, boolean secure) throws IOException {
        if (secure) {
            DirectoryStream<Path> stream = Files.newDirectoryStream(root);
            if (stream instanceof SecureDirectoryStream<Path> secureStream) {
                return new Directory(root, secureStream);
            }
            stream.close();
        }
        return new Directory(root, null);
    }

    /** Whether names are looked up relative to an open descriptor (true on Linux). */
    boolean isSecure() {
        return stream != null;
    }

    /** What {@code name} is in this directory, the link itself if it is one (an lstat, or fstatat). */
    BasicFileAttributes attributes(String name) throws IOException {
        if (stream != null) {
            return stream.getFileAttributeView(Path.of(name), BasicFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).readAttributes();
        }
        return Files.readAttributes(path.resolve(name), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    /** Opens the subdirectory {@code name}; a symbolic link there fails to open (ELOOP). */
    Directory enter(String name) throws IOException {
        if (stream != null) {
            return new Directory(path.resolve(name), stream.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS));
        }
        return new Directory(path.resolve(name), null);
    }

    /** Opens the file {@code name} for reading; a symbolic link there fails to open (ELOOP). */
    SeekableByteChannel open(String name) throws IOException {
        if (stream != null) {
            return stream.newByteChannel(Path.of(name), Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
        }
        return Files.newByteChannel(path.resolve(name), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public void close() throws IOException {
        if (stream != null) {
            stream.close();
        }
    }
}
// end::directory[]
