import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The reference row "the loopback limit" of bench/run's streaming table: the plainest echo that
 * Java can do, one client at a time, one blocking read of up to 64 KiB and one blocking write of
 * what it read, nothing checked, nothing logged per read. Driven by the same StreamClient as the
 * steps, it shows what the client, the kernel's loopback and one core allow, so that each step's
 * streaming rate can be read as a fraction of it.
 *
 * <p>A heap buffer, like the steps': the JDK copies it into a temporary direct buffer for each
 * call, and so do the steps, so the ratio measures buffer sizes and loops, not that copy.
 *
 * <p>Usage: {@code java -cp bench/target/classes BlockingCopyServer [host] [port]}; prints
 * "Listening on HOST:PORT" (port 0: any free port).
 */
public class BlockingCopyServer {

    private static final int BUFFER_SIZE = 64 * 1024;

    public static void main(String[] args) throws IOException {
        if (args.length > 2) {
            System.err.println("usage: BlockingCopyServer [host] [port]");
            System.exit(2);
        }
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(host, port));
            InetSocketAddress address = (InetSocketAddress) listener.getLocalAddress();
            System.out.println("Listening on " + address.getAddress().getHostAddress() + ":" + address.getPort());
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
            while (true) {
                try (SocketChannel channel = listener.accept()) {
                    while (channel.read(buffer.clear()) != -1) {
                        buffer.flip();
                        while (buffer.hasRemaining()) {
                            channel.write(buffer); // blocking, platform thread: takes it all in one call
                        }
                    }
                } catch (IOException e) {
                    System.out.println("Connection lost: " + e.getMessage());
                }
            }
        }
    }
}
