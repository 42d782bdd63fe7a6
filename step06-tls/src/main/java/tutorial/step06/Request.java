package tutorial.step06;

import java.util.Map;

/**
 * One parsed request: its request line and its headers (names in lower case, a repeated header's
 * values joined with ", "). {@code contentLength} is 0 when there is no Content-Length header.
 */
record Request(String method, String target, String version, Map<String, String> headers, long contentLength) {

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
    /** HTTP/1.1 keeps the connection open unless told otherwise; HTTP/1.0 closes unless asked not to. */
    boolean keepAlive() {
        if (version.equals("HTTP/1.1")) {
            return !connectionHas("close");
        }
        return connectionHas("keep-alive");
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
}
