package tutorial.step04;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.Locale;

/**
 * What the server lets all its clients spend together. Descriptors, memory and the one thread's
 * time are finite, and each client chooses how it spends them: a limit says, before the kernel or
 * the heap does, how much of each the server gives away.
 *
 * @param maxConnections connections open at once; at the maximum the server stops accepting
 * @param idleTimeout    how long a connection may go without a byte in either direction
 * @param outputBudget   bytes of output buffers, all connections together; once they are spent,
 *                       no connection's buffer may grow (see {@link OutputBudget})
 */
record Limits(int maxConnections, Duration idleTimeout, long outputBudget) {

    // Long enough for an echo client that pauses between messages (a person typing into nc, a
    // program waiting on its own work), short enough that a connection opened and forgotten gives
    // its descriptor back within a minute.
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    // Descriptors kept back from the connections: the server's own socket and selector (3 or 4),
    // a log file, class files the JVM opens while it runs, a jcmd that attaches.
    static final int RESERVED_DESCRIPTORS = 32;
    // What an idle connection costs the heap: about 1.8 KB measured with 10,000 of them (the
    // channel, its key, a Connection and its 1 KiB buffer; see scripts/idle-10k.sh), doubled.
    static final int HEAP_PER_CONNECTION = 4 * 1024;

    // tag::for-this-process[]
    /**
     * The limits that fit this process: a quarter of the heap for output buffers, a quarter for
     * the connections themselves, the other half left to the JVM and its garbage collector; and
     * never more connections than descriptors the process may still open.
     */
    static Limits forThisProcess() {
        long heap = Runtime.getRuntime().maxMemory();
        if (heap == Long.MAX_VALUE) {
            heap = 1L << 30; // "no limit": plan for a gibibyte
        }
        long byHeap = heap / 4 / HEAP_PER_CONNECTION;
        long byDescriptors = freeDescriptors() - RESERVED_DESCRIPTORS;
        int maxConnections = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.min(byHeap, byDescriptors)));
        return new Limits(maxConnections, DEFAULT_IDLE_TIMEOUT, heap / 4);
    }

    /** Descriptors this process may still open, where the JDK can tell (Linux, macOS); else no limit. */
    static long freeDescriptors() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount();
        }
        return Long.MAX_VALUE;
    }
    // end::for-this-process[]

    Limits withMaxConnections(int maxConnections) {
        return new Limits(maxConnections, idleTimeout, outputBudget);
    }

    Limits withIdleTimeout(Duration idleTimeout) {
        return new Limits(maxConnections, idleTimeout, outputBudget);
    }

    Limits withOutputBudget(long outputBudget) {
        return new Limits(maxConnections, idleTimeout, outputBudget);
    }

    /** One line for the log: what this server will allow. */
    String describe() {
        return "Limits: " + maxConnections + " connections, " + seconds(idleTimeout) + " idle timeout, "
                + size(outputBudget) + " of output buffers";
    }

    /** "16 MiB", "256 KiB", "900 bytes": a size a person reads at a glance. */
    static String size(long bytes) {
        if (bytes >= 1024 * 1024) {
            return bytes / (1024 * 1024) + " MiB";
        }
        return bytes >= 1024 ? bytes / 1024 + " KiB" : bytes + " bytes";
    }

    static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0
                ? duration.toSeconds() + " s"
                : String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }
}
