package tutorial.step06;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;

/**
 * A TLS client made of an {@link SSLEngine} and a blocking socket. An SSLSocket ends a stream the
 * same way whether the server sent close_notify or only a FIN; this client tells them apart.
 */
final class EngineClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final SSLEngine engine;
    private final ByteBuffer netIn;
    private final ByteBuffer plaintext;
    private boolean closeNotifyReceived;

    EngineClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 20_000);
        socket.setSoTimeout(20_000);
        in = socket.getInputStream();
        engine = TestCertificate.localhost().clientContext().createSSLEngine("localhost", port);
        engine.setUseClientMode(true);
        netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        plaintext = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        engine.beginHandshake();
        while (engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
            step();
        }
    }

    void send(String text) throws IOException {
        wrapAndWrite(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)));
    }

    /** TLS's end of stream, from our side only. */
    void sendCloseNotify() throws IOException {
        engine.closeOutbound();
        wrapAndWrite(ByteBuffer.allocate(0));
    }

    /** Everything the server sends until its end, whichever kind of end it is. */
    String readUntilTheEnd() throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        while (!engine.isInboundDone()) {
            plaintext.clear();
            if (!step()) {
                break; // end of the TCP stream
            }
            received.write(plaintext.array(), 0, plaintext.position());
        }
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    /** True if the stream ended with the server's close_notify, false if with a bare FIN. */
    boolean closeNotifyReceived() {
        return closeNotifyReceived;
    }

    /** One thing the engine asks for; false at the end of the TCP stream. */
    private boolean step() throws IOException {
        switch (engine.getHandshakeStatus()) {
            case NEED_TASK -> {
                Runnable task;
                while ((task = engine.getDelegatedTask()) != null) {
                    task.run();
                }
            }
            case NEED_WRAP -> wrapAndWrite(ByteBuffer.allocate(0));
            default -> {
                netIn.flip();
                SSLEngineResult result = engine.unwrap(netIn, plaintext);
                netIn.compact();
                closeNotifyReceived |= result.getStatus() == SSLEngineResult.Status.CLOSED;
                if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                    byte[] bytes = new byte[netIn.remaining()];
                    int count = in.read(bytes);
                    if (count == -1) {
                        return false;
                    }
                    netIn.put(bytes, 0, count);
                }
            }
        }
        return true;
    }

    private void wrapAndWrite(ByteBuffer source) throws IOException {
        ByteBuffer records = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        do {
            records.clear();
            engine.wrap(source, records);
            socket.getOutputStream().write(records.array(), 0, records.position());
        } while (source.hasRemaining());
        socket.getOutputStream().flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
