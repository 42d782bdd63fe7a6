package tutorial.checker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * How the HTTP checks open a connection. Every HTTP check talks through a {@link Socket} made
 * here and a {@link HttpClient} built here, never through its own: a server that speaks HTTP over
 * TLS would get the same checks from a connector that wraps the socket in TLS (an
 * {@code SSLSocket} is a {@code Socket}) and gives the client an {@code SSLContext}.
 */
interface Connector {

    /** A connected socket, or an exception once {@code timeout} has passed without a handshake. */
    Socket open(InetSocketAddress address, Duration timeout, int receiveBufferBytes) throws IOException;

    /** "http", or "https" for a TLS connector. */
    String scheme();

    /** A builder for the JDK's HttpClient that talks the same way the sockets do. */
    HttpClient.Builder httpClient();

    /** Plain TCP. */
    Connector PLAIN = new Connector() {
        @Override
        public Socket open(InetSocketAddress address, Duration timeout, int receiveBufferBytes) throws IOException {
            Socket socket = new Socket();
            try {
                if (receiveBufferBytes > 0) {
                    socket.setReceiveBufferSize(receiveBufferBytes); // before connect, or TCP ignores it
                }
                socket.setTcpNoDelay(true); // what we write leaves at once, in the pieces we write
                socket.connect(address, (int) timeout.toMillis());
                return socket;
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
}
