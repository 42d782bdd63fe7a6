package tutorial.step06;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay between one client and the server that decides how the client's bytes travel, so a
 * test can make TLS records arrive as it needs: as they come, one byte per TCP segment, or held
 * back and then sent together in one write. It never looks inside: TLS passes through it.
 */
final class Relay implements AutoCloseable {

    enum Mode { AS_THEY_COME, BYTE_BY_BYTE, HELD, HELD_AFTER_CLIENT_HELLO }

    private final ServerSocket listener;
    private final int serverPort;
    private final List<Socket> sockets = new ArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private OutputStream toServer;
    private Mode mode;
    private long bytesToServer;
    private boolean serverHeld;

    Relay(int serverPort, Mode mode) throws IOException {
        this.serverPort = serverPort;
        this.mode = mode;
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        start("relay-accept", this::acceptOne);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** From now on, the client's bytes are kept here until {@link #release()}. */
    synchronized void hold() {
        mode = Mode.HELD;
    }

    /**
     * How many whole TLS records are being held, or -1 if the last one is not whole yet. A record
     * is a 5-byte header (type, version, length in two bytes), then that many bytes.
     */
    synchronized int heldRecords() {
        byte[] bytes = held.toByteArray();
        int records = 0;
        int at = 0;
        while (at + 5 <= bytes.length) {
            at += 5 + ((bytes[at + 3] & 0xFF) << 8 | (bytes[at + 4] & 0xFF));
            records++;
        }
        return at == bytes.length ? records : -1;
    }

    /** How many of the client's bytes have gone on to the server. */
    synchronized long bytesToServer() {
        return bytesToServer;
    }

    /**
     * From now on, nothing more is read from the server: once the kernel's buffers between the
     * two are full, the server's writes take nothing, as with a client that stopped reading.
     */
    synchronized void holdServer() {
        serverHeld = true;
    }

    synchronized void releaseServer() {
        serverHeld = false;
        notifyAll();
    }

    /** Sends everything held in one write (one TCP segment on loopback), then relays as they come. */
    synchronized void release() throws IOException {
        toServer.write(held.toByteArray());
        toServer.flush();
        bytesToServer += held.size();
        held.reset();
        mode = Mode.AS_THEY_COME;
    }

    private void acceptOne() {
        try {
            Socket client = listener.accept();
            Socket server = new Socket();
            server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort), 20_000);
            server.setTcpNoDelay(true); // each write its own segment: nothing gathered behind our back
            synchronized (this) {
                sockets.add(client);
                sockets.add(server);
                toServer = server.getOutputStream();
            }
            start("relay-to-client", () -> pumpFromServer(server.getInputStream(), client));
            pumpFromClient(client.getInputStream(), server);
        } catch (IOException e) {
            // closed by the test: the relay's work is over
        }
    }

    private void pumpFromClient(InputStream in, Socket server) throws IOException {
        byte[] buffer = new byte[65536];
        int count;
        while ((count = in.read(buffer)) != -1) {
            synchronized (this) {
                switch (mode) {
                    case AS_THEY_COME -> {
                        toServer.write(buffer, 0, count);
                        bytesToServer += count;
                    }
                    case BYTE_BY_BYTE -> {
                        for (int i = 0; i < count; i++) {
                            toServer.write(buffer[i]);
                            toServer.flush();
                        }
                        bytesToServer += count;
                    }
                    case HELD -> held.write(buffer, 0, count);
                    case HELD_AFTER_CLIENT_HELLO -> {
                        held.write(buffer, 0, count);
                        forwardFirstRecordOnceWhole();
                    }
                }
                toServer.flush();
            }
        }
        server.shutdownOutput();
    }

    /** The handshake starts (the ClientHello passes); what the client sends next is held. */
    private void forwardFirstRecordOnceWhole() throws IOException {
        byte[] bytes = held.toByteArray();
        if (bytes.length < 5) {
            return;
        }
        int length = 5 + ((bytes[3] & 0xFF) << 8 | (bytes[4] & 0xFF));
        if (bytes.length >= length) {
            toServer.write(bytes, 0, length);
            bytesToServer += length;
            held.reset();
            held.write(bytes, length, bytes.length - length);
            mode = Mode.HELD;
        }
    }

    private void pumpFromServer(InputStream in, Socket client) {
        byte[] buffer = new byte[65536];
        try {
            int count;
            while (waitUntilServerReleased() && (count = in.read(buffer)) != -1) {
                client.getOutputStream().write(buffer, 0, count);
            }
            client.shutdownOutput();
        } catch (IOException e) {
            // one side went away: the other learns it when the test closes the relay
        }
    }

    private synchronized boolean waitUntilServerReleased() {
        while (serverHeld) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private interface Work {
        void run() throws IOException;
    }

    private void start(String name, Work work) {
        Thread thread = new Thread(() -> {
            try {
                work.run();
            } catch (IOException e) {
                // the sockets were closed: the relay is done
            }
        }, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        releaseServer();
        listener.close();
        synchronized (this) {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        for (Thread thread : threads) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
