package tutorial.checker;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A local TCP relay between the JDK's HttpClient and the server: the client connects here, and
 * every byte is copied to the server and back, and put on the wire log. Two reasons: the FAIL
 * line shows what the client really sent and got, and when the check ends, closing the relay
 * closes the client's connection to the server. The HttpClient of JDK 17 to 20 cannot be closed,
 * and it keeps a connection open after a failed exchange; a server that serves one connection at
 * a time would wait on it for ever.
 *
 * <p>Over TLS the client must still see the server's own name and port in its URL: it checks the
 * names on the certificate against the host of the URL, sends it by SNI, and puts it in the Host
 * header. So for TLS the relay is a proxy that the client asks for a tunnel ({@code CONNECT
 * host:port}, the way clients reach an https:// server through an HTTP proxy), and then copies
 * the bytes, TLS records that it cannot read, both ways: the client talks to the server end to end.
 */
final class Relay implements Closeable {

    /** A plain relay that the client takes for the server, or a tunnel that it asks for by CONNECT. */
    enum Mode { TRANSPARENT, TUNNEL }

    private static final int MAX_CONNECT_HEAD = 8 * 1024;

    private final Mode mode;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final CheckContext context;
    private final String who;

    Relay(CheckContext context, String who, Mode mode) throws IOException {
        this.mode = mode;
        this.context = context;
        this.who = who;
        listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        daemon(this::acceptUntilClosed, "checker-relay");
    }

    int port() {
        return listener.getLocalPort();
    }

    private void acceptUntilClosed() {
        while (!listener.isClosed()) {
            try {
                Socket client = track(listener.accept());
                String tunnel = mode == Mode.TUNNEL ? readConnect(client) : null;
                Socket server = track(new Socket());
                server.connect(context.settings().address(), (int) context.timeout().toMillis());
                if (tunnel != null) {
                    client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    context.wire().note(who, "asked the relay for a tunnel (" + tunnel + "), got 200; TLS records follow");
                }
                daemon(() -> copy(client, server, true), "checker-relay-out");
                daemon(() -> copy(server, client, false), "checker-relay-in");
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    context.wire().note(who, "could not reach the server: " + e.getMessage());
                }
            }
        }
    }

    /** The client's request for a tunnel, "CONNECT host:port HTTP/1.1", read up to its blank line. */
    private String readConnect(Socket client) throws IOException {
        client.setSoTimeout((int) context.timeout().toMillis());
        InputStream in = client.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        // One byte at a time: what follows the head belongs to the tunnel, and we must not take it.
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b == -1 || head.size() > MAX_CONNECT_HEAD) {
                throw new IOException("the client asked for no tunnel");
            }
            head.write(b);
        }
        client.setSoTimeout(0);
        String request = head.toString(StandardCharsets.ISO_8859_1);
        return request.substring(0, request.indexOf("\r\n"));
    }

    /** Copies until end of stream, then passes the half-close on; an error closes both sides. */
    private void copy(Socket from, Socket to, boolean outgoing) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int read;
            while ((read = in.read(buffer)) != -1) {
                if (outgoing) {
                    context.wire().sent(who, buffer, 0, read);
                } else {
                    context.wire().received(who, buffer, 0, read);
                }
                out.write(buffer, 0, read);
            }
            if (!outgoing) {
                context.wire().note(who, "got end of stream");
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private Socket track(Socket socket) {
        sockets.add(socket);
        return socket;
    }

    private static void daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        closeQuietly(listener);
        sockets.forEach(Relay::closeQuietly);
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // closing at the end of a check: nothing more to say
        }
    }
}
