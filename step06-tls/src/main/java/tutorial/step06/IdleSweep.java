package tutorial.step06;

import java.nio.channels.SelectionKey;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * When the loop looks for connections that stay silent or slow too long, and what it does with
 * each. A client that sends nothing makes no event: only the clock can tell us it is idle. The
 * loop looks every tenth of the shorter timeout, so a silent connection is closed between 1 and
 * 1.1 timeouts after its last byte.
 */
final class IdleSweep {

    /** What a look finds a connection has earned. */
    enum Verdict {
        STAYS,
        HANDSHAKE_TOO_SLOW, // closed: no TLS handshake within the head timeout (no HTTP before it)
        HEAD_TOO_SLOW, // 408: the request head did not arrive whole within the head timeout
        SILENT_MID_REQUEST, // 408: no byte for the idle timeout, in the middle of a request
        IDLE, // closed: no byte for the idle timeout, between requests
        COULD_MAKE_ROOM // idle between requests while others wait to be accepted: a few are closed
    }

    private static final Comparator<SelectionKey> LONGEST_QUIET_FIRST =
            Comparator.comparingLong(key -> ((Connection) key.attachment()).lastActivity());

    private final long idleTimeoutNanos;
    private final long headTimeoutNanos;
    private final long everyNanos;
    private long last;

    IdleSweep(Limits limits, long now) {
        this.idleTimeoutNanos = limits.idleTimeout().toNanos();
        this.headTimeoutNanos = limits.headTimeout().toNanos();
        this.everyNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(idleTimeoutNanos, headTimeoutNanos) / 10);
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

    // tag::judge[]
    /** What this connection has earned now; {@code othersWait}: accepting is paused. */
    Verdict judge(Connection connection, long now, boolean othersWait) {
        if (connection.handshakeOverdue(now, headTimeoutNanos)) {
            return Verdict.HANDSHAKE_TOO_SLOW;
        }
        if (connection.headOverdue(now, headTimeoutNanos)) {
            return Verdict.HEAD_TOO_SLOW; // a byte now and then keeps it from being idle, not from this
        }
        if (now - connection.lastActivity() > idleTimeoutNanos) {
            return connection.stalledMidRequest() ? Verdict.SILENT_MID_REQUEST : Verdict.IDLE;
        }
        if (othersWait && connection.isBetweenRequests() && now - connection.lastActivity() > everyNanos) {
            // Others wait to be accepted, and this keep-alive connection has nothing in flight:
            // the cheapest thing to give up. HTTP lets a server close an idle connection at any
            // time (RFC 9112, 9.5); its client opens another one when it has something to ask.
            return Verdict.COULD_MAKE_ROOM;
        }
        return Verdict.STAYS;
    }
    // end::judge[]

    // tag::make-room[]
    /**
     * How many of the {@code couldMakeRoom} connections one look closes (the longest quiet first):
     * an eighth of them, at least one and at most 32, the rule of nginx when it runs short of
     * connections ({@code ngx_drain_connections} in its src/core/ngx_connection.c). Closing every
     * one would drop nearly every client to admit the few that wait (a full server of 10,000 idle
     * keep-alive connections closed 9,612 of them to admit 19), and they would all come back at
     * once. A few are enough: once they are closed, the gate opens and those waiting are accepted;
     * if the server is full again, the next look (a second later by default) closes a few more.
     */
    static int howManyMakeRoom(int couldMakeRoom) {
        return Math.max(1, Math.min(32, couldMakeRoom / 8));
    }

    /** The few of {@code couldMakeRoom} to close: {@link #howManyMakeRoom}, the longest quiet first. */
    static List<SelectionKey> toCloseToMakeRoom(List<SelectionKey> couldMakeRoom) {
        couldMakeRoom.sort(LONGEST_QUIET_FIRST); // at most once a look: a second by default
        return couldMakeRoom.subList(0, Math.min(couldMakeRoom.size(), howManyMakeRoom(couldMakeRoom.size())));
    }
    // end::make-room[]
}
