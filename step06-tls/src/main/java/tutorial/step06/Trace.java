package tutorial.step06;

import java.net.SocketAddress;

/**
 * Seeing the bytes: with {@code -Dtrace} on the command line, every read and write is printed with
 * its byte count, so that a learner watches a message arrive in pieces instead of taking it on trust.
 */
final class Trace {

    private static final boolean ON = System.getProperty("trace") != null;

    private Trace() {
    }

    static void read(int bytes, SocketAddress from) {
        if (ON) {
            System.out.println(bytes == -1 ? "read end of stream from " + from : "read " + bytes + " bytes from " + from);
        }
    }

    static void wrote(int bytes, SocketAddress to) {
        if (ON) {
            System.out.println("wrote " + bytes + " bytes to " + to);
        }
    }
}
