package tutorial.step04;

import java.util.concurrent.TimeUnit;

/**
 * When the loop looks for connections that stay silent too long, and which ones it finds. A
 * client that sends nothing makes no event: only the clock can tell us it is idle. The loop looks
 * every tenth of the timeout (6 s for a minute), so a silent connection is closed between 1 and
 * 1.1 timeouts after its last byte.
 */
final class IdleSweep {

    private final long idleTimeoutNanos;
    private final long everyNanos;
    private long last;

    IdleSweep(Limits limits, long now) {
        this.idleTimeoutNanos = limits.idleTimeout().toNanos();
        this.everyNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), idleTimeoutNanos / 10);
        this.last = now;
    }

    /** Whether it is time to look at every connection; if so, this look is the last one from now on. */
    boolean due(long now) {
        if (now - last < everyNanos) {
            return false; // looking at every connection costs; ten times a timeout is enough
        }
        last = now;
        return true;
    }

    /** How long until the next look. */
    long nanosUntilDue(long now) {
        return last + everyNanos - now;
    }

    /** Whether this connection has neither read nor written a byte for the idle timeout. */
    boolean idle(Connection connection, long now) {
        return now - connection.lastActivity() > idleTimeoutNanos;
    }
}
