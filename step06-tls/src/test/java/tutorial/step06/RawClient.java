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

/**
 * A blocking socket that sends exactly the bytes a test gives it and reads responses the way
 * HTTP frames them: the head up to the blank line, then Content-Length bytes of body. Every read
 * gives up after 20 seconds, so a server that never answers fails the test instead of hanging it.
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

    private final Socket socket;
    private final InputStream in;

    RawClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 20_000);
        socket.setSoTimeout(20_000);
        in = new BufferedInputStream(socket.getInputStream());
    }

    RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** Sends the bytes one at a time, each in a write (and so a TCP segment) of its own. */
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

    /** True if the server closed the connection cleanly (end of stream, no more bytes, no reset). */
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
