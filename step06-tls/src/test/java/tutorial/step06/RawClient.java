package tutorial.step06;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLSocket;

/**
 * A blocking TLS socket, trusting the test certificate, that sends exactly the bytes a test gives
 * it and reads responses the way HTTP frames them: the head up to the blank line, then
 * Content-Length bytes of body. Every read gives up after 20 seconds, so a server that never
 * answers fails the test instead of hanging it. Each {@code send} is one write, and so one TLS
 * record (up to 16 KiB).
 */
final class RawClient implements AutoCloseable {

    record RawResponse(int status, String head, Map<String, String> headers, byte[] body) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final SSLSocket socket;
    private final InputStream in;

    /** Connected, and the handshake done. */
    RawClient(int port) throws IOException {
        this(port, 0, true);
    }

    /**
     * With {@code receiveBufferSize} > 0, a small window: the server can send only that much
     * ahead. With {@code handshakeNow} false, the handshake waits for the first send or read: a
     * client that the server has not accepted yet (it waits in the backlog) can be made all the same.
     */
    RawClient(int port, int receiveBufferSize, boolean handshakeNow) throws IOException {
        Socket plain = new Socket();
        if (receiveBufferSize > 0) {
            plain.setReceiveBufferSize(receiveBufferSize); // before connect: the window is agreed then
        }
        plain.connect(new InetSocketAddress("127.0.0.1", port), 20_000);
        plain.setSoTimeout(20_000);
        socket = (SSLSocket) TestCertificate.localhost().clientContext().getSocketFactory()
                .createSocket(plain, "localhost", port, true);
        if (handshakeNow) {
            socket.startHandshake();
        }
        in = new BufferedInputStream(socket.getInputStream());
    }

    /** Connected, the handshake left for the first send: for a server that may not accept at once. */
    static RawClient connectOnly(int port) throws IOException {
        return new RawClient(port, 0, false);
    }

    RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** Sends the bytes one at a time, each in a write (and so a TLS record and a TCP segment) of its own. */
    void sendByteByByte(String text) throws IOException {
        socket.setTcpNoDelay(true); // or Nagle would gather the bytes again into few segments
        for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
            socket.getOutputStream().write(b);
            socket.getOutputStream().flush();
        }
    }

    /** Reads one response; {@code headRequest} says there is no body to read (the answer to HEAD). */
    RawResponse readResponse(boolean headRequest) throws IOException {
        String head = readHead();
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        int length = headRequest ? 0 : Integer.parseInt(headers.get("content-length"));
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new EOFException("body ended after " + body.length + " of " + length + " bytes");
        }
        return new RawResponse(status, head, headers, body);
    }

    RawResponse readResponse() throws IOException {
        return readResponse(false);
    }

    /** This end's address, as the server's log names the connection: {@code /127.0.0.1:40000}. */
    String localAddress() {
        return socket.getLocalSocketAddress().toString();
    }

    /** The raw stream, for a test that reads at its own pace. */
    InputStream input() {
        return in;
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0; // how much of CR LF CR LF we have just seen
        while (matched < 4) {
            int b = in.read();
            if (b == -1) {
                throw new EOFException("connection closed after " + head.size() + " bytes of a response head");
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1).stripTrailing();
    }

    /** True if the server closed the connection cleanly (close_notify or end of stream, no more bytes, no reset). */
    boolean closedByServer() throws IOException {
        return in.read() == -1;
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
