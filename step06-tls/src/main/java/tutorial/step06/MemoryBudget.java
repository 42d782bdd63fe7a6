package tutorial.step06;

// tag::memory-budget[]
/**
 * The bytes the server holds for its clients, all of them together, against a limit: responses
 * not yet sent, requests read but not yet parsed, request heads half received, and the files
 * kept in memory. Each connection has its own bounds (a head of 24 KiB at most, 256 KiB of output
 * before it stops answering); this keeps 5,000 connections from each taking their fill at once.
 * Whoever holds bytes reports them here, and lets them go here; the server asks {@link #spent()}
 * before it reads more from a client or keeps another file in memory.
 *
 * <p>Once spent, the budget stays spent until a quarter of it is free again: without that gap,
 * the server would switch between the two rules (and log it) at every byte around the limit.
 */
final class MemoryBudget {

    private final long limit;
    private final Log log;
    // Written by the loop thread only; volatile so that other threads (tests, a monitor) see them.
    private volatile long used;
    private volatile long peak;
    private boolean spent;

    MemoryBudget(long limit, Log log) {
        this.limit = limit;
        this.log = log;
    }

    long limit() {
        return limit;
    }

    /** Bytes held right now. */
    long used() {
        return used;
    }

    /** The most bytes held at any one time so far. */
    long peak() {
        return peak;
    }

    /** True while nobody may take more: connections that hold bytes are not read, files not cached. */
    boolean spent() {
        return spent;
    }

    void allocated(long bytes) {
        used += bytes;
        peak = Math.max(peak, used);
        if (!spent && used >= limit) {
            spent = true;
            log.notice("Buffers hold " + Limits.size(used) + ", the budget: clients that hold buffers are not read"
                    + " and no file is cached until a quarter is free");
        }
    }

    void released(long bytes) {
        used -= bytes;
        if (spent && used <= limit - limit / 4) {
            spent = false;
            log.notice("Buffers hold " + Limits.size(used) + ", under the budget again");
        }
    }
}
// end::memory-budget[]
