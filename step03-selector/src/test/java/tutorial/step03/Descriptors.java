package tutorial.step03;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * Every socket is a file descriptor, and a process may open only so many (`ulimit -n`; Docker's
 * `--ulimit nofile`). A test that holds many sockets at once checks first that it may, so that a
 * low limit skips it with the reason instead of failing with "Connection refused" or "Too many
 * open files", which would read like a bug in the server.
 */
final class Descriptors {

    private Descriptors() {
    }

    static void assumeAtLeast(int needed, String forWhat) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) { // Windows has no such limit
            long free = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount();
            assumeTrue(free >= needed, () -> forWhat + " needs " + needed + " more file descriptors, but this process"
                    + " may open only " + free + " more (limit " + unix.getMaxFileDescriptorCount()
                    + "): raise it, e.g. ulimit -n 4096, and run the test again");
        }
    }
}
