package tutorial.step06;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayDeque;

/**
 * What the server remembers about one client between two wakeups of the selector, as in step 04,
 * now with HTTP in it: the parser with its half-finished request and the bytes read but not yet
 * parsed (the next pipelined requests may wait there), the responses not yet written (as a queue
 * of buffers, sent with one gathering write) and a large file being streamed, how far the
 * connection is on its way to a close, and the times of the client's last activity and of the
 * first byte of the request head that is arriving, for the two timeouts. A connection with nothing
 * in flight holds no buffer of its own; its {@link TlsChannel} holds two, from accept to close. It
 * takes channels as the narrowest interfaces it needs, so its tests need no socket.
 */
final class Connection {

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
    private final TlsChannel channel;
    // Every byte this connection holds is counted here, with everyone else's.
    private final MemoryBudget budget;
    // The parser of the request head that is arriving: made at its first byte, let go with the
    // request. Between requests a connection holds no parser, and no line a client made long.
    private RequestParser parser;
    // The bytes read from the client that the parser has not taken yet, in drain mode. During a
    // turn of the loop this may be the loop's own buffer, lent for the turn: a request that
    // arrives whole is parsed from there and never copied. Between turns it is null, or a buffer
    // of the connection's own holding exactly the bytes left over (pipelined requests that wait
    // for their turn to be answered).
    private ByteBuffer input;
    private boolean inputIsLent;
    private long headBytes; // bytes of the request head being parsed: the parser holds them
    private long headStartedAt; // System.nanoTime() of the first byte of that head, while headStarted
    private boolean headStarted;
    private final ArrayDeque<ByteBuffer> pendingOutput = new ArrayDeque<>(4);
    private long pendingOutputBytes;
    private SeekableByteChannel file;
    private long fileRemaining;
    private ByteBuffer fileChunk;
    private boolean inputEnded;
    private Ending ending = Ending.OPEN;
    private long lastActivity;
    private final long acceptedAt;

    Connection(SocketAddress address, MemoryBudget budget, long now, TlsChannel channel) {
        this.address = address;
        this.budget = budget;
        this.lastActivity = now;
        this.acceptedAt = now;
        this.channel = channel;
        // The TLS buffers are held from accept to close, idle or not: 33 KiB a connection.
        budget.allocated(channel.networkBufferBytes());
    }

    SocketAddress address() {
        return address;
    }

    /** The client's socket, behind TLS. */
    TlsChannel channel() {
        return channel;
    }

    // tag::read-from[]
    /**
     * Reads what the client sent into {@code buffer}, the loop's, which this connection may parse
     * from until {@link #keepUnparsedInput} at the end of its turn; while lingering, only to drop it.
     */
    int readFrom(ReadableByteChannel channel, ByteBuffer buffer) throws IOException {
        int count = channel.read(buffer);
        // Not "count > 0": over TLS the last request and the client's close_notify can come in
        // one read, which then returns -1 with the request in the buffer all the same.
        if (buffer.position() > 0 && ending != Ending.LINGERING) {
            input = buffer.flip(); // fill mode -> drain mode: the parser takes bytes from position to limit
            inputIsLent = true;
        }
        return count;
    }

    /**
     * The turn is over and the loop's buffer goes to the next connection: what the parser has not
     * taken from it yet is copied into a buffer of this connection's own, exactly as large.
     */
    void keepUnparsedInput() {
        if (inputIsLent && !input.hasRemaining()) {
            dropInput();
        } else if (inputIsLent) {
            ByteBuffer own = ByteBuffer.allocate(input.remaining());
            own.put(input).flip();
            input = own;
            inputIsLent = false;
            budget.allocated(own.capacity());
        }
    }
    // end::read-from[]

    // tag::next-request[]
    /**
     * The next complete request read from the client, or null if there is none to answer now:
     * its bytes have not all arrived, or the connection may answer no more (it is closing, a file
     * is being streamed, or too much output is waiting). A parse error ends the answering: the
     * parser cannot find where the next request would start. {@code now} starts the clock of a
     * request head whose first byte the parser takes.
     */
    Request nextRequest(long now) throws HttpError {
        if (!canAnswer() || input == null) {
            return null;
        }
        if (!headStarted) {
            headStarted = true;
            headStartedAt = now; // blank lines before a request count as its head too
            parser = new RequestParser();
        }
        int before = input.remaining();
        try {
            Request request = parser.parse(input);
            if (request == null) {
                holdHead(before - input.remaining()); // the parser keeps what it took of the head
            } else {
                endHead();
                parser = null;
            }
            return request;
        } catch (HttpError e) {
            ending = Ending.AFTER_RESPONSES;
            endHead(); // the parser stays, for the request line of the error's log line
            throw e;
        } finally {
            if (!input.hasRemaining() || ending != Ending.OPEN) {
                dropInput();
            }
        }
    }
    // end::next-request[]

