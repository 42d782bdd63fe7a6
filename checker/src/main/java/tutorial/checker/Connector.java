package tutorial.checker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * How the HTTP checks open a connection. Every HTTP check talks through a {@link Socket} made
 * here and a {@link HttpClient} built here, never through its own: {@link #PLAIN} speaks plain
 * TCP, and a {@link TlsConnector} runs the same checks over TLS (an {@code SSLSocket} is a
 * {@code Socket}, and the client gets an {@code SSLContext}).
 */
interface Connector {

    /**
     * A connection made: {@code socket} to talk through, and {@code tcp}, the TCP socket under it
     * (the same one without TLS). Closing {@code tcp} ends the connection at once, whatever the
     * layer above is doing: an SSLSocket's own close first tries to send close_notify, and waits
     * while another thread is stuck in a write to a server that reads nothing.
     */
    record Link(Socket socket, Socket tcp) {
    }

    /**
     * A connected socket, or an exception once {@code timeout} has passed without a handshake.
     * If a TLS handshake fails, what went to and fro is put on {@code wire} for {@code who}.
     */
    Link open(InetSocketAddress address, Duration timeout, int receiveBufferBytes, Wire wire, String who) throws IOException;

    /** "http", or "https" for a TLS connector. */
    String scheme();

    /** A builder for the JDK's HttpClient that talks the same way the sockets do. */
    HttpClient.Builder httpClient();

    /** Plain TCP. */
    Connector PLAIN = new Connector() {
        @Override
        public Link open(InetSocketAddress address, Duration timeout, int receiveBufferBytes, Wire wire, String who)
                throws IOException {
            Socket socket = new Socket();
            try {
                connect(socket, address, timeout, receiveBufferBytes);
                return new Link(socket, socket);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        @Override
        public String scheme() {
            return "http";
        }

        @Override
        public HttpClient.Builder httpClient() {
            return HttpClient.newBuilder();
        }
    };

    /** Connects {@code socket} the way every check's connection is made. */
    static void connect(Socket socket, InetSocketAddress address, Duration timeout, int receiveBufferBytes) throws IOException {
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes); // before connect, or TCP ignores it
        }
        socket.setTcpNoDelay(true); // what we write leaves at once, in the pieces we write
        socket.connect(address, (int) timeout.toMillis());
    }
}
