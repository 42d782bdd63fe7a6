package tutorial.checker;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * A TLS client made of the JDK's {@link SSLEngine} on a plain TCP socket, for the checks that look
 * under TLS. It writes its records in the pieces a check asks for (one byte per write), and it
 * tells the server's close_notify from a bare TCP FIN: an SSLSocket ends its stream the same way
 * for both. It talks through {@link #plaintextInput()} and {@link #plaintextOutput()}, on which an
 * {@link HttpConnection} reads and writes HTTP as on any socket.
 */
final class TlsPeer implements Closeable {

    /** How the records leave: as the engine makes them, or one byte per write. */
    enum Pace { WHOLE, ONE_BYTE_PER_WRITE }

    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    private final String name;
    private final Socket tcp;
    private final InputStream in;
    private final OutputStream out;
    private final SSLEngine engine;
    private final Wire wire;
    // The handshake's bytes, put on the check's wire only if the handshake fails.
    private final Wire handshakeWire = new Wire();
    private final ByteBuffer netIn; // records read, not yet unwrapped: fill mode
    private final ByteBuffer plaintext; // unwrapped, not yet read: drain mode
    private Pace pace;
    private boolean handshaking = true;
    private long bytesSent;
    private int writesMade;
    private boolean closeNotifyReceived;
    private boolean endOfStream;

    private TlsPeer(String name, Socket tcp, SSLEngine engine, CheckContext context, Pace pace) throws IOException {
        this.name = name;
        this.tcp = tcp;
        this.in = tcp.getInputStream();
        this.out = tcp.getOutputStream();
        this.engine = engine;
        this.wire = context.wire();
        this.pace = pace;
        this.netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        this.plaintext = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize()).flip();
        tcp.setSoTimeout((int) context.timeout().toMillis());
    }

    /** Connects and does the TLS handshake, its records written at {@code pace}; or FAILs with why not. */
    static TlsPeer connect(CheckContext context, String name, Pace pace) throws CheckFailed {
        TlsConnector tls = TlsChecks.connector(context);
        InetSocketAddress address = context.settings().address();
        Connector.Link link;
        try {
            link = Connector.PLAIN.open(address, context.timeout(), 0, context.wire(), name);
        } catch (SocketTimeoutException e) {
            context.wire().note(name, "got no handshake in " + Wire.seconds(context.timeout()));
            throw new CheckFailed(name + " could not connect: no handshake in " + Wire.seconds(context.timeout()), name);
        } catch (IOException e) {
            throw new CheckFailed(name + " could not connect: " + e.getMessage(), name);
        }
        context.track(link.tcp());
        TlsPeer peer = null;
        try {
            peer = context.track(new TlsPeer(name, link.tcp(), tls.clientEngine(address), context, pace));
            peer.handshake();
            return peer;
        } catch (IOException e) {
            if (peer != null) {
                peer.handshakeWire.copyTo(context.wire());
            }
            TlsConnector.HandshakeFailed failed = tls.handshakeFailed(e, address, context.timeout());
            throw new CheckFailed(name + " could not connect: " + failed.getMessage(), name).learning(failed.learn());
        }
    }

    private void handshake() throws IOException {
        engine.beginHandshake();
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_TASK -> runTasks();
                case NEED_WRAP -> wrapAndSend(NOTHING);
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> unwrapOnce();
                default -> {
                    // NOT_HANDSHAKING: in TLS 1.3 the client is done once its Finished is wrapped
                    handshaking = false;
                    return;
                }
            }
        }
    }

    String name() {
        return name;
    }

    Socket tcp() {
        return tcp;
    }

    /** From now on, the records leave at this pace. */
    void pace(Pace pace) {
        this.pace = pace;
    }

    /** How many bytes of records were written, and in how many writes, so far. */
    long bytesSent() {
        return bytesSent;
    }

    int writesMade() {
        return writesMade;
    }

    /** The server's close_notify has come (its stream of plaintext is over, and it said so). */
    boolean closeNotifyReceived() {
        return closeNotifyReceived;
    }

    /** TCP's end of stream has come (after a close_notify or without one). */
    boolean endOfStream() {
        return endOfStream;
    }

    /** The decrypted stream: -1 at the server's close_notify, or at a FIN without one (see {@link #closeNotifyReceived()}). */
    InputStream plaintextInput() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) == -1 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] bytes, int offset, int length) throws IOException {
                while (!plaintext.hasRemaining()) {
                    if (closeNotifyReceived || endOfStream) {
                        return -1;
                    }
                    unwrapOnce();
                }
                int count = Math.min(length, plaintext.remaining());
                plaintext.get(bytes, offset, count);
                return count;
            }

            @Override
            public int available() {
                return plaintext.remaining();
            }
        };
    }

    /** Each write becomes records, written at the peer's pace. */
    OutputStream plaintextOutput() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                wrapAndSend(ByteBuffer.wrap(bytes, offset, length));
            }
        };
    }

    /** TLS's end of stream, our side only: the TCP connection stays open both ways. */
    void sendCloseNotify() throws IOException {
        engine.closeOutbound();
        wrapAndSend(NOTHING);
        wire.note(name, "sent close_notify (and no FIN)");
    }

    /** {@code bytes}, then close_notify, in one write (one TCP segment): the server reads them together. */
    void sendWithCloseNotify(byte[] bytes) throws IOException {
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        wrapInto(ByteBuffer.wrap(bytes), records);
        engine.closeOutbound();
        wrapInto(NOTHING, records);
        wire.sent(name, bytes, 0, bytes.length);
        wire.note(name, "sent close_notify right behind it, in the same write (and no FIN)");
        write(records.toByteArray());
    }

    /** True once our close_notify has gone. */
    boolean closeNotifySent() {
        return engine.isOutboundDone();
    }

    /**
     * After the server's close_notify: waits at most {@code wait} for its FIN. True once TCP's end
     * of stream comes; false if the connection is still open then.
     */
    boolean awaitEndOfStream(Duration wait) throws IOException {
        byte[] drop = new byte[1024];
        int timeout = tcp.getSoTimeout();
        tcp.setSoTimeout((int) Math.max(1, wait.toMillis()));
        try {
            while (!endOfStream) {
                if (in.read(drop) == -1) {
                    endOfStream = true;
                    wire.note(name, "got end of stream (FIN)");
                }
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } finally {
            tcp.setSoTimeout(timeout);
        }
    }

    /** One unwrap, and first a read from the socket if what it holds is not a whole record. */
    private void unwrapOnce() throws IOException {
        SSLEngineResult result;
        plaintext.compact();
        try {
            netIn.flip();
            try {
                result = engine.unwrap(netIn, plaintext);
            } finally {
                netIn.compact();
            }
        } finally {
            plaintext.flip();
        }
        switch (result.getStatus()) {
            case BUFFER_UNDERFLOW -> readRecords();
            case CLOSED -> {
                if (engine.isInboundDone() && !closeNotifyReceived) {
                    closeNotifyReceived = true;
                    wire.note(name, "got close_notify");
                }
            }
            case BUFFER_OVERFLOW -> throw new SSLException("a record larger than the engine's own limit");
            default -> {
                // OK: plaintext, a session ticket, or a step of the handshake
            }
        }
        // After the handshake the server may ask for an answer (a key update): give it.
        if (!handshaking && engine.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
            runTasks();
        }
        if (!handshaking && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            wrapAndSend(NOTHING);
        }
    }

    private void readRecords() throws IOException {
        int read = in.read(netIn.array(), netIn.arrayOffset() + netIn.position(), netIn.remaining());
        if (read == -1) {
            endOfStream = true;
            if (handshaking) {
                handshakeWire.note(name, "got end of stream");
                throw new EOFException("the server closed the connection in the middle of the handshake");
            }
            wire.note(name, "got end of stream (FIN)" + (closeNotifyReceived ? "" : " with no close_notify before it")
                    + (netIn.position() > 0 ? ", in the middle of a record" : ""));
            return;
        }
        if (handshaking) {
            handshakeWire.received(name, netIn.array(), netIn.arrayOffset() + netIn.position(), read);
        }
        netIn.position(netIn.position() + read);
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private void wrapAndSend(ByteBuffer source) throws IOException {
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        wrapInto(source, records);
        write(records.toByteArray());
    }

    private void wrapInto(ByteBuffer source, ByteArrayOutputStream records) throws SSLException {
        ByteBuffer netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        do {
            netOut.clear();
            SSLEngineResult result = engine.wrap(source, netOut);
            records.write(netOut.array(), 0, netOut.position());
            if (result.getStatus() != SSLEngineResult.Status.OK || result.bytesProduced() == 0) {
                break; // CLOSED after close_notify, or nothing to say
            }
        } while (source.hasRemaining());
    }

    private void write(byte[] records) throws IOException {
        if (records.length == 0) {
            return;
        }
        if (handshaking) {
            handshakeWire.sent(name, records, 0, records.length);
        }
        if (pace == Pace.WHOLE) {
            out.write(records);
            writesMade++;
        } else {
            for (byte b : records) {
                out.write(b);
                writesMade++;
                pause(); // so that each byte arrives, and is read, on its own
            }
        }
        out.flush();
        bytesSent += records.length;
    }

    private static void pause() throws InterruptedIOException {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    @Override
    public void close() throws IOException {
        tcp.close();
    }
}
