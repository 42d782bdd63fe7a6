package tutorial.step06;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

// tag::log[]
/**
 * A log the event loop never waits for. The loop collects the lines of one turn and, before it
 * sleeps, hands them over in one piece ({@link #flush}); a thread of the log's own writes them
 * out, a turn's lines in one write. Writing to standard output blocks when nobody reads it (a pipe
 * into {@code less} that is not scrolled, a terminal paused with Ctrl-S): written from the loop,
 * that would stop every client at once. Here it stops only this thread; once it is
 * {@link #QUEUE_LINES} lines behind, further turns' lines are dropped and counted, and the count is
 * written when the log catches up.
 *
 * <p>Two kinds of line: {@link #notice} for the server as a whole (listening, not accepting,
 * memory) and {@link #info} for one connection or request. {@link #quiet} keeps only the notices;
 * {@link #toFile} sends every line to a file and the notices to the console as well.
 */
final class Log implements AutoCloseable {

    // Room for the lines of a burst of 5,000 requests, about a megabyte of heap at most; past that,
    // a log that does not keep up loses lines instead of the loop waiting.
    static final int QUEUE_LINES = 10_000;
    // After each write the writer lets the lines of this long gather: a hundred writes a second at
    // most, instead of a wakeup of this thread for every turn of a busy loop. On one core each
    // wakeup takes the core from the loop: measured here, 9% more CPU per request than writing the
    // log on the loop itself, and 3% with this pause.
    private static final long GATHER_MILLIS = 10;

    private record Line(String text, boolean notice) {
    }

    private static final List<Line> END = List.of(); // close() queues it last; the writer stops there

    private final PrintStream console;
    private final PrintStream everything; // null: only the notices, on the console
    // Turns' lines handed over and not yet written; bounded by queuedLines, not by the queue.
    private final BlockingQueue<List<Line>> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queuedLines = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private List<Line> turn = new ArrayList<>(); // the loop's thread only: this turn's lines
    private final Thread writer = new Thread(this::writeLines, "log-writer");
    // end::log[]

    /** Every line, on {@code console}. */
    static Log to(PrintStream console) {
        return new Log(console, console);
    }

    /** The notices only, on {@code console}: no line for each connection or request. */
    static Log quiet(PrintStream console) {
        return new Log(console, null);
    }

    /** Every line in {@code file}; the notices on {@code console} too. */
    static Log toFile(PrintStream console, PrintStream file) {
        return new Log(console, file);
    }

    private Log(PrintStream console, PrintStream everything) {
        this.console = console;
        this.everything = everything;
        writer.setDaemon(true); // a log stuck on a full pipe must not keep the JVM alive
        writer.start();
    }

    /** A line about the server as a whole: printed even with --quiet. */
    void notice(String text) {
        turn.add(new Line(text, true));
    }

    /** A line about one connection or request. */
    void info(String text) {
        if (everything != null) {
            turn.add(new Line(text, false));
        }
    }

    // tag::flush[]
    /**
     * Hands this turn's lines to the writer, in one piece: one hand-over and one write a turn,
     * not one a line (a write system call per request cost about a third of step 05's requests
     * per second). Never waits: if the writer is too far behind, the lines are dropped and counted.
     */
    void flush() {
        if (turn.isEmpty()) {
            return;
        }
        if (queuedLines.addAndGet(turn.size()) > QUEUE_LINES) {
            queuedLines.addAndGet(-turn.size());
            dropped.addAndGet(turn.size());
        } else {
            queue.add(turn);
        }
        turn = new ArrayList<>();
    }
    // end::flush[]

    /** How many lines were dropped so far because the log could not keep up. */
    long droppedLines() {
        return dropped.get();
    }

    private void writeLines() {
        long reported = 0;
        try {
            for (List<Line> lines = queue.take(); lines != END; lines = queue.take()) {
                reported = reportDropped(reported);
                for (Line line : lines) {
                    write(line);
                }
                queuedLines.addAndGet(-lines.size());
                if (queue.isEmpty()) {
                    flushStreams(); // the turns that came together go out in one write
                    Thread.sleep(GATHER_MILLIS);
                }
            }
            reportDropped(reported);
        } catch (InterruptedException e) {
            // close() gave up waiting: the output is stuck
        }
        flushStreams();
    }

    private long reportDropped(long reported) {
        long droppedNow = dropped.get();
        if (droppedNow > reported) {
            write(new Line("(" + (droppedNow - reported) + " log lines dropped: the log could not keep up)", true));
        }
        return droppedNow;
    }

    private void write(Line line) {
        if (line.notice() && console != everything) {
            console.println(line.text());
        }
        if (everything != null) {
            everything.println(line.text());
        }
    }

    private void flushStreams() {
        console.flush();
        if (everything != null) {
            everything.flush();
        }
    }

    /** Writes what is queued, waiting a second at most (the output may be stuck), then stops. */
    @Override
    public void close() {
        flush();
        queue.add(END);
        try {
            writer.join(1000);
            if (writer.isAlive()) {
                writer.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (everything != null && everything != console) {
            everything.close();
        }
    }
}
