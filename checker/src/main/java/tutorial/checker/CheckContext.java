package tutorial.checker;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a check needs while it runs: where the server is, how long to wait, how to connect, and
 * the wire log of its exchanges. Every connection a check opens is registered here and closed
 * when the check ends, whatever happened.
 */
final class CheckContext implements AutoCloseable {

    /** The server and the limits, the same for every check of a run. */
    record Settings(String host, int port, Connector connector, Duration timeout, int clients, Duration idleTimeoutMax) {

        InetSocketAddress address() {
            return new InetSocketAddress(host, port);
        }

        /** host:port as it goes in a URL or a Host header (an IPv6 address in brackets). */
        String authority() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    private final Settings settings;
    private final Wire wire = new Wire();
    private final List<Closeable> opened = new ArrayList<>();

    CheckContext(Settings settings) {
        this.settings = settings;
    }

    Settings settings() {
        return settings;
    }

    /** How long any one answer may take before the check says "no answer". */
    Duration timeout() {
        return settings.timeout();
    }

    Wire wire() {
        return wire;
    }

    synchronized <T extends Closeable> T track(T resource) {
        opened.add(resource);
        return resource;
    }

    @Override
    public synchronized void close() {
        for (Closeable resource : opened) {
            try {
                resource.close();
            } catch (IOException e) {
                // closing after the check: nothing left to report
            }
        }
        opened.clear();
    }
}
