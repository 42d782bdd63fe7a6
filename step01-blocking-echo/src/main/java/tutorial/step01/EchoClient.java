package tutorial.step01;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Step 01: a blocking echo client. It connects, sends one message, reads the reply with ONE read,
 * prints it and closes.
 *
 * <p>Run it: {@code ./mvnw -q -pl step01-blocking-echo compile exec:java@client}
 */
public final class EchoClient {

    private static final int BUFFER_SIZE = 1024;

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
        // create + connect: returns once the kernel has completed the TCP handshake
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(host, port))) {
            SocketAddress server = channel.getRemoteAddress();
            int written = channel.write(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
            Trace.wrote(written, server);

            ByteBuffer reply = ByteBuffer.allocate(BUFFER_SIZE);
            // ONE read: it returns as soon as some bytes are here, at least 1 and at most 1024.
            // That can be part of the reply only -- this step's first limitation, fixed in step 02.
            int read = channel.read(reply);
            Trace.read(read, server);
            return new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8);
        } // close: the server's next read returns -1 (end of stream)
    }
    // end::exchange[]
}
