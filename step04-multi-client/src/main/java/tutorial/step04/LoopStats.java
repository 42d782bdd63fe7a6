package tutorial.step04;

/**
 * What the loop counts about itself, for tests (and a monitor) to read: each number shows a
 * promise kept. Written by the loop's thread only; volatile, so that other threads see the
 * latest values.
 */
public final class LoopStats {

    private final OutputBudget budget;
    private volatile long loopIterations;
    private volatile long bytesReceived;
    private volatile long pendingOutputBytes;

    LoopStats(OutputBudget budget) {
        this.budget = budget;
    }

    void wokeUp() {
        loopIterations++;
    }

    /** Read from a client: owed to it as echo until written. */
    void received(long bytes) {
        bytesReceived += bytes;
        pendingOutputBytes += bytes;
    }

    /** Written to a client, or lost with its connection: no longer owed. */
    void noLongerOwed(long bytes) {
        pendingOutputBytes -= bytes;
    }

    /** How many times the loop woke up from select(): it must not grow while every client is idle. */
    public long loopIterations() {
        return loopIterations;
    }

    /** How many bytes the server has read from all its clients so far. */
    public long bytesReceived() {
        return bytesReceived;
    }

    /** How many bytes the server holds for its clients right now: backpressure keeps it bounded. */
    public long pendingOutputBytes() {
        return pendingOutputBytes;
    }

    /** The most bytes of output buffers all connections together have held at once: the budget bounds it. */
    public long peakOutputBufferBytes() {
        return budget.peak();
    }
}
