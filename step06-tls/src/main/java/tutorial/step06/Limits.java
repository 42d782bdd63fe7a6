package tutorial.step06;

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
 * @param headTimeout    how long a request head may take to arrive whole, from its first byte, and
 *                       the TLS handshake, from the accept
 * @param memoryBudget   bytes of buffers, all connections and the file cache together; once they
 *                       are spent, no connection that holds some is read (see {@link MemoryBudget})
 */
record Limits(int maxConnections, Duration idleTimeout, Duration headTimeout, long memoryBudget) {

    // Between two requests of a keep-alive connection: a browser sends the next one within a
    // second or two, or not at all; ten seconds gives a descriptor back soon after that.
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);
    // A whole request head, from its first byte to its blank line: at most 24 KiB, which a 56k
    // modem sends in 4 s. Twenty seconds is generous for any honest client; a client that sends
    // a byte every few seconds to keep its connection alive gets a 408 instead.
    static final Duration DEFAULT_HEAD_TIMEOUT = Duration.ofSeconds(20);
    // Descriptors kept back from the connections: the server's own socket and selector, a log
    // file, class files the JVM opens while it runs, a jcmd that attaches, and the two open
    // directories (four descriptors) of a walk down the document root.
    static final int RESERVED_DESCRIPTORS = 32;
    // What a connection costs the heap: with TLS, about 42 KiB idle between requests, measured
    // with 3,000 of them (step 05's 900 bytes, plus the SSLEngine and its two record buffers of
    // 16,709 bytes each, which it keeps from accept to close), a few KiB more while a request is
    // on its way. 64 KiB leaves room for both; and since the record buffers count in the memory
    // budget too, at the maximum number of connections they take about half of it.
    static final int HEAP_PER_CONNECTION = 64 * 1024;

    // tag::for-this-process[]
    /**
     * The limits that fit this process: a quarter of the heap for buffers, a quarter for the
     * connections themselves, the other half left to the JVM and its garbage collector; and
     * never more connections than descriptors the process may still open, two per connection:
     * its socket, and the file it may be sending.
     */
    static Limits forThisProcess() {
        long heap = Runtime.getRuntime().maxMemory();
        if (heap == Long.MAX_VALUE) {
            heap = 1L << 30; // "no limit": plan for a gibibyte
        }
        long byHeap = heap / 4 / HEAP_PER_CONNECTION;
        long byDescriptors = (freeDescriptors() - RESERVED_DESCRIPTORS) / 2;
        int maxConnections = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.min(byHeap, byDescriptors)));
        return new Limits(maxConnections, DEFAULT_IDLE_TIMEOUT, DEFAULT_HEAD_TIMEOUT, heap / 4);
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
        return new Limits(maxConnections, idleTimeout, headTimeout, memoryBudget);
    }

    Limits withIdleTimeout(Duration idleTimeout) {
        return new Limits(maxConnections, idleTimeout, headTimeout, memoryBudget);
    }

    Limits withHeadTimeout(Duration headTimeout) {
        return new Limits(maxConnections, idleTimeout, headTimeout, memoryBudget);
    }

    Limits withMemoryBudget(long memoryBudget) {
        return new Limits(maxConnections, idleTimeout, headTimeout, memoryBudget);
    }

    /** One line for the log: what this server will allow. */
    String describe() {
        return "Limits: " + maxConnections + " connections, " + seconds(idleTimeout) + " idle timeout, "
                + seconds(headTimeout) + " for a request head, " + size(memoryBudget) + " of buffers";
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
