package tutorial.step05;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.time.Duration;

/**
 * Whether the loop accepts new connections, and how many of those it let in are open. When
 * {@code accept()} fails (most often "Too many open files") or the server is at its maximum
 * number of connections, the gate closes: {@code OP_ACCEPT} goes off the server's key, so the
 * connections waiting in the kernel's backlog stop waking the loop, which would otherwise spin on
 * them. It opens again when a connection closes (a descriptor is free), or after {@link #RETRY}
 * at the latest. The whole pause is one line in the log.
 */
final class AcceptGate {

    // After accept() fails, we try again when a connection closes, or after this (as Netty does).
    static final Duration RETRY = Duration.ofSeconds(1);

    private final SelectionKey serverKey;
    private final int maxConnections;
    private final Log log;
    private volatile int openConnections; // written by the loop's thread only; read by tests too
    private boolean paused; // OP_ACCEPT is off: no descriptor, or at the maximum
    private long retryAt; // System.nanoTime() from which a paused accept is tried again
    private boolean pauseLogged; // "not accepting" was logged, "accepting again" not yet

    AcceptGate(SelectionKey serverKey, int maxConnections, Log log) {
        this.serverKey = serverKey;
        this.maxConnections = maxConnections;
        this.log = log;
    }

    /** {@code accept()} failed: most often no descriptor is left for the new socket. */
    void pauseAfterFailure(IOException e, long now) {
        pause("Cannot accept connections (" + e.getMessage() + "), " + openConnections
                + " open: new ones wait, tried again when one closes or in " + Limits.seconds(RETRY), now);
    }

    void pauseAtMaximum(long now) {
        pause(openConnections + " connections open, the maximum: new ones wait until one closes", now);
    }

    // tag::accept-pause[]
    private void pause(String reason, long now) {
        serverKey.interestOps(0);
        paused = true;
        retryAt = now + RETRY.toNanos();
        if (!pauseLogged) { // one line for the whole pause, however many retries it takes
            log.notice(reason);
            pauseLogged = true;
        }
    }

    /** A connection closed: its descriptor is free, so a paused accept may be tried at once. */
    void closed(long now) {
        openConnections--;
        retryAt = now;
    }

    /** Turns {@code OP_ACCEPT} back on once the retry is due; true if it did (then accept at once). */
    boolean reopenWhenDue(long now) {
        if (paused && now - retryAt >= 0) {
            paused = false;
            serverKey.interestOps(SelectionKey.OP_ACCEPT);
            return true;
        }
        return false;
    }

    /** {@code accept()} found nobody left waiting: a pause that was logged is over. */
    void backlogEmptied() {
        if (pauseLogged) {
            log.notice("Accepting connections again, " + openConnections + " open");
            pauseLogged = false;
        }
    }
    // end::accept-pause[]

    /** Whether one more connection may be accepted: below our maximum, the kernel's limit is never reached. */
    boolean hasRoom() {
        return openConnections < maxConnections;
    }

    void opened() {
        openConnections++;
    }

    int openConnections() {
        return openConnections;
    }

    boolean paused() {
        return paused;
    }

    /** How long until a paused accept is tried again; {@code Long.MAX_VALUE} while accepting. */
    long nanosUntilRetry(long now) {
        return paused ? retryAt - now : Long.MAX_VALUE;
    }
}
