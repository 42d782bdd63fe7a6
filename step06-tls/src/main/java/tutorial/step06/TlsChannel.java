package tutorial.step06;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS for one connection, between the socket and the HTTP code. The loop reads plaintext from
 * it and writes plaintext to it, as it did to the socket in step 05; in between, an
 * {@link SSLEngine} decrypts and encrypts. The engine never touches the socket: it turns TLS
 * records into plaintext ({@code unwrap}) and plaintext into records ({@code wrap}), buffer to
 * buffer, and says what the handshake needs next. Moving the records between the socket and the
 * engine is this class's job. Four buffers take part:
 *
 * <pre>
 *   socket --read--> netIn --unwrap--> plaintext input (the loop's buffer)  --> RequestParser
 *   socket <-write-- netOut <--wrap--- plaintext output (Connection's queue of responses)
 * </pre>
 *
 * The two network buffers are this class's own, from accept to close; the two plaintext ones
 * belong to the caller.
 */
final class TlsChannel implements ReadableByteChannel, GatheringByteChannel {

    /** A handshake step that keeps the loop this long gets a line in the log. */
    static final long SLOW_TASK_MILLIS = 20;
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    private final SocketChannel socket;
    private final SSLEngine engine;
    private final SocketAddress address;
    private final Log log;
    // Records read from the socket, not yet decrypted: in fill mode, as step 05's input is.
    private final ByteBuffer netIn;
    // Records encrypted, not yet written: in drain mode, between position and limit.
    private final ByteBuffer netOut;
    private boolean inputEnded;
    private boolean shutDownOutputWhenFlushed;
    private boolean failed;
    private boolean handshakeDone;

    // tag::engine[]
    /** TLS 1.3 only, as the server side, offering HTTP/1.1 only by ALPN. */
    static TlsChannel serverSide(SSLContext context, SocketChannel socket, SocketAddress address, Log log) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters parameters = engine.getSSLParameters();
        // TLS 1.2 is refused, and with it renegotiation (1.3 has none): one handshake per
        // connection, at its start, plus the key updates 1.3 allows at any time.
        parameters.setProtocols(new String[] {"TLSv1.3"});
        // A browser offers "h2, http/1.1": this server speaks only the second, and says so.
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        engine.setSSLParameters(parameters);
        return new TlsChannel(socket, engine, address, log);
    }

    TlsChannel(SocketChannel socket, SSLEngine engine, SocketAddress address, Log log) {
        this.socket = socket;
        this.engine = engine;
        this.address = address;
        this.log = log;
        // Sized by the engine, not guessed: a record is up to 16 KiB of plaintext plus its
        // header and tag, and unwrap/wrap refuse to work with less room than a whole one.
        this.netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        this.netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize()).flip();
    }
    // end::engine[]

    // tag::room[]
    /**
     * The plaintext a whole record can hold (16,704 bytes): the least room a read must have.
     * unwrap decrypts a record whole or not at all, and one read may bring a full netIn of
     * records; a record that finds no room stays in netIn, read already, and select() would
     * never say so: its bytes are no longer in the socket.
     */
    int applicationBufferSize() {
        return engine.getSession().getApplicationBufferSize();
    }
    // end::room[]

    /** The bytes of buffers this connection keeps for TLS from accept to close: netIn and netOut. */
    int networkBufferBytes() {
        return netIn.capacity() + netOut.capacity();
    }

    /** The handshake is over: data may flow. Until then no HTTP can be said, not even a 408. */
    boolean isHandshakeDone() {
        return handshakeDone;
    }

    // tag::read[]
    /**
     * Reads what the socket has, decrypts every whole record of it into {@code plaintext}, and
     * does whatever the handshake asks for on the way. Returns the plaintext bytes added (0
     * while the handshake goes on), or -1 once the client is done: its close_notify, or the end
     * of the TCP stream. The last request and the close_notify often come in one read: then the
     * request is in {@code plaintext} all the same, and -1 says that nothing follows it (the
     * loop answers what the input holds when it ends, as step 05 did after a FIN).
     */
    @Override
    public int read(ByteBuffer plaintext) throws IOException {
        flush(); // a handshake message still waiting goes out first
        int count = socket.read(netIn);
        Trace.socketRead(count, address);
        if (count == -1) {
            inputEnded = true; // a TCP FIN without close_notify: the engine cannot vouch for the end
        }
        int produced = unwrapAll(plaintext);
        return inputEnded ? -1 : produced;
    }

    private int unwrapAll(ByteBuffer plaintext) throws IOException {
        int produced = 0;
        // One read may bring several records (curl's 181-byte read held three: the end of the
        // handshake and the request), and select() will not fire again for bytes already read:
        // so go on for as long as anything moves.
        boolean progress = true;
        while (progress) {
            HandshakeStatus handshake = engine.getHandshakeStatus();
            if (handshake == HandshakeStatus.NEED_TASK) {
                runTasks();
                continue;
            }
            // The engine has something to send (its part of the handshake, a session ticket, its
            // answer to a key update): wrap it now, there may be no data to carry it for a while.
            // In TLS 1.3 the server's handshake ends on such a wrap (the session ticket, after the
            // client's Finished): only that wrap's result says FINISHED, so we never wait for it.
            if (handshake == HandshakeStatus.NEED_WRAP && wrapForHandshake()) {
                continue;
            }
            if (netIn.position() == 0) {
                return produced; // every record read so far is unwrapped
            }
            SSLEngineResult result = unwrap(plaintext);
            produced += result.bytesProduced();
            switch (result.getStatus()) {
                case OK -> progress = result.bytesConsumed() > 0 || result.bytesProduced() > 0;
                // Half a record: as with half a request line, keep it (unwrap left it in netIn,
                // compacted) and wait for the rest.
                case BUFFER_UNDERFLOW -> progress = false;
                // No room for a whole record's plaintext: not while the caller reads with room
                // for applicationBufferSize(); the record waits in netIn.
                case BUFFER_OVERFLOW -> progress = false;
                case CLOSED -> { // the client's close_notify: it will send nothing more
                    inputEnded = true;
                    return produced;
                }
            }
        }
        return produced;
    }
    // end::read[]

    private SSLEngineResult unwrap(ByteBuffer plaintext) throws SSLException {
        netIn.flip();
        try {
            SSLEngineResult result = engine.unwrap(netIn, plaintext);
            Trace.engine("unwrap", result, address);
            handshakeDone |= result.getHandshakeStatus() == HandshakeStatus.FINISHED;
            return result;
        } catch (SSLException e) {
            failed = true; // not TLS, or not ours: nothing more can be said on this connection
            throw e;
        } finally {
            netIn.compact();
        }
    }

    // tag::tasks[]
    /**
     * The engine's slow steps (checking the client's hello, choosing a key, signing with it) come
     * as tasks for us to run, so that a server may run them on other threads. We run them here,
     * on the loop thread: simple, and every other client waits meanwhile. That wait is measured
     * and logged when it is long.
     */
    private void runTasks() {
        long start = System.nanoTime();
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        Trace.task(millis, address);
        if (millis >= SLOW_TASK_MILLIS) {
            log.notice("TLS handshake work for " + address + " took " + millis
                    + " ms on the loop thread: every other client waited that long");
        }
    }
    // end::tasks[]

    // tag::write[]
    /**
     * Encrypts as much of {@code sources} as the socket takes now, and writes it. Returns the
     * plaintext bytes taken, which may have left only partly: what is still in netOut goes
     * before anything else ({@link #hasPendingOutput()}).
     */
    @Override
    public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
        long taken = 0;
        // Wrap only into an emptied netOut: wrap needs room for a whole record (it answers
        // BUFFER_OVERFLOW otherwise), and clearing netOut to make room would throw away
        // encrypted bytes that the socket has not taken yet.
        while (flush() && (hasRemaining(sources, offset, length)
                || engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP)) {
            // After the handshake the engine may still need to send: its answer to a client's
            // key update, a session ticket. A wrap sends that first, then our data.
            SSLEngineResult result = wrap(sources, offset, length);
            taken += result.bytesConsumed();
            if (result.bytesProduced() == 0) {
                break; // the handshake is not done: no data may leave yet
            }
        }
        return taken;
    }
    // end::write[]

    @Override
    public long write(ByteBuffer[] sources) throws IOException {
        return write(sources, 0, sources.length);
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
        return (int) write(new ByteBuffer[] {source}, 0, 1);
    }

    /** Encrypted bytes wait in netOut (the socket took only part of them), or our FIN does. */
    boolean hasPendingOutput() {
        return netOut.hasRemaining() || shutDownOutputWhenFlushed;
    }

    /** What the engine asks to send, sent; false if netOut is not empty yet, or nothing came. */
    private boolean wrapForHandshake() throws IOException {
        if (!flush()) {
            return false;
        }
        SSLEngineResult result = wrap(new ByteBuffer[] {NOTHING}, 0, 1);
        flush();
        return result.bytesProduced() > 0;
    }

    private SSLEngineResult wrap(ByteBuffer[] sources, int offset, int length) throws SSLException {
        netOut.clear();
        try {
            SSLEngineResult result = engine.wrap(sources, offset, length, netOut);
            Trace.engine("wrap", result, address);
            handshakeDone |= result.getHandshakeStatus() == HandshakeStatus.FINISHED;
            return result;
        } finally {
            netOut.flip();
        }
    }

    /** Writes what netOut holds; true once it is empty. */
    private boolean flush() throws IOException {
        if (netOut.hasRemaining()) {
            Trace.socketWrote(socket.write(netOut), address);
        }
        if (!netOut.hasRemaining() && shutDownOutputWhenFlushed && engine.isOutboundDone()) {
            shutDownOutputWhenFlushed = false;
            socket.shutdownOutput();
        }
        return !netOut.hasRemaining();
    }

    // tag::close[]
    /**
     * Ends our side: close_notify (a TLS alert that says "the end is really the end, not an
     * attacker cutting the connection"), then TCP's FIN once the socket has taken it. Reading
     * goes on, for the lingering close.
     */
    void shutdownOutput() throws IOException {
        engine.closeOutbound(); // from now on, all the engine will wrap is close_notify
        shutDownOutputWhenFlushed = true;
        write(new ByteBuffer[0]);
    }

    /**
     * Closes the socket, after one try at sending close_notify if it has not gone yet (an idle
     * connection timed out, a client that closed first). One try is enough here: the socket has
     * just taken all our output, so it has room for 24 more bytes. After a TLS error nothing is
     * sent: the client spoke no TLS, or not ours.
     */
    @Override
    public void close() throws IOException {
        try {
            if (!failed && !engine.isOutboundDone() && !netOut.hasRemaining()) {
                engine.closeOutbound();
                wrap(new ByteBuffer[] {NOTHING}, 0, 1);
                flush();
            }
        } catch (IOException e) {
            // The client is gone already: there is no one to tell.
        } finally {
            socket.close();
        }
    }
    // end::close[]

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    private static boolean hasRemaining(ByteBuffer[] buffers, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (buffers[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }
}
