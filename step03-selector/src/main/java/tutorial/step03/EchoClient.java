package tutorial.step03;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The blocking echo client of step 02, unchanged: it sends a message, reads until the whole echo
 * is back, and prints it.
 *
 * <p>Usage: {@code EchoClient [host] [port] [message]}, defaults 127.0.0.1 5000 "Hello World".
 */
public final class EchoClient {

    private EchoClient() {
    }

    public static void main(String[] args) throws IOException {
        Arguments arguments = new Arguments(args, 3, "EchoClient [host] [port] [message]");
        String message = arguments.message("Hello World");
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(arguments.host(), arguments.port()))) {
            byte[] sent = message.getBytes(StandardCharsets.UTF_8);
            sendAll(channel, ByteBuffer.wrap(sent));
            ByteBuffer reply = readUntilComplete(channel, sent.length);
            System.out.println("Received response from server: "
                    + new String(reply.array(), StandardCharsets.UTF_8));
        }
    }

    /** Writes until nothing remains: one write may take fewer bytes than it is given. */
    static void sendAll(SocketChannel channel, ByteBuffer bytes) throws IOException {
        SocketAddress peer = channel.getRemoteAddress();
        while (bytes.hasRemaining()) {
            int written = channel.write(bytes);
            Trace.wrote(written, peer);
        }
    }

    /** Reads until {@code expected} bytes have arrived: one read may return only part of them. */
    static ByteBuffer readUntilComplete(SocketChannel channel, int expected) throws IOException {
        SocketAddress peer = channel.getRemoteAddress();
        ByteBuffer reply = ByteBuffer.allocate(expected);
        while (reply.hasRemaining()) {
            int count = channel.read(reply);
            if (count == -1) {
                throw new EOFException("server closed the connection after "
                        + reply.position() + " of " + expected + " bytes");
            }
            Trace.read(count, peer);
        }
        return reply;
    }
}
