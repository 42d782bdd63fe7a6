package tutorial.step04;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * What the server remembers about one client between two wakeups of the selector: who it is,
 * the bytes it is still owed, and whether it has finished sending. The server attaches one to
 * each client's {@link java.nio.channels.SelectionKey}.
 */
final class Connection {

    private static final int INITIAL_CAPACITY = 1024;

    private final SocketAddress address;
    // Bytes read from the client and not yet written back. The buffer stays in "fill mode":
    // position() is the number of pending bytes, and new bytes are put after them.
    private ByteBuffer pendingOutput = ByteBuffer.allocate(INITIAL_CAPACITY);
    private boolean inputEnded;

    Connection(SocketAddress address) {
        this.address = address;
    }

    SocketAddress address() {
        return address;
    }

    // tag::queue[]
    /** Adds bytes to send; the buffer grows when they do not fit. */
    void queue(ByteBuffer bytes) {
        if (pendingOutput.remaining() < bytes.remaining()) {
            int needed = pendingOutput.position() + bytes.remaining();
            ByteBuffer larger = ByteBuffer.allocate(Math.max(needed, 2 * pendingOutput.capacity()));
            larger.put(pendingOutput.flip());
            pendingOutput = larger;
        }
        pendingOutput.put(bytes);
    }
    // end::queue[]

    // tag::write-to[]
    /** Writes as much pending output as the socket takes now; returns how much that was. */
    int writeTo(SocketChannel channel) throws IOException {
        pendingOutput.flip(); // fill mode -> drain mode: from the first pending byte to the last
        int written = channel.write(pendingOutput);
        // The socket may have taken only part. compact() moves the rest to the front and returns
        // to fill mode; clear() would forget those bytes, and the client would never get them.
        pendingOutput.compact();
        if (pendingOutput.position() == 0 && pendingOutput.capacity() > INITIAL_CAPACITY) {
            // Drained after a burst: give the memory back, or 10,000 idle clients that once
            // received a megabyte each would keep ten gigabytes.
            pendingOutput = ByteBuffer.allocate(INITIAL_CAPACITY);
        }
        return written;
    }
    // end::write-to[]

    int pendingOutputBytes() {
        return pendingOutput.position();
    }

    boolean hasPendingOutput() {
        return pendingOutput.position() > 0;
    }

    /** The client sent end of stream: it will send nothing more, but may still be reading. */
    void endInput() {
        inputEnded = true;
    }

    boolean inputEnded() {
        return inputEnded;
    }

    /** Nothing more to read and nothing left to write: time to close. */
    boolean isFinished() {
        return inputEnded && !hasPendingOutput();
    }
}
