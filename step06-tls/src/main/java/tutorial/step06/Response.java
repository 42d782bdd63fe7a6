package tutorial.step06;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * A response ready to send: the status, the headers, and a {@link Body}. {@code contentLength} is
 * the length of the body a GET gets, also for HEAD, whose response says the same Content-Length
 * and has no body at all. {@code allow} and {@code connection} are the values of those two
 * headers, or null where the header is not sent.
 */
record Response(Status status, String contentType, long contentLength, Body body, String allow, String connection) {

    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static volatile CachedDate date = new CachedDate(0, "");

    private record CachedDate(long second, String text) {
    }

    Response {
        // A Content-Length that is not the body's length makes the client read a response short
        // or take the rest of this one for the next.
        if (!(body instanceof Body.None) && body.length() != contentLength) {
            throw new IllegalArgumentException("Content-Length " + contentLength + " for a body of " + body.length());
        }
    }

    static Response ok(String contentType, long contentLength, Body body) {
        return new Response(Status.OK, contentType, contentLength, body, null, null);
    }

    /** An error with a one-line text body that says what went wrong, e.g. "404 Not Found: no such file: /x". */
    static Response error(Status status, String message) {
        byte[] text = (status.code + " " + status.reason + ": " + message + "\n").getBytes(StandardCharsets.UTF_8);
        return new Response(status, "text/plain; charset=utf-8", text.length, new Body.Bytes(text), null, null);
    }

    Response allowing(String methods) {
        return new Response(status, contentType, contentLength, body, methods, connection);
    }

    /** The same response with a Connection header: "close", "keep-alive", or null for none. */
    Response withConnection(String value) {
        return new Response(status, contentType, contentLength, body, allow, value);
    }

    /** The same headers, Content-Length included, and no body: the answer to HEAD. */
    Response withoutBody() {
        if (body instanceof Body.File) {
            // Dropping it here would leave the file open for good: HEAD must never open one.
            throw new IllegalStateException("a response to HEAD must not hold an open file");
        }
        return new Response(status, contentType, contentLength, Body.NONE, allow, connection);
    }

    /** The server closes the connection once this response is sent. */
    boolean closesConnection() {
        return "close".equals(connection);
    }

    // tag::head[]
    /** The status line and headers, up to and with the blank line that ends them. */
    ByteBuffer head() {
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
