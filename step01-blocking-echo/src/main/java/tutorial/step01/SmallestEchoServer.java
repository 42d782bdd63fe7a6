package tutorial.step01;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Step 01 on one screen: create, bind + listen, accept, read, write, close, and the next client.
 * {@link EchoServer} is this loop plus what a program that is run, tested and stopped needs: an
 * address of your choice, a log, {@code close()} from another thread, and a client that vanishes
 * without taking the server down with it.
 *
 * <p>Run it (127.0.0.1:5000, no arguments, Ctrl+C stops it):
 * {@code java -cp step01-blocking-echo/target/classes tutorial.step01.SmallestEchoServer}
 */
public final class SmallestEchoServer {

    private SmallestEchoServer() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length > 0) {
            System.err.println("usage: SmallestEchoServer (no arguments: it always listens on 127.0.0.1:5000)");
            System.exit(2);
        }
        listenAndEcho();
    }

    // tag::whole-server[]
    static void listenAndEcho() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) { // create
            listener.bind(new InetSocketAddress("127.0.0.1", 5000));       // bind + listen
            echoForever(listener);
        }
    }

    static void echoForever(ServerSocketChannel listener) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        while (true) {
            try (SocketChannel client = listener.accept()) { // blocks until a client has connected
                while (client.read(buffer) != -1) {          // blocks until bytes arrive; -1: client closed
                    buffer.flip();                           // from filling to draining: limit = bytes read
                    client.write(buffer);                    // the echo (one write: see chapter 02)
                    buffer.clear();                          // from draining to filling: the whole buffer
                }
            }                                                // close this client, accept the next
        }
    }
    // end::whole-server[]
}
