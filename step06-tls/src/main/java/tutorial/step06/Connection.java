package tutorial.step06;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.util.ArrayDeque;

/**
 * What the server remembers about one client between two wakeups of the selector, as in step 04,
 * now with HTTP in it: the bytes read but not yet parsed (the next pipelined request may be
 * waiting there), the parser with its half-finished request, the responses not yet written (as a
 * queue of buffers, sent with one gathering write), a large file being streamed, and the time of
 * the client's last activity for the idle timeout.
 */
final class Connection {

    /** A large file is read into memory this much at a time, and only when the last piece is sent. */
    static final int FILE_CHUNK_SIZE = 64 * 1024;
    /** Backpressure: past this much unsent output, no further pipelined request is answered. */
    static final int MAX_PENDING_OUTPUT = 256 * 1024;
    private static final ByteBuffer[] NO_BUFFERS = new ByteBuffer[0];

    private final SocketAddress address;
    private final TlsChannel channel;
    private final RequestParser parser = new RequestParser();
    // Bytes read from the client, not yet given to the parser; "fill mode" as in step 04.
    private final ByteBuffer input;
    private final ArrayDeque<ByteBuffer> pendingOutput = new ArrayDeque<>();
    private long pendingOutputBytes;
    private FileChannel file;
    private long fileRemaining;
    private ByteBuffer fileChunk;
    private boolean inputEnded;
    private boolean closeWhenAnswered;
    private boolean draining;
    private long lastActivity;

    Connection(SocketAddress address, long now, TlsChannel channel) {
        this.address = address;
        this.lastActivity = now;
        this.channel = channel;
        // Step 05's 4 KiB would do for HTTP, but unwrap puts a whole record's plaintext (up to
        // 16 KiB) in one go, and refuses (BUFFER_OVERFLOW) when it has less room than that.
        this.input = ByteBuffer.allocate(channel.applicationBufferSize());
    }

    SocketAddress address() {
        return address;
    }

    /** The client's socket, behind TLS. */
    TlsChannel channel() {
        return channel;
    }

    RequestParser parser() {
        return parser;
    }

    ByteBuffer input() {
        return input;
    }

    boolean hasUnparsedInput() {
        return input.position() > 0;
    }

    // tag::queue[]
    /** Adds bytes to send after everything queued before them (no copy: the buffer itself waits). */
    void queue(ByteBuffer bytes) {
        pendingOutputBytes += bytes.remaining();
        pendingOutput.add(bytes);
    }

    /** Sends {@code length} bytes of {@code source} after everything queued, a chunk at a time. */
    void queueFile(FileChannel source, long length) throws IOException {
        file = source;
        fileRemaining = length;
        readNextChunk(); // the first chunk goes out in the same write as the head
    }
    // end::queue[]

    // tag::write-to[]
    /** Writes as much pending output as the socket takes now; returns how much that was. */
    long writeTo(GatheringByteChannel channel) throws IOException {
        // A gathering write: head and body (and the responses to pipelined requests) leave in
        // one system call, so they travel in as few packets as possible.
        long written = channel.write(pendingOutput.toArray(NO_BUFFERS));
        pendingOutputBytes -= written;
        while (!pendingOutput.isEmpty() && !pendingOutput.peek().hasRemaining()) {
            pendingOutput.poll();
        }
        if (pendingOutput.isEmpty() && file != null) {
            readNextChunk(); // the previous chunk is gone: only now do we read the next one
        }
        return written;
    }
    // end::write-to[]

    private void readNextChunk() throws IOException {
        if (fileChunk == null) {
            fileChunk = ByteBuffer.allocate(FILE_CHUNK_SIZE);
        }
        fileChunk.clear().limit((int) Math.min(FILE_CHUNK_SIZE, fileRemaining));
        while (fileChunk.hasRemaining()) {
            if (file.read(fileChunk) == -1) {
                // The file shrank after we promised its length in Content-Length: nothing we
                // could send now would be right, so the connection must end.
                throw new EOFException("file shrank while being sent");
            }
        }
        fileRemaining -= fileChunk.flip().remaining();
        queue(fileChunk);
        if (fileRemaining == 0) {
            closeFile();
            fileChunk = null; // the queue still holds it until written; then the memory is free
        }
    }

    void closeFile() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                // A file opened for reading: closing it cannot lose anything.
            }
            file = null;
        }
    }

    long pendingOutputBytes() {
        return pendingOutputBytes;
    }

    boolean hasPendingOutput() {
        return !pendingOutput.isEmpty() || file != null || channel.hasPendingOutput();
    }

    /** Another request may be answered now: responses go out in order, and output stays bounded. */
    boolean canAnswer() {
        return !closeWhenAnswered && file == null && pendingOutputBytes < MAX_PENDING_OUTPUT;
    }

    /** Answer nothing more; close once the responses queued so far are sent. */
    void closeWhenAnswered() {
        closeWhenAnswered = true;
    }

    boolean mustClose() {
        return closeWhenAnswered;
    }

    /** Our side is shut down; from now on input is read only to be thrown away. */
    void startDraining(long now) {
        draining = true;
        lastActivity = now; // the drain gets one idle period, however much the client still sends
    }

    boolean draining() {
        return draining;
    }

    /** The client sent end of stream: it will send nothing more, but may still be reading. */
    void endInput() {
        inputEnded = true;
    }

    boolean inputEnded() {
        return inputEnded;
    }

    /** Nothing more will arrive and nothing is left to write: time to close. */
    boolean isFinished() {
        return inputEnded && !hasPendingOutput();
    }

    void touch(long now) {
        if (!draining) {
            lastActivity = now;
        }
    }

    long lastActivity() {
        return lastActivity;
    }
}
