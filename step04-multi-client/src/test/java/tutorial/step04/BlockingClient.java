package tutorial.step04;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** A blocking test client: step 02's sendAll and read-until-complete, on one connection. */
final class BlockingClient implements AutoCloseable {

    private final SocketChannel channel;

    BlockingClient(int port) throws IOException {
        channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
    }

    SocketChannel channel() {
        return channel;
    }

    String localAddress() throws IOException {
        return channel.getLocalAddress().toString();
    }

    String echo(String message) throws IOException {
        sendAll(ByteBuffer.wrap(message.getBytes(StandardCharsets.US_ASCII)));
        return new String(readExactly(message.length()).array(), StandardCharsets.US_ASCII);
    }

    void sendAll(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    ByteBuffer readExactly(int length) throws IOException {
        ByteBuffer reply = ByteBuffer.allocate(length);
        while (reply.hasRemaining()) {
            if (channel.read(reply) == -1) {
                throw new EOFException("end of stream after " + reply.position() + " of " + length + " bytes");
            }
        }
        return reply.flip();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
