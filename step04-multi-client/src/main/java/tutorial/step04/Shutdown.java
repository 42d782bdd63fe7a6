package tutorial.step04;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * How the server stops: everything closed, and the first cause reported. A server that ran out of
 * descriptors or memory may fail to close for the same reason; that second failure is added to
 * the first one, never put in its place, so the report names what really stopped the loop.
 */
final class Shutdown {

    private Shutdown() {
    }

    // tag::close-everything[]
    /**
     * Closes every channel and the selector. A failure here never hides the one that stopped the
     * loop ({@code failure}, or null if the loop was asked to stop).
     */
    static void closeEverything(Selector selector, Throwable failure) throws IOException {
        Throwable toReport = failure;
        for (SelectionKey key : selector.keys()) {
            toReport = close(key.channel(), toReport);
        }
        toReport = close(selector, toReport);
        if (failure == null && toReport != null) {
            throw new IOException("closing the server failed", toReport);
        }
    }

    /** Closes one resource. Returns what to report: {@code failure} with this failure added, or this failure. */
    static Throwable close(Closeable resource, Throwable failure) {
        try {
            resource.close();
        } catch (Throwable e) { // an IOException, or an Error: closing can need a descriptor too
            if (failure == null) {
                return e;
            }
            failure.addSuppressed(e); // kept with the report, never in its place
        }
        return failure;
    }
    // end::close-everything[]

    /** Prints what stopped the server, then anything that also failed while closing. */
    static void report(Throwable failure) {
        System.err.println("Server stopped: " + failure);
        for (Throwable alsoFailed : failure.getSuppressed()) {
            System.err.println("  and while closing: " + alsoFailed);
        }
        if (!(failure instanceof IOException)) {
            failure.printStackTrace(); // a bug or a lack of memory: where it happened matters
        }
    }
}
