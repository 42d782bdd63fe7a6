package tutorial.step06;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the bytes of one connection into requests, however the network splits them: feed it
 * whatever a read returned, and it hands back a request once the blank line that ends the headers
 * has arrived. It remembers the half-line it has seen so far between two calls, so a request sent
 * one byte at a time is parsed exactly like one sent whole. It never needs the socket: the tests
 * feed it byte buffers.
 *
 * <pre>
 * request line  =  METHOD SP TARGET SP HTTP/1.x CRLF
 * header lines  =  (Name: value CRLF)*
 * end           =  CRLF
 * </pre>
 */
final class RequestParser {

    /** Longer request lines get 414: a server must bound what it keeps in memory for a client. */
    static final int MAX_REQUEST_LINE = 8 * 1024;
    /** Larger header sections get 431. */
    static final int MAX_HEADER_SECTION = 16 * 1024;
    /**
     * More header lines get 431 too. Each costs the heap far more than its bytes (a map entry and
     * two strings, about 130 bytes for "a:b"), and a repeated one is joined to the ones before:
     * 16 KiB of three-byte headers would cost half a megabyte and many copies.
     */
    static final int MAX_HEADER_LINES = 100;

    private static final Pattern VERSION = Pattern.compile("HTTP/(\\d)\\.\\d");
    private static final Pattern DIGITS = Pattern.compile("\\d{1,18}");

    private enum State { REQUEST_LINE, HEADERS, FAILED }

    private State state = State.REQUEST_LINE;
    // The line being collected, up to its LF. ISO-8859-1 maps each byte to one char, so no byte is
    // lost or merged whatever arrives: the checks below decide what is allowed.
    private final StringBuilder line = new StringBuilder(128);
    private int requestLineBytes;
    private int headerBytes;
    private int headerLines;
    private String requestLine;
    private String method;
    private String target;
    private String version;
    private Map<String, String> headers;

    // tag::parse[]
    /**
     * Consumes bytes from {@code input} until a request is complete, and returns it; returns null
     * when every byte was consumed and the request is still incomplete. Bytes after a complete
     * request stay in {@code input}: they are the start of the next (pipelined) request.
     */
    Request parse(ByteBuffer input) throws HttpError {
        if (state == State.FAILED) {
            throw new IllegalStateException("the parser failed before: the connection must be closed");
        }
        try {
            while (input.hasRemaining()) {
                char c = (char) (input.get() & 0xFF);
                countByte();
                if (c != '\n') {
                    line.append(c);
                    continue;
                }
                String text = endLine();
                if (state == State.REQUEST_LINE) {
                    if (!text.isEmpty()) { // a client may send blank lines between requests
                        parseRequestLine(text);
                        state = State.HEADERS;
                    }
                } else if (!text.isEmpty()) {
                    parseHeader(text);
                } else {
                    return finishRequest(); // the blank line: the headers are complete
                }
            }
            return null;
        } catch (HttpError e) {
            state = State.FAILED;
            throw e;
        }
    }
    // end::parse[]

    /** Part of a request has arrived, but not all of it (the idle timeout answers 408 then). */
    boolean inProgress() {
        return state == State.HEADERS || line.length() > 0;
    }

    /** The request line of the request being parsed, valid or not; null if it has not arrived (for the log). */
    String requestLine() {
        return requestLine;
    }

    // tag::bounds[]
    private void countByte() throws HttpError {
        if (state == State.REQUEST_LINE && ++requestLineBytes > MAX_REQUEST_LINE) {
            throw new HttpError(Status.URI_TOO_LONG, "request line longer than " + MAX_REQUEST_LINE + " bytes");
        }
        if (state == State.HEADERS && ++headerBytes > MAX_HEADER_SECTION) {
            throw new HttpError(Status.HEADERS_TOO_LARGE, "headers longer than " + MAX_HEADER_SECTION + " bytes");
        }
    }
    // end::bounds[]

    /** The collected line without its CR LF (a bare LF is accepted too, as RFC 9112 allows). */
    private String endLine() throws HttpError {
        int length = line.length();
        if (length > 0 && line.charAt(length - 1) == '\r') {
            length--;
        }
        for (int i = 0; i < length; i++) {
            char c = line.charAt(i);
            if ((c < ' ' && c != '\t') || c == 0x7F) {
                throw new HttpError(Status.BAD_REQUEST, "control character in the request");
            }
        }
        String text = line.substring(0, length);
        line.setLength(0);
        return text;
    }

    // tag::request-line[]
    private void parseRequestLine(String text) throws HttpError {
        requestLine = text;
        String[] parts = text.split(" ", -1);
        if (parts.length != 3 || !isToken(parts[0]) || parts[1].isEmpty()) {
            throw new HttpError(Status.BAD_REQUEST, "malformed request line");
        }
        for (char c : parts[1].toCharArray()) {
            if (c <= ' ' || c >= 0x7F) {
                throw new HttpError(Status.BAD_REQUEST, "invalid character in the request target");
            }
        }
        Matcher httpVersion = VERSION.matcher(parts[2]);
        if (!httpVersion.matches()) {
            throw new HttpError(Status.BAD_REQUEST, "malformed HTTP version");
        }
        if (!httpVersion.group(1).equals("1")) {
            // 505 is for a major version we do not speak (HTTP/2.0, HTTP/3.0, HTTP/0.9). A later
            // 1.x is still HTTP/1: it is served as 1.1 (see Request.keepsAliveByDefault).
            throw new HttpError(Status.VERSION_NOT_SUPPORTED, "only HTTP/1.x is supported");
        }
        method = parts[0];
        target = parts[1];
        version = parts[2];
        headers = new HashMap<>();
    }
    // end::request-line[]

