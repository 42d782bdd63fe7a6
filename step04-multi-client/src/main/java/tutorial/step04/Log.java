package tutorial.step04;

import java.io.PrintStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A log the event loop never waits for. The loop only puts a line in a bounded queue; a thread of
 * the log's own writes the lines out. Writing to standard output blocks when nobody reads it (a
 * pipe into {@code less} that is not scrolled, a terminal paused with Ctrl-S): written from the
 * loop, that would stop every client at once. Here it stops only this thread, the queue fills,
 * and the lines that do not fit are dropped and counted, and the count is written when the log
 * catches up.
 *
 * <p>Two kinds of line: {@link #notice} for the server as a whole (listening, not accepting,
 * memory) and {@link #info} for one connection. {@link #quiet} keeps only the notices;
 * {@link #toFile} sends every line to a file and the notices to the console as well.
 */
final class Log implements AutoCloseable {

    // Room for the lines of a burst of 5,000 connections (one when each opens, one when it closes),
    // about a megabyte of heap; past that, a log that cannot keep up loses lines, and the loop no time.
    static final int QUEUE_LINES = 10_000;

    private record Line(String text, boolean notice) {
    }

    private static final Line END = new Line("", true); // close() queues it last; the writer stops there

    private final PrintStream console;
    private final PrintStream everything; // null: only the notices, on the console
    private final BlockingQueue<Line> queue = new ArrayBlockingQueue<>(QUEUE_LINES);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer = new Thread(this::writeLines, "log-writer");

    /** Every line, on {@code console}. */
    static Log to(PrintStream console) {
        return new Log(console, console);
    }

    /** The notices only, on {@code console}: no line for each connection. */
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
        add(new Line(text, true));
    }

    /** A line about one connection. */
    void info(String text) {
        if (everything != null) {
            add(new Line(text, false));
        }
    }

    /** How many lines were dropped so far because the log could not keep up. */
    long droppedLines() {
        return dropped.get();
    }

    private void add(Line line) {
        if (!queue.offer(line)) { // offer, never put: put would wait, and so would the loop
            dropped.incrementAndGet();
        }
    }

    private void writeLines() {
        long reported = 0;
        try {
            for (Line line = queue.take(); line != END; line = queue.take()) {
                write(line);
                // Lines are dropped while a write is stuck: the count follows the line that was
                // stuck, in one piece, as soon as the output moves again.
                reported = reportDropped(reported);
                if (queue.isEmpty()) {
                    flush(); // a burst of lines goes out in one write, not one write each
                }
            }
            reportDropped(reported);
        } catch (InterruptedException e) {
            // close() gave up waiting: the output is stuck
        }
        flush();
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

    private void flush() {
        console.flush();
        if (everything != null) {
            everything.flush();
        }
    }

    /** Writes what is queued, waiting a second at most (the output may be stuck), then stops. */
    @Override
    public void close() {
        try {
            if (!queue.offer(END, 1, TimeUnit.SECONDS) || !join(writer, 1000)) {
                writer.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (everything != null && everything != console) {
            everything.close();
        }
    }

    private static boolean join(Thread thread, long millis) throws InterruptedException {
        thread.join(millis);
        return !thread.isAlive();
    }
}
