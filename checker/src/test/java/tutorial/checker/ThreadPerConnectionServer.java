package tutorial.checker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small blocking server with a thread per connection, for the tests: with {@link #echo()} it
 * is the solution of exercise 02.4 (step 02 made concurrent); with the other handlers it is a
 * deliberately broken echo server, to show that a check can fail.
 */
final class ThreadPerConnectionServer implements AutoCloseable {

    /** What the server does with one connection, on that connection's own thread. */
    @FunctionalInterface
    interface Handler {
        void serve(Socket socket) throws IOException;
    }

    private final ServerSocket listener;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();

    ThreadPerConnectionServer(Handler handler) throws IOException {
        // A backlog of 200: the many-clients check connects 100 clients at once.
        listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> acceptUntilClosed(handler), "toy-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Step 02's echo, on a thread per connection: read up to 1024 bytes, write them all, until end of stream. */
    static Handler echo() {
        return socket -> {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[1024];
            int read;
            while ((read = in.read(buffer)) != -1) {
                socket.getOutputStream().write(buffer, 0, read); // a blocking write writes them all
            }
        };
    }

    /** Broken: reads, never answers. */
    static Handler silent() {
        return socket -> socket.getInputStream().transferTo(OutputStream.nullOutputStream());
    }

    /** Broken: takes one read for one message, echoes it and hangs up. */
    static Handler echoOneReadThenClose() {
        return socket -> {
            byte[] buffer = new byte[1024];
            int read = socket.getInputStream().read(buffer);
            if (read > 0) {
                socket.getOutputStream().write(buffer, 0, read);
            }
        };
    }

    int port() {
        return listener.getLocalPort();
    }

    private void acceptUntilClosed(Handler handler) {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                connections.add(socket);
                Thread thread = new Thread(() -> {
                    try (socket) {
                        handler.serve(socket);
                    } catch (IOException e) {
                        // the client went away, or close() ended it
                    } finally {
                        connections.remove(socket);
                    }
                }, "toy-connection");
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                return; // close() closed the listener
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : connections) {
            socket.close();
        }
    }
}
