package tutorial.step06;

import java.nio.channels.SeekableByteChannel;

// tag::body[]
/**
 * What a response sends after its head: exactly one of bytes in memory, a file streamed from
 * disk, or nothing at all (the answer to HEAD). One type with three cases, so that no code has to
 * guess what a null means, and a file can only be open where a file body was chosen.
 */
sealed interface Body {

    Body NONE = new None();

    /** How many bytes this body puts on the wire after the head (the access log counts them). */
    long length();

    /** A small file's cached bytes, or an error's one-line text: in memory already. */
    record Bytes(byte[] bytes) implements Body {
        @Override
        public long length() {
            return bytes.length;
        }
    }

    /** A large file, opened for this response and sent a chunk at a time; the connection closes it. */
    record File(SeekableByteChannel channel, long length) implements Body {
    }

    /** No body: the head alone, whatever its Content-Length says. */
    record None() implements Body {
        @Override
        public long length() {
            return 0;
        }
    }
}
// end::body[]
