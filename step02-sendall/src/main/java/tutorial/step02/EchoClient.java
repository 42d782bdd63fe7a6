package tutorial.step02;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Step 02: a blocking echo client that sends its whole message and reads until the whole echo is
 * back, however many reads that takes.
 *
 * <p>Run it: {@code ./mvnw -q -pl step02-sendall compile exec:java@client}
 */
public final class EchoClient {

    private static final int ROUND_BYTES = 64 * 1024;

    private EchoClient() {
    }

    public static void main(String[] args) {
        Arguments arguments = new Arguments(args, 3, "EchoClient [host] [port] [message]");
        String host = arguments.host();
        int port = arguments.port();
        try {
            String reply = exchange(host, port, arguments.message("Hello World"));
            System.out.println("Received response from server: " + reply);
        } catch (IOException e) {
            System.err.println(Arguments.cannotTalk(host, port, e));
            System.exit(1);
        }
    }

    // tag::exchange[]
    public static String exchange(String host, int port, String message) throws IOException {
        byte[] request = message.getBytes(StandardCharsets.UTF_8);
        ByteBuffer reply = ByteBuffer.allocate(request.length); // an echo: as many bytes as we send
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(host, port))) {
            // In rounds of 64 KiB: send a round, read its echo, next round. Sending everything
            // before reading would hang once the message outgrows the socket buffers (16 MiB did,
            // here): the server blocks writing an echo that nobody reads, so it stops reading, so
            // our own write blocks too, for ever.
            for (int start = 0; start < request.length; start += ROUND_BYTES) {
                int end = Math.min(start + ROUND_BYTES, request.length);
                Transfer.sendAll(channel, ByteBuffer.wrap(request, start, end - start));
                reply.limit(end); // read this round's echo, and no further
                Transfer.readUntilComplete(channel, reply);
            }
            return new String(reply.array(), StandardCharsets.UTF_8);
        }
    }
    // end::exchange[]
}
