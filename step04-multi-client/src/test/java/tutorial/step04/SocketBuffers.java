package tutorial.step04;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/** How much a client must send, without reading, before the server itself holds its echo. */
final class SocketBuffers {

    // Linux grows a socket's buffers on its own while data flows ("autotuning"): here a client
    // reads 64 KiB and 1.9 MB after connecting, and blocks after about 7 MiB.
    private static final int MARGIN = 4;

    private SocketBuffers() {
    }

    /**
     * More than all the socket buffers between a client and the server hold, on any machine: the
     * client's receive and send buffers as it got them after connecting, as much again at the
     * server's end (on loopback, both ends get the same sizes), four times over, plus the bound
     * the server holds itself before it stops reading.
     */
    static long bytesBeyondTheBuffers(SocketChannel connected) throws IOException {
        long socketBuffers = 2L * (connected.getOption(StandardSocketOptions.SO_RCVBUF)
                + connected.getOption(StandardSocketOptions.SO_SNDBUF));
        return MARGIN * socketBuffers + EchoServer.MAX_PENDING_OUTPUT;
    }

    /** The same, in whole mebibytes, for the scripts' command lines. */
    static long mebibytesBeyondTheBuffers(SocketChannel connected) throws IOException {
        return (bytesBeyondTheBuffers(connected) + (1 << 20) - 1) >> 20;
    }
}
