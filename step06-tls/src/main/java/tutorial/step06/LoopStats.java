package tutorial.step06;

/**
 * What the loop counts about itself, for tests (and a monitor) to read: each number shows a
 * promise kept. Written by the loop's thread only; volatile, so that other threads see the
 * latest values.
 */
public final class LoopStats {

    private final MemoryBudget budget;
    private volatile long loopIterations;
    private volatile long maxPendingOutputBytes;
    private volatile long maxWrittenInOneTurn;

    LoopStats(MemoryBudget budget) {
        this.budget = budget;
    }

    void wokeUp() {
        loopIterations++;
    }

    void pendingOutput(long bytes) {
        maxPendingOutputBytes = Math.max(maxPendingOutputBytes, bytes);
    }

    void writtenInOneTurn(long bytes) {
        maxWrittenInOneTurn = Math.max(maxWrittenInOneTurn, bytes);
    }

    /** How many times the loop woke up from select(): it must not grow fast while every client is idle. */
    public long loopIterations() {
        return loopIterations;
    }

    /** The most output any one connection has had waiting at once: it stays bounded, even for huge files. */
    public long maxPendingOutputBytes() {
        return maxPendingOutputBytes;
    }

    /** The most bytes written to one connection in one turn of the loop: bounded, however fast a client reads. */
    public long maxWrittenInOneTurn() {
        return maxWrittenInOneTurn;
    }

    /** Bytes of buffers held for clients right now, the file cache included: the memory budget bounds them. */
    public long bufferedBytes() {
        return budget.used();
    }

    /** The most bytes of buffers held at any one time so far. */
    public long peakBufferedBytes() {
        return budget.peak();
    }
}
