package tutorial.step06;

import java.net.SocketAddress;

/**
 * The access log's line for one response, as web servers print it: the client's address, the
 * request line, the status and the number of body bytes.
 * {@code /127.0.0.1:47610 "GET / HTTP/1.1" 200 2297}
 */
final class AccessLog {

    private static final int MAX_SHOWN = 200;

    private AccessLog() {
    }

    static String line(SocketAddress client, String requestLine, Response response) {
        return client + " \"" + printable(requestLine) + "\" " + response.status().code + " " + response.body().length();
    }

    /**
     * The request line as it may be printed: the client chose these bytes, so no control
     * characters (a fake log line, a terminal escape), only ASCII, and not too long. "-" for none.
     */
    private static String printable(String requestLine) {
        if (requestLine == null) {
            return "-";
        }
        StringBuilder shown = new StringBuilder(Math.min(requestLine.length(), MAX_SHOWN + 3));
        for (int i = 0; i < requestLine.length() && i < MAX_SHOWN; i++) {
            char c = requestLine.charAt(i);
            shown.append(c >= ' ' && c < 0x7F ? c : '?');
        }
        return requestLine.length() > MAX_SHOWN ? shown.append("...").toString() : shown.toString();
    }
}
