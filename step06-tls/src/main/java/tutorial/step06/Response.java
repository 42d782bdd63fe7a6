package tutorial.step06;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * A response ready to send: the status line and headers, and the body as bytes in memory or as an
 * open file to stream. {@code contentLength} is always the body's length, also for HEAD, whose
 * response carries no body at all.
 */
record Response(Status status, String contentType, long contentLength, ByteBuffer body, FileChannel file, String allow) {

    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static volatile CachedDate date = new CachedDate(0, "");

    private record CachedDate(long second, String text) {
    }

    static Response ok(String contentType, long contentLength, ByteBuffer body, FileChannel file) {
        return new Response(Status.OK, contentType, contentLength, body, file, null);
    }

    /** An error with a one-line text body that says what went wrong, e.g. "404 Not Found: no such file: /x". */
    static Response error(Status status, String message) {
        byte[] text = (status.code + " " + status.reason + ": " + message + "\n").getBytes(StandardCharsets.UTF_8);
        return new Response(status, "text/plain; charset=utf-8", text.length, ByteBuffer.wrap(text), null, null);
    }

    Response allowing(String methods) {
        return new Response(status, contentType, contentLength, body, file, methods);
    }

    /** The same headers, Content-Length included, and no body: the answer to HEAD. */
    Response withoutBody() {
        return new Response(status, contentType, contentLength, null, null, allow);
    }

    /** How many body bytes this response sends (for the access log). */
    long bodyBytes() {
        return body != null || file != null ? contentLength : 0;
    }

    // tag::head[]
    /** The status line and headers; {@code connection} is "close", "keep-alive" or null (no header). */
    ByteBuffer head(String connection) {
        StringBuilder head = new StringBuilder(160)
                .append("HTTP/1.1 ").append(status.code).append(' ').append(status.reason).append("\r\n")
                .append("Server: tutorial-step06\r\n")
                .append("Date: ").append(now()).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(contentLength).append("\r\n");
        if (allow != null) {
            head.append("Allow: ").append(allow).append("\r\n");
        }
        if (connection != null) {
            head.append("Connection: ").append(connection).append("\r\n");
        }
        head.append("\r\n"); // the blank line: the body starts after it
        return ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }
    // end::head[]

    /** The Date header changes once a second: format it once a second, not once a request. */
    private static String now() {
        long second = System.currentTimeMillis() / 1000;
        CachedDate cached = date;
        if (cached.second() != second) {
            cached = new CachedDate(second, HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
            date = cached; // one immutable object swapped whole: safe even with servers on several threads
        }
        return cached.text();
    }
}
