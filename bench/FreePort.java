import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Prints a TCP port that is free on HOST right now, for bench/run's servers that cannot be told
 * "port 0" (nginx refuses it). Another process may take the port between this check and the
 * server's bind: bench/run then sees the server fail to start and asks again.
 *
 * <p>Usage: java FreePort [HOST]
 */
public class FreePort {

    public static void main(String[] args) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(args.length > 0 ? args[0] : "127.0.0.1", 0));
            System.out.println(socket.getLocalPort());
        }
    }
}
