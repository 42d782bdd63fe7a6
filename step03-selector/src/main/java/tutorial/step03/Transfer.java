package tutorial.step03;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Step 02's lesson: one write may take fewer bytes than it was given, and one read may bring fewer
 * bytes than the peer sent, so both are called in a loop until the job is done.
 */
final class Transfer {

    private Transfer() {
    }

    // tag::send-all[]
    /**
     * Writes until nothing remains in the buffer.
     *
     * <p>One {@code write} may take fewer bytes than it was given, even on a blocking channel (as
     * in this step): the JDK calls the kernel once, and again only if the kernel took nothing at
     * all. On a platform thread the socket is blocking and the kernel's send itself waits until
     * it has taken every byte, so this loop goes round once. On a virtual thread (Java 21+) the
     * JDK makes the socket non-blocking underneath: one write of 8 MiB into a peer that did not
     * read returned after 3.9 MB here, and this loop sends the rest. On a non-blocking channel
     * {@code write} takes only what fits into the socket's send buffer right now -- maybe nothing
     * -- and returns: then this loop spins, burning a CPU, until the peer reads and room appears.
     * Step 03 waits for that room on a Selector instead.
     */
    static void sendAll(SocketChannel channel, ByteBuffer buffer) throws IOException {
        SocketAddress peer = channel.getRemoteAddress();
        while (buffer.hasRemaining()) {
            int written = channel.write(buffer); // may be less than buffer.remaining(), even 0
            if (written > 0) {
                Trace.wrote(written, peer);
            }
        }
    }
    // end::send-all[]

    // tag::read-until-complete[]
    /**
     * Reads until the buffer is full (position reaches limit). An end of stream before that is an
     * error: the peer closed the connection in the middle of what we were waiting for.
     */
    static void readUntilComplete(SocketChannel channel, ByteBuffer buffer) throws IOException {
        SocketAddress peer = channel.getRemoteAddress();
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer); // blocks until some bytes are here: 1 or more, or -1
            Trace.read(read, peer);
            if (read == -1) {
                throw new EOFException("connection closed by " + peer + " after "
                        + buffer.position() + " of " + buffer.limit() + " bytes");
            }
        }
    }
    // end::read-until-complete[]
}
