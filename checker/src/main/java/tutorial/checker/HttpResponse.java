package tutorial.checker;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One answer as it came over the wire: its head (status line and headers) and its body. */
record HttpResponse(Head head, byte[] body) {

    /** The status line and the headers; header names in lower case. */
    record Head(String statusLine, int status, Map<String, List<String>> headers, int bytes) {

        /** The first value of a header, or null. */
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        /** Content-Length, or -1 if there is none. */
        long contentLength() {
            String value = header("content-length");
            try {
                return value == null ? -1 : Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        boolean chunked() {
            String value = header("transfer-encoding");
            return value != null && value.toLowerCase(Locale.ROOT).contains("chunked");
        }

        /** True if the server said it closes the connection after this answer. */
        boolean saysClose() {
            String value = header("connection");
            return value != null && value.toLowerCase(Locale.ROOT).contains("close");
        }

        /** "200 OK", the status line without its version. */
        String statusText() {
            int space = statusLine.indexOf(' ');
            return space < 0 ? statusLine : statusLine.substring(space + 1);
        }
    }

    int status() {
        return head.status();
    }

    String header(String name) {
        return head.header(name);
    }

    /** "200 OK, 2297 body bytes" */
    String summary() {
        return head.statusText() + ", " + body.length + " body bytes";
    }
}
