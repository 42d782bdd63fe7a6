package tutorial.step05;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;

/** What a test that opens many sockets in this JVM needs from the process's descriptor limit. */
final class Descriptors {

    private Descriptors() {
    }

    /**
     * Skips the test, saying why in one sentence, when this process may not open {@code needed}
     * more descriptors (each socket is one, at each end): a machine or container with
     * {@code ulimit -n 1024} would otherwise fail it with "Connection refused" or missing bytes,
     * which would read like a bug in the server.
     */
    static void assumeFree(int needed) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            long limit = unix.getMaxFileDescriptorCount();
            long free = limit - unix.getOpenFileDescriptorCount();
            if (free < needed) {
                String reason = String.format("needs %,d descriptors, ulimit -n is %,d with %,d in use: raise it (ulimit -n %d)",
                        needed, limit, limit - free, limit - free + needed + 100);
                // Maven's summary says only "Skipped: 1"; the reason goes to the build's output too.
                System.err.println("Skipped a test that " + reason);
                assumeTrue(false, reason);
            }
        }
    }
}
