package tutorial.step05;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;

/**
 * What the server remembers about one client between two wakeups of the selector, as in step 04,
 * now with HTTP in it: the bytes read but not yet parsed (the next pipelined request may be
 * waiting there) and the parser with its half-finished request, the responses not yet written (as
 * a queue of buffers, sent with one gathering write) and a large file being streamed, how far the
 * connection is on its way to a close, and the time of the client's last activity for the idle
 * timeout. It takes channels as the narrowest interfaces it needs, so its tests need no socket.
 */
final class Connection {

    static final int INPUT_BUFFER_SIZE = 4 * 1024;
    /** A large file is read into memory this much at a time, and only when the last piece is sent. */
    static final int FILE_CHUNK_SIZE = 64 * 1024;
    /** Backpressure: past this much unsent output, no further pipelined request is answered. */
    static final int MAX_PENDING_OUTPUT = 256 * 1024;
    private static final ByteBuffer[] NO_BUFFERS = new ByteBuffer[0];

    // tag::ending[]
    /**
     * How far the connection is on its way to a close. The client's end of stream is kept apart:
     * it can come in any of these.
     */
    private enum Ending {
        /** Requests are answered as they come. */
        OPEN,
        /** Nothing more is answered: the connection closes once the responses queued so far are written. */
        AFTER_RESPONSES,
        /**
         * Everything is written and our FIN is sent; what the client still sends is read and dropped
         * until its own FIN (or the idle timeout). HTTP servers call this a lingering close.
         */
        LINGERING
    }
    // end::ending[]

    private final SocketAddress address;
    private final RequestParser parser = new RequestParser();
    // Bytes read from the client, not yet given to the parser. Between two calls it is in fill
    // mode, as in step 04: only nextRequest() flips it for the parser and compacts it back.
    private final ByteBuffer input = ByteBuffer.allocate(INPUT_BUFFER_SIZE);
    private final ArrayDeque<ByteBuffer> pendingOutput = new ArrayDeque<>();
    private long pendingOutputBytes;
    private FileChannel file;
    private long fileRemaining;
    private ByteBuffer fileChunk;
    private boolean inputEnded;
    private Ending ending = Ending.OPEN;
    private long lastActivity;

    Connection(SocketAddress address, long now) {
        this.address = address;
        this.lastActivity = now;
    }

    SocketAddress address() {
        return address;
    }

    // tag::read-from[]
    /** Reads what the client sent into the input buffer; while lingering, only to drop it. */
    int readFrom(ReadableByteChannel channel) throws IOException {
        if (ending == Ending.LINGERING) {
            input.clear(); // our side is closed: what still arrives is read only to be dropped
        }
        return channel.read(input);
    }
    // end::read-from[]

    // tag::next-request[]
    /**
     * The next complete request read from the client, or null if there is none to answer now:
     * its bytes have not all arrived, or the connection may answer no more (it is closing, a file
     * is being streamed, or too much output is waiting). A parse error ends the answering: the
     * parser cannot find where the next request would start.
     */
    Request nextRequest() throws HttpError {
        if (!canAnswer() || input.position() == 0) {
            return null;
        }
        input.flip(); // fill mode -> drain mode: the parser takes bytes from position to limit
        try {
            return parser.parse(input);
        } catch (HttpError e) {
            ending = Ending.AFTER_RESPONSES;
            throw e;
        } finally {
            input.compact(); // what the parser did not take stays for next time, in fill mode again
        }
    }
    // end::next-request[]

    /** A request may be waiting in the input buffer, and the connection could answer it now. */
    boolean hasRequestToAnswer() {
        return canAnswer() && input.position() > 0;
    }

    /** Another request may be answered now: responses go out in order, and output stays bounded. */
    private boolean canAnswer() {
        return ending == Ending.OPEN && file == null && pendingOutputBytes < MAX_PENDING_OUTPUT;
    }

    /** Halfway through a request, with nothing owed to the client: the idle timeout answers 408 then. */
    boolean stalledMidRequest() {
        return ending == Ending.OPEN && parser.inProgress() && !hasPendingOutput();
    }

    /** The request line of the request being parsed, or null before it arrived: for the log of a failed request. */
    String unfinishedRequestLine() {
        return parser.requestLine();
    }

    // tag::queue[]
    /**
     * Queues a response behind everything queued before it: the head, then the body in the same
     * gathering write. A close that the response announces ends the answering.
     */
    void queue(Response response) {
        queue(response.head());
        if (response.body() instanceof Body.Bytes bytes) {
            queue(ByteBuffer.wrap(bytes.bytes())); // wraps the array: a cached file is not copied per request
        } else if (response.body() instanceof Body.File body) {
            queueFile(body);
        }
        if (response.closesConnection()) {
            ending = Ending.AFTER_RESPONSES;
        }
    }

    /** Sends the file after everything queued, a chunk at a time. */
    private void queueFile(Body.File body) {
        file = body.channel();
        fileRemaining = body.length();
        try {
            readNextChunk(); // the first chunk goes out in the same write as the head
        } catch (IOException e) {
            // The head is queued: the client sees the body cut short, then the close.
            closeFile();
            ending = Ending.AFTER_RESPONSES;
        }
    }

    private void queue(ByteBuffer bytes) {
        pendingOutputBytes += bytes.remaining();
        pendingOutput.add(bytes);
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
        return !pendingOutput.isEmpty() || file != null;
    }

    // tag::wants-input[]
    /**
     * Whether to read from the client now. Not after its end of stream; while lingering, always
     * (to drop what comes); otherwise only while the connection answers requests and its input
     * buffer has room. A full buffer means the client pipelines faster than it reads our answers:
     * we stop reading, and TCP slows the client down (backpressure).
     */
    boolean wantsInput() {
        if (inputEnded) {
            return false;
        }
        return ending == Ending.LINGERING || (ending == Ending.OPEN && input.hasRemaining());
    }
    // end::wants-input[]

    /** Everything is answered and written, and the client may still send: time for a lingering close. */
    boolean readyToLinger() {
        return ending == Ending.AFTER_RESPONSES && !hasPendingOutput() && !inputEnded;
    }

    /** Our FIN is sent; from now on input is read only to be thrown away. */
    void startLingering(long now) {
        ending = Ending.LINGERING;
        lastActivity = now; // the lingering close gets one idle period, however much the client still sends
    }

    /** The client sent end of stream: it will send nothing more, but may still be reading. */
    void endInput() {
        inputEnded = true;
    }

    /** Nothing more will arrive and nothing is left to write: time to close. */
    boolean isFinished() {
        return inputEnded && !hasPendingOutput();
    }

    void touch(long now) {
        if (ending != Ending.LINGERING) {
            lastActivity = now;
        }
    }

    long lastActivity() {
        return lastActivity;
    }
}
