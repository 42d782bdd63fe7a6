package tutorial.step06;

import java.net.SocketAddress;
import javax.net.ssl.SSLEngineResult;

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

    // tag::tls[]
    /** TLS below the HTTP bytes: what the socket carried, and what the engine made of it. */
    static void socketRead(int bytes, SocketAddress from) {
        if (ON) {
            System.out.println(bytes == -1 ? "  tls: socket end of stream from " + from
                    : "  tls: socket read " + bytes + " bytes from " + from);
        }
    }

    static void socketWrote(int bytes, SocketAddress to) {
        if (ON) {
            System.out.println("  tls: socket wrote " + bytes + " bytes to " + to);
        }
    }

    static void engine(String operation, SSLEngineResult result, SocketAddress peer) {
        if (ON) {
            System.out.println("  tls: " + operation + " " + result.bytesConsumed() + " -> " + result.bytesProduced()
                    + " bytes, " + result.getStatus() + ", " + result.getHandshakeStatus() + " (" + peer + ")");
        }
    }

    static void task(long millis, SocketAddress peer) {
        if (ON) {
            System.out.println("  tls: handshake task ran " + millis + " ms on the loop thread (" + peer + ")");
        }
    }
    // end::tls[]
}
