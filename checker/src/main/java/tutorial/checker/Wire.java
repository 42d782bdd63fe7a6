package tutorial.checker;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What one check's connections sent and received, kept short: consecutive reads (or writes) of
 * one connection are merged into one event with their total byte count and their first bytes.
 * A FAIL line shows the last few events, so the learner sees the exchange that went wrong.
 */
final class Wire {

    private static final int KEPT_EVENTS = 16;
    private static final int KEPT_BYTES = 64;
    private static final int SHOWN_CHARACTERS = 60;

    private enum Kind { SENT, RECEIVED, NOTE }

    private static final class Event {
        final String who;
        final Kind kind;
        final StringBuilder firstBytes = new StringBuilder();
        long bytes;
        String note;

        Event(String who, Kind kind) {
            this.who = who;
            this.kind = kind;
        }
    }

    private final Deque<Event> events = new ArrayDeque<>();

    synchronized void sent(String who, ByteBuffer bytes) {
        add(who, Kind.SENT, bytes);
    }

    synchronized void received(String who, ByteBuffer bytes) {
        add(who, Kind.RECEIVED, bytes);
    }

    synchronized void sent(String who, byte[] bytes, int offset, int length) {
        add(who, Kind.SENT, ByteBuffer.wrap(bytes, offset, length));
    }

    synchronized void received(String who, byte[] bytes, int offset, int length) {
        add(who, Kind.RECEIVED, ByteBuffer.wrap(bytes, offset, length));
    }

    /** Something that is not bytes: "end of stream", "nothing for 5.0 s", "half-closed its output". */
    synchronized void note(String who, String what) {
        Event event = new Event(who, Kind.NOTE);
        event.note = what;
        push(event);
    }

    synchronized void silence(String who, Duration waited) {
        note(who, "received nothing for " + seconds(waited));
    }

    /** Appends this log's events to {@code other}, in order: the handshake of a TLS connection that failed. */
    void copyTo(Wire other) {
        List<Event> copy;
        synchronized (this) {
            copy = new ArrayList<>(events);
        }
        synchronized (other) {
            copy.forEach(other::push);
        }
    }

    /** The last {@code count} events, as lines of plain ASCII; those of {@code who} only, if given. */
    synchronized List<String> lastLines(String who, int count) {
        List<String> lines = new ArrayList<>();
        for (Event event : events) {
            if (who == null || event.who.equals(who)) {
                lines.add(describe(event));
            }
        }
        return lines.subList(Math.max(0, lines.size() - count), lines.size());
    }

    private void add(String who, Kind kind, ByteBuffer bytes) {
        if (!bytes.hasRemaining()) {
            return;
        }
        Event last = events.peekLast();
        Event event = last != null && last.who.equals(who) && last.kind == kind ? last : null;
        if (event == null) {
            event = new Event(who, kind);
            push(event);
        }
        event.bytes += bytes.remaining();
        for (int i = bytes.position(); i < bytes.limit() && event.firstBytes.length() < KEPT_BYTES; i++) {
            event.firstBytes.append((char) (bytes.get(i) & 0xFF));
        }
    }

    private void push(Event event) {
        events.addLast(event);
        if (events.size() > KEPT_EVENTS) {
            events.removeFirst();
        }
    }

    private static String describe(Event event) {
        return switch (event.kind) {
            case NOTE -> event.who + " " + event.note;
            case SENT -> event.who + " sent " + count(event.bytes) + ": " + quote(event.firstBytes, event.bytes);
            case RECEIVED -> event.who + " received " + count(event.bytes) + ": " + quote(event.firstBytes, event.bytes);
        };
    }

    private static String count(long bytes) {
        return bytes == 1 ? "1 byte" : bytes + " bytes";
    }

    /** The first bytes in quotes, as printable ASCII: \r, \n, \t, \" and \\ escaped, others as \xNN. */
    static String quote(CharSequence bytes, long total) {
        StringBuilder shown = new StringBuilder("\"");
        int i = 0;
        for (; i < bytes.length() && shown.length() < SHOWN_CHARACTERS; i++) {
            char c = bytes.charAt(i);
            switch (c) {
                case '\r' -> shown.append("\\r");
                case '\n' -> shown.append("\\n");
                case '\t' -> shown.append("\\t");
                case '"' -> shown.append("\\\"");
                case '\\' -> shown.append("\\\\");
                default -> shown.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02x", (int) c));
            }
        }
        shown.append('"');
        return i < total ? shown.append("...").toString() : shown.toString();
    }

    static String seconds(Duration duration) {
        return String.format(java.util.Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }
}