    private void parseHeader(String text) throws HttpError {
        if (++headerLines > MAX_HEADER_LINES) {
            throw new HttpError(Status.HEADERS_TOO_LARGE, "more than " + MAX_HEADER_LINES + " header lines");
        }
        int colon = text.indexOf(':');
        // No space before the colon, no line folding: both were used to smuggle requests past proxies.
        if (colon < 1 || !isToken(text.substring(0, colon))) {
            throw new HttpError(Status.BAD_REQUEST, "malformed header line");
        }
        String name = text.substring(0, colon).toLowerCase(Locale.ROOT);
        String value = text.substring(colon + 1).strip();
        if (name.equals("host") && headers.containsKey("host")) {
            throw new HttpError(Status.BAD_REQUEST, "more than one Host header");
        }
        headers.merge(name, value, (first, next) -> first + ", " + next);
    }

    // tag::finish[]
    private Request finishRequest() throws HttpError {
        String host = headers.get("host");
        if (host == null && !version.equals("HTTP/1.0")) { // HTTP/1.1, or a later 1.x served as 1.1
            throw new HttpError(Status.BAD_REQUEST, "HTTP/1.1 request without a Host header");
        }
        if (host != null && !Request.isValidHost(host)) {
            throw new HttpError(Status.BAD_REQUEST, "invalid Host header"); // RFC 9112, 3.2: MUST be 400
        }
        long contentLength = contentLength(headers.get("content-length"));
        checkBodyFraming();
        Request request = new Request(method, target, version, headers, contentLength);
        state = State.REQUEST_LINE; // ready for the next request on this connection
        requestLineBytes = 0;
        headerBytes = 0;
        headerLines = 0;
        requestLine = null;
        headers = null; // the request has them now; the parser keeps nothing of it
        return request;
    }
    // end::finish[]

    // tag::body-framing[]
    /**
     * Where would a body end? Bodies are not read here, but their length must be unambiguous,
     * or the bytes after the headers could not be told apart from the next request.
     */
    private void checkBodyFraming() throws HttpError {
        String transferEncoding = headers.get("transfer-encoding");
        if (transferEncoding == null) {
            return; // Content-Length alone, or no body at all
        }
        if (headers.containsKey("content-length")) {
            // Which one frames the body? Two servers that disagree are how requests get smuggled.
            throw new HttpError(Status.BAD_REQUEST, "both Content-Length and Transfer-Encoding");
        }
        if (version.equals("HTTP/1.0")) {
            // HTTP/1.0 has no Transfer-Encoding: the message's framing is faulty (RFC 9112, 6.1).
            throw new HttpError(Status.BAD_REQUEST, "Transfer-Encoding in an HTTP/1.0 request");
        }
        if (!finalCodingIsChunked(transferEncoding)) {
            // "gzip" alone: nothing says where the body ends. RFC 9112, 6.3: 400, then close.
            throw new HttpError(Status.BAD_REQUEST, "Transfer-Encoding whose final coding is not chunked");
        }
    }

    /** "gzip, chunked" ends with chunked, the only coding that marks where a body ends. */
    private static boolean finalCodingIsChunked(String transferEncoding) {
        String[] codings = transferEncoding.split(",");
        for (int i = codings.length - 1; i >= 0; i--) {
            String coding = codings[i].strip();
            if (!coding.isEmpty()) { // a list may hold empty elements ("chunked, "): skip them
                int parameters = coding.indexOf(';');
                String name = (parameters < 0 ? coding : coding.substring(0, parameters)).strip();
                return name.equalsIgnoreCase("chunked"); // coding names are case-insensitive (RFC 9112, 7)
            }
        }
        return false;
    }
    // end::body-framing[]

    /** The value of Content-Length: digits, and if repeated ("5, 5"), the same number each time. */
    private static long contentLength(String value) throws HttpError {
        if (value == null) {
            return 0;
        }
        long length = -1;
        for (String part : value.split(",", -1)) {
            String digits = part.strip();
            if (!DIGITS.matcher(digits).matches()) {
                throw new HttpError(Status.BAD_REQUEST, "invalid Content-Length");
            }
            if (length != -1 && length != Long.parseLong(digits)) {
                throw new HttpError(Status.BAD_REQUEST, "conflicting Content-Length values");
            }
            length = Long.parseLong(digits);
        }
        return length;
    }

    /** A token (RFC 9110): letters, digits and a few symbols; what method and header names are made of. */
    private static boolean isToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (char c : text.toCharArray()) {
            boolean symbol = "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            boolean letterOrDigit = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!symbol && !letterOrDigit) {
                return false;
            }
        }
        return true;
    }
}
