package tutorial.step04;

/**
 * The heap that the connections' output buffers hold, all of them together, against a limit.
 * Each connection's own bound (backpressure) keeps one client from taking more than a megabyte;
 * this keeps 800 clients from taking 800 megabytes. A {@link Connection} reports every buffer
 * it allocates and every one it gives back; the server asks {@link #spent()} before letting a
 * buffer grow.
 *
 * <p>Once spent, the budget stays spent until a quarter of it is free again: without that gap,
 * the server would switch between the two rules (and log it) at every byte around the limit.
 */
final class OutputBudget {

    private final long limit;
    private final Log log;
    // Written by the loop thread only; volatile so that other threads (tests, a monitor) see them.
    private volatile long used;
    private volatile long peak;
    private boolean spent;

    OutputBudget(long limit, Log log) {
        this.limit = limit;
        this.log = log;
    }

    long limit() {
        return limit;
    }

    /** Bytes of output buffers held right now. */
    long used() {
        return used;
    }

    /** The most bytes of output buffers held at any one time so far. */
    long peak() {
        return peak;
    }

    /** True while no output buffer may grow. */
    boolean spent() {
        return spent;
    }

    void allocated(long bytes) {
        used += bytes;
        peak = Math.max(peak, used);
        if (!spent && used >= limit) {
            spent = true;
            log.notice("Output buffers hold " + Limits.size(used) + ", the budget: no connection's buffer"
                    + " grows until a quarter is free (those that owe most stop being read)");
        }
    }

    void released(long bytes) {
        used -= bytes;
        if (spent && used <= limit - limit / 4) {
            spent = false;
            log.notice("Output buffers hold " + Limits.size(used) + ", under the budget again");
        }
    }
}
