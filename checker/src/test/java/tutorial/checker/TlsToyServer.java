package tutorial.checker;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small HTTPS server for the tests, a thread per connection on the JDK's SSLSocket, that
 * answers every request with a short page, and can be broken on purpose in one way at a time, to
 * show that each TLS check fails for the reason it names (or do chapter 07's exercise 2).
 */
final class TlsToyServer implements AutoCloseable {

    /** What this server does differently: a mistake, or an exercise. */
    enum Variant {
        /** Nothing: close_notify before every close. */
        CORRECT,
        /** Every close a bare TCP FIN: no close_notify, neither first nor as an answer. */
        BARE_FIN,
        /** Reads once and takes that for the whole ClientHello: a hello that comes in pieces is dropped. */
        CLIENT_HELLO_IN_ONE_READ,
        /** Bytes that are not TLS: the connection is left open, with no word. */
        PLAIN_TEXT_LEFT_OPEN,
        /** Chapter 07's exercise 2: plain HTTP gets a redirect to https://, in plain text, then the close. */
        PLAIN_TEXT_REDIRECTED
    }

    static final String PAGE = "hello over TLS\n";

    private final ThreadPerConnectionServer server;

    TlsToyServer(SSLContext context, Variant variant) throws IOException {
        server = new ThreadPerConnectionServer(socket -> serve(context, variant, socket));
    }

    int port() {
        return server.port();
    }

    private static void serve(SSLContext context, Variant variant, Socket socket) throws IOException {
        InputStream consumed = InputStream.nullInputStream();
        if (variant != Variant.CORRECT && variant != Variant.BARE_FIN) {
            byte[] first = new byte[16 * 1024];
            int read = socket.getInputStream().read(first);
            if (read <= 0) {
                return;
            }
            if (first[0] != 22 && variant == Variant.PLAIN_TEXT_LEFT_OPEN) {
                socket.getInputStream().transferTo(OutputStream.nullOutputStream()); // until the client leaves
                return;
            }
            if (first[0] != 22 && variant == Variant.PLAIN_TEXT_REDIRECTED) {
                socket.getOutputStream().write(("HTTP/1.1 301 Moved Permanently\r\nLocation: https://localhost:"
                        + socket.getLocalPort() + "/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                socket.shutdownOutput(); // our FIN; then what the client still sends, until its own
                socket.getInputStream().transferTo(OutputStream.nullOutputStream());
                return;
            }
            int record = read >= 5 ? 5 + ((first[3] & 0xFF) << 8 | (first[4] & 0xFF)) : Integer.MAX_VALUE;
            if (variant == Variant.CLIENT_HELLO_IN_ONE_READ && read < record) {
                return; // "not a whole hello: not TLS": the bug
            }
            consumed = new ByteArrayInputStream(Arrays.copyOf(first, read));
        }
        // A server-mode SSLSocket on the accepted socket, fed first with what was read already.
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, consumed, true);
        InputStream in = tls.getInputStream();
        OutputStream out = tls.getOutputStream();
        while (true) {
            String head = readHead(in);
            if (head == null) {
                break; // the client's close_notify (or FIN)
            }
            byte[] body = PAGE.getBytes(StandardCharsets.US_ASCII);
            boolean close = head.toLowerCase(Locale.ROOT).contains("\r\nconnection: close");
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\n"
                    + (close ? "Connection: close\r\n" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            if (close) {
                break;
            }
        }
        if (variant == Variant.BARE_FIN) {
            socket.close(); // under the SSLSocket: TCP's FIN, and not a word of TLS
        } else {
            tls.close(); // close_notify first
        }
    }

    /** A request head up to its blank line, or null at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b == -1) {
                return null;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
