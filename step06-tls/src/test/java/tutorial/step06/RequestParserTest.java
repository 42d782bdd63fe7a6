package tutorial.step06;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The parser on its own: bytes in, requests out, no socket anywhere. */
class RequestParserTest {

    private static final String GET = "GET /index.html?x=1 HTTP/1.1\r\nHost: localhost:8080\r\nAccept: */*\r\n\r\n";

    private final RequestParser parser = new RequestParser();

    @Test
    void parsesARequestSentWhole() throws HttpError {
        Request request = parser.parse(bytes(GET));

        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.target()).isEqualTo("/index.html?x=1");
        assertThat(request.version()).isEqualTo("HTTP/1.1");
        assertThat(request.header("host")).isEqualTo("localhost:8080");
        assertThat(request.header("accept")).isEqualTo("*/*");
        assertThat(request.contentLength()).isZero();
    }

    @Test
    void parsesTheSameRequestFedOneByteAtATime() throws HttpError {
        ByteBuffer all = bytes(GET);
        Request request = null;
        int calls = 0;
        while (all.hasRemaining()) {
            assertThat(request).as("no request before the last byte").isNull();
            request = parser.parse(ByteBuffer.wrap(new byte[] {all.get()}));
            calls++;
        }

        assertThat(calls).isEqualTo(GET.length());
        assertThat(request).isEqualTo(new RequestParser().parse(bytes(GET)));
    }

    @Test
    void remembersAHalfLineBetweenCalls() throws HttpError {
        assertThat(parser.parse(bytes("GET /a HT"))).isNull();
        assertThat(parser.inProgress()).isTrue();
        assertThat(parser.parse(bytes("TP/1.1\r\nHo"))).isNull();

        Request request = parser.parse(bytes("st: x\r\n\r\n"));

        assertThat(request.requestLine()).isEqualTo("GET /a HTTP/1.1");
        assertThat(request.header("host")).isEqualTo("x");
        assertThat(parser.inProgress()).isFalse();
    }

    @Test
    void leavesThePipelinedNextRequestInTheBuffer() throws HttpError {
        ByteBuffer input = bytes(GET + "HEAD /second HTTP/1.1\r\nHost: x\r\n\r\nGET /thi");

        Request first = parser.parse(input);
        Request second = parser.parse(input);
        Request third = parser.parse(input);

        assertThat(first.target()).isEqualTo("/index.html?x=1");
        assertThat(second.requestLine()).isEqualTo("HEAD /second HTTP/1.1");
        assertThat(third).as("incomplete").isNull();
        assertThat(input.hasRemaining()).as("the incomplete bytes were consumed and kept").isFalse();
        assertThat(parser.parse(bytes("rd HTTP/1.0\r\n\r\n")).target()).isEqualTo("/third");
    }

    @Test
    void headerNamesAreCaseInsensitiveAndRepeatedValuesAreJoined() throws HttpError {
        Request request = parser.parse(bytes(
                "GET / HTTP/1.1\r\nHOST: a\r\nX-Tag:  one \r\nx-tag: two\r\nConnection: keep-alive, Close\r\n\r\n"));

        assertThat(request.header("host")).isEqualTo("a");
        assertThat(request.header("x-tag")).isEqualTo("one, two");
        assertThat(request.keepAlive()).isFalse();
    }

    @Test
    void acceptsBareLineFeedsAndBlankLinesBeforeARequest() throws HttpError {
        Request request = parser.parse(bytes("\r\n\nGET / HTTP/1.1\nHost: x\n\n"));

        assertThat(request.requestLine()).isEqualTo("GET / HTTP/1.1");
    }

    @Test
    void http10NeedsNoHostAndClosesUnlessAskedToKeepAlive() throws HttpError {
        assertThat(parser.parse(bytes("GET / HTTP/1.0\r\n\r\n")).keepAlive()).isFalse();
        assertThat(parser.parse(bytes("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")).keepAlive()).isTrue();
        assertThat(parser.parse(bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n")).keepAlive()).isTrue();
    }

    @Test
    void readsContentLengthButNotTheBody() throws HttpError {
        Request request = parser.parse(bytes("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\nhello"));

        assertThat(request.contentLength()).isEqualTo(5);
        assertThat(request.hasBody()).isTrue();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "GARBAGE\\r\\n\\r\\n                                                        | 400",
        "GET /\\r\\n\\r\\n                                                          | 400",
        "GET  / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n                                   | 400",
        "G(T / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n                                    | 400",
        "GET /a\\u00e9 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n                            | 400",
        "GET / HTTP/1\\r\\nHost: x\\r\\n\\r\\n                                      | 400",
        "GET / HTTP/2.0\\r\\nHost: x\\r\\n\\r\\n                                    | 505",
        "GET / HTTP/3.0\\r\\nHost: x\\r\\n\\r\\n                                    | 505",
        "GET / HTTP/0.9\\r\\nHost: x\\r\\n\\r\\n                                    | 505",
        "GET / http/1.1\\r\\nHost: x\\r\\n\\r\\n                                    | 400",
        "GET / HTTP/1.10\\r\\nHost: x\\r\\n\\r\\n                                   | 400",
        "GET / HTTP/1.1\\r\\n\\r\\n                                                 | 400",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n                       | 400",
        "GET / HTTP/1.1\\r\\nHost: a b\\r\\n\\r\\n                                  | 400",
        "GET / HTTP/1.1\\r\\nHost: user@example.com\\r\\n\\r\\n                   | 400",
        "GET / HTTP/1.2\\r\\n\\r\\n                                                 | 400",
        "GET / HTTP/1.1\\r\\nHost : x\\r\\n\\r\\n                                   | 400",
        "GET / HTTP/1.1\\r\\nHost: x\\r\\nNo colon here\\r\\n\\r\\n                 | 400",
        "GET / HTTP/1.1\\r\\nHost: x\\r\\nX: a\\r\\n folded\\r\\n\\r\\n             | 400",
        "GET / HTTP/1.1\\r\\nHost: x\\u0000\\r\\n\\r\\n                             | 400",
        "GET / HTTP/1.1\\r\\nHost: x\\rX: y\\r\\n\\r\\n                             | 400",
        "GET / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: abc\\r\\n\\r\\n           | 400",
        "GET / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: -1\\r\\n\\r\\n            | 400",
        "GET / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 5\\r\\nContent-Length: 6\\r\\n\\r\\n | 400",
        "POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 5\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | 400",
        "POST / HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n          | 400",
        "POST / HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked, gzip\\r\\n\\r\\n | 400",
        "POST / HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n | 400",
        "POST / HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding:\\r\\n\\r\\n                | 400",
        "POST / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n                   | 400",
    })
    void refusesWhatIsNotAWellFormedRequest(String escaped, int status) {
        ByteBuffer input = bytes(unescape(escaped));

        assertThatThrownBy(() -> parser.parse(input))
                .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status.code).isEqualTo(status));
    }

    @Test
    void servesALaterHttp1MinorVersionAsHttp11() throws HttpError {
        Request request = parser.parse(bytes("GET / HTTP/1.2\r\nHost: x\r\n\r\n"));

        assertThat(request.version()).as("what the client sent, for the log").isEqualTo("HTTP/1.2");
        assertThat(request.keepsAliveByDefault()).as("1.1 rules: open unless told otherwise").isTrue();
        assertThat(request.keepAlive()).isTrue();
    }

    @Test
    void acceptsATransferEncodingWhoseFinalCodingIsChunked() throws HttpError {
        // Framed: the body would end where the chunked coding says. Not read here: the Responder
        // refuses it (501) and the connection closes.
        for (String codings : new String[] {"chunked", "Chunked", "gzip, chunked", "gzip,chunked, ", "gzip;q=1, chunked"}) {
            Request request = new RequestParser().parse(bytes(
                    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + codings + "\r\n\r\n"));

            assertThat(request.hasBody()).as(codings).isTrue();
        }
    }

    @Test
    void aTransferEncodingThatFramesNothingSaysWhy() {
        assertThatThrownBy(() -> parser.parse(bytes("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n")))
                .isInstanceOfSatisfying(HttpError.class, e -> {
                    assertThat(e.status).isEqualTo(Status.BAD_REQUEST);
                    assertThat(e.getMessage()).isEqualTo("Transfer-Encoding whose final coding is not chunked");
                });
    }

    @Test
    void boundsTheRequestLine() throws HttpError {
        String longTarget = "/" + "a".repeat(RequestParser.MAX_REQUEST_LINE);

        // The error comes as soon as the bound is passed, before any line end: a client cannot
        // make us hold more by never sending one.
        assertThatThrownBy(() -> parser.parse(bytes("GET " + longTarget)))
                .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status).isEqualTo(Status.URI_TOO_LONG));
        String fits = "GET /" + "a".repeat(RequestParser.MAX_REQUEST_LINE - 20) + " HTTP/1.1\r\nHost: x\r\n\r\n";
        assertThat(new RequestParser().parse(bytes(fits))).isNotNull();
    }

    @Test
    void boundsTheHeaderSection() {
        String header = "X-Filler: " + "b".repeat(1000) + "\r\n";
        String request = "GET / HTTP/1.1\r\nHost: x\r\n" + header.repeat(17) + "\r\n";

        assertThatThrownBy(() -> parser.parse(bytes(request)))
                .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status).isEqualTo(Status.HEADERS_TOO_LARGE));
    }

    @Test
    @DisplayName("more than 100 header lines get 431, however short: each costs the heap far more than its bytes")
    void boundsTheNumberOfHeaderLines() throws HttpError {
        String hundred = "GET / HTTP/1.1\r\nHost: x\r\n" + "a: b\r\n".repeat(RequestParser.MAX_HEADER_LINES - 1);

        assertThat(new RequestParser().parse(bytes(hundred + "\r\n"))).isNotNull();
        assertThatThrownBy(() -> parser.parse(bytes(hundred + "a: b\r\n\r\n")))
                .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e)
                        .hasMessage("more than 100 header lines").extracting(error -> error.status)
                        .isEqualTo(Status.HEADERS_TOO_LARGE));
    }

    @Test
    void remembersTheRequestLineOfARequestThatFailedForTheLog() {
        assertThatThrownBy(() -> parser.parse(bytes("GET /x HTTP/1.1\r\n\r\n"))).isInstanceOf(HttpError.class);
        assertThat(parser.requestLine()).isEqualTo("GET /x HTTP/1.1");

        RequestParser another = new RequestParser();
        assertThatThrownBy(() -> another.parse(bytes("GET / HTTP/3\r\n"))).isInstanceOf(HttpError.class);
        assertThat(another.requestLine()).isEqualTo("GET / HTTP/3");
    }

    @Test
    void parsesManyRequestsInARowWithFreshHeaders() throws HttpError {
        List<Request> requests = new ArrayList<>();
        ByteBuffer input = bytes("GET /1 HTTP/1.1\r\nHost: x\r\nX-Only-First: 1\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
        Request request;
        while ((request = parser.parse(input)) != null) {
            requests.add(request);
        }

        assertThat(requests).extracting(Request::target).containsExactly("/1", "/2");
        assertThat(requests.get(1).header("x-only-first")).isNull();
    }

    static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** CsvSource cannot hold CR, LF or NUL: the table writes them as \r, \n, \u0000 and \u00e9. */
    private static String unescape(String escaped) {
        return escaped.replace("\\r", "\r").replace("\\n", "\n")
                .replace("\\u0000", "\0").replace("\\u00e9", "\u00e9");
    }
}
