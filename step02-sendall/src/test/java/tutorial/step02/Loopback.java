package tutorial.step02;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** The test's own side of a connection on 127.0.0.1: plain blocking channels, read until complete. */
final class Loopback {

    private Loopback() {
    }

    /** A listening socket on a free port, for a test that plays the server itself. */
    static ServerSocketChannel listen() throws IOException {
        return ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    static int port(ServerSocketChannel listener) throws IOException {
        return ((InetSocketAddress) listener.getLocalAddress()).getPort();
    }

    static SocketChannel connect(int port) throws IOException {
        return SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    static void send(SocketChannel channel, String text) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Reads exactly {@code bytes} bytes (however many reads that takes) and returns them as text. */
    static String receive(SocketChannel channel, int bytes) throws IOException {
        return new String(receiveBytes(channel, bytes), StandardCharsets.UTF_8);
    }

    /** Reads exactly {@code bytes} bytes, however many reads that takes. */
    static byte[] receiveBytes(SocketChannel channel, int bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(bytes);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) == -1) {
                throw new EOFException("end of stream after " + buffer.position() + " of " + bytes + " bytes");
            }
        }
        return buffer.array();
    }
}
