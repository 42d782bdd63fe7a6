package tutorial.step05;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One parsed request: its request line and its headers (names in lower case, a repeated header's
 * values joined with ", "). {@code contentLength} is 0 when there is no Content-Length header.
 * {@code version} is what the client sent: "HTTP/1.0", "HTTP/1.1", or a later "HTTP/1.x", which
 * this server treats as 1.1.
 */
record Request(String method, String target, String version, Map<String, String> headers, long contentLength) {

    // scheme "://" authority, then the path and query (RFC 9112, 3.2.2). Scheme names are
    // case-insensitive (RFC 3986, 3.1): "HTTP://" is the same as "http://".
    private static final Pattern ABSOLUTE_FORM = Pattern.compile("(?i)https?://([^/?]*)(.*)");
    // The characters of a host name besides letters and digits: "-._~", percent-escapes and the
    // sub-delimiters of RFC 3986.
    private static final String NAME_SYMBOLS = "-._~%!$&'()*+,;=";

    String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    String requestLine() {
        return method + " " + target + " " + version;
    }

    /** A body follows the headers: this server reads none, so it must close after answering. */
    boolean hasBody() {
        return contentLength > 0 || headers.containsKey("transfer-encoding");
    }

    // tag::keep-alive[]
    /**
     * HTTP/1.1 keeps a connection open unless the client says otherwise; HTTP/1.0 closes it. A
     * later HTTP/1.x counts as 1.1: a server SHOULD treat a higher minor version as the highest
     * one it speaks (RFC 9110, 6.2), since minor versions do not break what came before.
     */
    boolean keepsAliveByDefault() {
        return !version.equals("HTTP/1.0");
    }

    /** Whether the client wants the connection kept after this request. */
    boolean keepAlive() {
        return keepsAliveByDefault() ? !connectionHas("close") : connectionHas("keep-alive");
    }
    // end::keep-alive[]

    private boolean connectionHas(String option) {
        String value = headers.get("connection");
        if (value == null) {
            return false;
        }
        for (String token : value.split(",")) {
            if (token.trim().equalsIgnoreCase(option)) {
                return true;
            }
        }
        return false;
    }

    // tag::origin-form[]
    /**
     * The target as a path and query, {@code /a?b}: what the server looks up. A client talking
     * to the server sends that form (the origin form); one talking to a proxy sends the absolute
     * form {@code http://host:8080/a?b}, and a server MUST accept it too (RFC 9112, 3.2.2). Its
     * authority then stands for the request's host instead of the Host header; this server serves
     * the same files whatever either says, so it only refuses an authority that is not one: empty
     * (RFC 9110, 4.2.1: MUST reject), or with a {@code user@}, a phishing trick that RFC 9110,
     * 4.2.4 says to treat as an error. Any other target is returned as it is, for StaticFiles to
     * refuse.
     */
    String originForm() throws HttpError {
        if (target.startsWith("/")) {
            return target; // the origin form, nearly every request's: no pattern to run
        }
        Matcher absolute = ABSOLUTE_FORM.matcher(target);
        if (!absolute.matches()) {
            return target;
        }
        if (!isAuthority(absolute.group(1))) {
            throw new HttpError(Status.BAD_REQUEST, "invalid host in the target: " + target);
        }
        String pathAndQuery = absolute.group(2);
        return pathAndQuery.startsWith("/") ? pathAndQuery : "/" + pathAndQuery; // "http://h" and "http://h?q" name "/"
    }
    // end::origin-form[]

    /** A Host header value that is an authority ("host" or "host:port"), or empty (RFC 9112, 3.2). */
    static boolean isValidHost(String value) {
        return value.isEmpty() || isAuthority(value);
    }

    /**
     * host [":" port]: a name or IPv4 address, or an IPv6 address in brackets. No "user@": see
     * originForm. The regular expression {@code (?:[A-Za-z0-9NAME_SYMBOLS]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]*)?}
     * says the same, but every request's Host goes through this, and the pattern cost about a
     * twentieth of step 05's CPU time per request (JDK Flight Recorder, wrk at 50 connections).
     */
    static boolean isAuthority(String value) {
        int i = 0;
        if (value.startsWith("[")) { // an IPv6 address
            int close = value.indexOf(']');
            if (close < 2 || !allIn(value, 1, close, "0123456789ABCDEFabcdef:.")) {
                return false;
            }
            i = close + 1;
        } else {
            while (i < value.length() && isNameCharacter(value.charAt(i))) {
                i++;
            }
            if (i == 0) {
                return false;
            }
        }
        return i == value.length() || value.charAt(i) == ':' && allIn(value, i + 1, value.length(), "0123456789");
    }

    private static boolean isNameCharacter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || NAME_SYMBOLS.indexOf(c) >= 0;
    }

    private static boolean allIn(String value, int from, int to, String allowed) {
        for (int i = from; i < to; i++) {
            if (allowed.indexOf(value.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }
}
