package tutorial.step04;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * What the server remembers about one client between two wakeups of the selector: who it is,
 * the bytes it is still owed, whether it has finished sending, and when it last sent or took a
 * byte. The server attaches one to each client's {@link java.nio.channels.SelectionKey}.
 */
final class Connection {

    private static final int INITIAL_CAPACITY = 1024;

    private final SocketAddress address;
    // Every buffer this connection allocates or gives back is counted here, with everyone else's.
    private final OutputBudget budget;
    // Bytes read from the client and not yet written back. The buffer stays in "fill mode":
    // position() is the number of pending bytes, and new bytes are put after them.
    private ByteBuffer pendingOutput;
    private boolean inputEnded;
    private long lastActivity; // System.nanoTime() when a byte was last read or written

    Connection(SocketAddress address, OutputBudget budget, long now) {
        this.address = address;
        this.budget = budget;
        this.pendingOutput = allocate(INITIAL_CAPACITY);
        this.lastActivity = now;
    }

    SocketAddress address() {
        return address;
    }

    // tag::queue[]
    /** Adds bytes to send; the buffer grows when they do not fit. */
    void queue(ByteBuffer bytes) {
        if (pendingOutput.remaining() < bytes.remaining()) {
            int needed = pendingOutput.position() + bytes.remaining();
            ByteBuffer larger = allocate(Math.max(needed, 2 * pendingOutput.capacity()));
            larger.put(pendingOutput.flip());
            release(pendingOutput);
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
            release(pendingOutput);
            pendingOutput = allocate(INITIAL_CAPACITY);
        }
        return written;
    }
    // end::write-to[]

    // tag::budget[]
    private ByteBuffer allocate(int capacity) {
        budget.allocated(capacity);
        return ByteBuffer.allocate(capacity);
    }

    private void release(ByteBuffer buffer) {
        budget.released(buffer.capacity());
    }

    /** The connection is closed: its buffer goes back to the budget. */
    void releaseOutput() {
        release(pendingOutput);
        pendingOutput = ByteBuffer.allocate(0);
    }
    // end::budget[]

    int pendingOutputBytes() {
        return pendingOutput.position();
    }

    /** What the output buffer holds without growing: its pending bytes and the room after them. */
    int outputCapacity() {
        return pendingOutput.capacity();
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

    /** A byte moved, one way or the other: the connection is not idle. */
    void touch(long now) {
        lastActivity = now;
    }

    long lastActivity() {
        return lastActivity;
    }
}