    private void holdHead(long bytes) {
        headBytes += bytes;
        budget.allocated(bytes);
    }

    private void endHead() {
        budget.released(headBytes);
        headBytes = 0;
        headStarted = false;
    }

    private void dropInput() {
        if (input != null && !inputIsLent) {
            budget.released(input.capacity());
        }
        input = null;
        inputIsLent = false;
    }

    /** A request may be waiting in the bytes read, and the connection could answer it now. */
    boolean hasRequestToAnswer() {
        return canAnswer() && input != null;
    }

    /** Another request may be answered now: responses go out in order, and output stays bounded. */
    private boolean canAnswer() {
        return ending == Ending.OPEN && file == null && pendingOutputBytes < MAX_PENDING_OUTPUT;
    }

    // tag::head-deadline[]
    /** A request head started arriving more than {@code timeout} ago and is still not whole. */
    boolean headOverdue(long now, long timeoutNanos) {
        return ending == Ending.OPEN && headStarted && now - headStartedAt > timeoutNanos;
    }

    /**
     * The TLS handshake, which comes before the first request head, started at the accept more
     * than {@code timeout} ago and is still not done: a client that trickles its hello a byte at
     * a time is never idle, and the parser never sees a byte of it.
     */
    boolean handshakeOverdue(long now, long timeoutNanos) {
        return !channel.isHandshakeDone() && now - acceptedAt > timeoutNanos;
    }
    // end::head-deadline[]

    /**
     * A keep-alive connection with nothing in flight: no request arriving, none waiting, nothing to
     * send. Not while its TLS handshake goes on: with every handshake's crypto on the loop thread,
     * a burst of them keeps the loop away for seconds, and the client that waits for its turn
     * would look idle.
     */
    boolean isBetweenRequests() {
        return ending == Ending.OPEN && !headStarted && input == null && !hasPendingOutput()
                && channel.isHandshakeDone();
    }

    /** Halfway through a request, with nothing owed to the client: the idle timeout answers 408 then. */
    boolean stalledMidRequest() {
        return ending == Ending.OPEN && headStarted && !hasPendingOutput();
    }

    /** The request line of the request being parsed, or null before it arrived: for the log of a failed request. */
    String unfinishedRequestLine() {
        return parser == null ? null : parser.requestLine();
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
            dropInput(); // nothing more will be parsed
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
            dropInput();
        }
    }

    private void queue(ByteBuffer bytes) {
        // What waits to be sent counts in the budget, a cached file's bytes too: they are the
        // cache's, but a response that waits keeps them alive when the cache lets them go.
        pendingOutputBytes += bytes.remaining();
        budget.allocated(bytes.remaining());
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
        budget.released(written);
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

    /** The connection is closed: what it held goes back to the budget, and its file is closed. */
    void release() {
        budget.released(channel.networkBufferBytes());
        budget.released(pendingOutputBytes);
        pendingOutputBytes = 0;
        pendingOutput.clear();
        dropInput();
        endHead();
        closeFile();
        fileChunk = null;
    }

    long pendingOutputBytes() {
        return pendingOutputBytes;
    }

    boolean hasPendingOutput() {
        return !pendingOutput.isEmpty() || file != null || channel.hasPendingOutput();
    }

    /**
     * Bytes this connection holds in memory now: unsent output, unparsed input, a head half
     * received; not the TLS buffers, which every connection holds whatever its client does.
     */
    long heldBytes() {
        return pendingOutputBytes + (input != null && !inputIsLent ? input.capacity() : 0) + headBytes;
    }

    // tag::wants-input[]
    /**
     * Whether to read from the client now. Not after its end of stream; while lingering, always
     * (to drop what comes); otherwise only while the connection answers requests and holds no
     * bytes it has not parsed yet. Those mean the client pipelines faster than it reads our
     * answers: we stop reading, and TCP slows the client down (backpressure).
     */
    boolean wantsInput() {
        if (inputEnded) {
            return false;
        }
        return ending == Ending.LINGERING || (canAnswer() && input == null);
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
