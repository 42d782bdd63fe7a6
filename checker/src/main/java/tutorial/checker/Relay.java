package tutorial.checker;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A local TCP relay between the JDK's HttpClient and the server: the client connects here, and
 * every byte is copied to the server and back, and put on the wire log. Two reasons: the FAIL
 * line shows what the client really sent and got, and when the check ends, closing the relay
 * closes the client's connection to the server. The HttpClient of JDK 17 to 20 cannot be closed,
 * and it keeps a connection open after a failed exchange; a server that serves one connection at
 * a time would wait on it for ever. The relay copies bytes only, so a client that speaks TLS
 * through it still talks to the server end to end.
 */
final class Relay implements Closeable {

    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final CheckContext context;
    private final String who;

    Relay(CheckContext context, String who) throws IOException {
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
                Socket server = track(new Socket());
                server.connect(context.settings().address(), (int) context.timeout().toMillis());
                daemon(() -> copy(client, server, true), "checker-relay-out");
                daemon(() -> copy(server, client, false), "checker-relay-in");
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    context.wire().note(who, "could not reach the server: " + e.getMessage());
                }
            }
        }
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
