package tutorial.step06;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the server answers, decided from the request alone: a request in, a response out, no socket anywhere. */
class ResponderTest {

    @TempDir
    static Path temp;
    private static Path root;
    private static Responder responder;

    @BeforeAll
    static void createSite() throws IOException {
        root = TestSite.create(temp);
        responder = new Responder(new StaticFiles(root, Duration.ZERO, new MemoryBudget(1 << 30, Log.quiet(System.out))));
    }

    @ParameterizedTest(name = "{0} -> {1}, Allow {2}, Connection {3}, body {4}")
    @CsvSource(delimiter = '|', value = {
        // the request head (without its blank line)               | status | Allow     | Connection | body
        "GET /index.html HTTP/1.1\\r\\nHost: x                       | 200    | -         | -          | bytes",
        "GET /large.bin HTTP/1.1\\r\\nHost: x                        | 200    | -         | -          | file",
        "HEAD /index.html HTTP/1.1\\r\\nHost: x                      | 200    | -         | -          | none",
        "HEAD /large.bin HTTP/1.1\\r\\nHost: x                       | 200    | -         | -          | none",
        "GET /missing.html HTTP/1.1\\r\\nHost: x                     | 404    | -         | -          | bytes",
        "HEAD /missing.html HTTP/1.1\\r\\nHost: x                    | 404    | -         | -          | none",
        "GET /../secret.txt HTTP/1.1\\r\\nHost: x                    | 400    | -         | -          | bytes",
        "DELETE /index.html HTTP/1.1\\r\\nHost: x                    | 405    | GET, HEAD | -          | bytes",
        "OPTIONS * HTTP/1.1\\r\\nHost: x                             | 405    | GET, HEAD | -          | bytes",
        "POST /form HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 3      | 405    | GET, HEAD | close      | bytes",
        "BREW /pot HTTP/1.1\\r\\nHost: x                             | 501    | -         | -          | bytes",
        "GET / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 5           | 413    | -         | close      | bytes",
        "POST /up HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked | 501  | -         | close      | bytes",
        "GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close           | 200    | -         | close      | bytes",
        "GET / HTTP/1.0                                              | 200    | -         | close      | bytes",
        "GET / HTTP/1.0\\r\\nConnection: keep-alive                   | 200    | -         | keep-alive | bytes",
        "GET / HTTP/1.2\\r\\nHost: x                                  | 200    | -         | -          | bytes",
        "GET http://localhost/index.html HTTP/1.1\\r\\nHost: x        | 200    | -         | -          | bytes",
        "GET http://localhost/../secret.txt HTTP/1.1\\r\\nHost: x     | 400    | -         | -          | bytes",
        "GET http://me@localhost/index.html HTTP/1.1\\r\\nHost: x     | 400    | -         | -          | bytes",
    })
    void answersEachRequestFromTheRequestAlone(String head, int status, String allow, String connection, String body)
            throws HttpError, IOException {
        Response response = responder.respond(request(head));
        try {
            assertThat(response.status().code).isEqualTo(status);
            assertThat(response.allow()).isEqualTo(orNull(allow));
            assertThat(response.connection()).isEqualTo(orNull(connection));
            assertThat(kind(response.body())).isEqualTo(body);
        } finally {
            closeFile(response);
        }
    }

    @Test
    void headGetsTheHeadersOfGetWithoutTheBody() throws HttpError, IOException {
        for (String path : new String[] {"/index.html", "/large.bin", "/missing.html"}) {
            Response get = responder.respond(request("GET " + path + " HTTP/1.1\r\nHost: x"));
            Response head = responder.respond(request("HEAD " + path + " HTTP/1.1\r\nHost: x"));
            try {
                assertThat(head.status()).as(path).isEqualTo(get.status());
                assertThat(head.contentType()).as(path).isEqualTo(get.contentType());
                assertThat(head.contentLength()).as("Content-Length of %s: what GET would send", path)
                        .isEqualTo(get.contentLength()).isEqualTo(get.body().length());
                assertThat(head.body()).as(path).isEqualTo(Body.NONE);
            } finally {
                closeFile(get);
            }
        }
    }

    @Test
    void aSmallFileIsAnsweredFromMemoryAndALargeOneFromAnOpenFile() throws HttpError, IOException {
        Response small = responder.respond(request("GET /style.css HTTP/1.1\r\nHost: x"));
        Response large = responder.respond(request("GET /large.bin HTTP/1.1\r\nHost: x"));
        try {
            assertThat(((Body.Bytes) small.body()).bytes()).isEqualTo(Files.readAllBytes(root.resolve("style.css")));
            Body.File file = (Body.File) large.body();
            assertThat(file.channel().isOpen()).isTrue();
            assertThat(file.length()).isEqualTo(TestSite.LARGE_FILE_SIZE).isEqualTo(large.contentLength());
        } finally {
            closeFile(large);
        }
    }

    @Test
    void anAbsoluteFormTargetGetsTheSameFileAsItsPathWhateverTheHostHeaderSays() throws HttpError {
        Response absolute = responder.respond(request("GET http://example.com:8080/style.css?v=1 HTTP/1.1\r\nHost: other"));
        Response origin = responder.respond(request("GET /style.css?v=1 HTTP/1.1\r\nHost: x"));

        assertThat(absolute.status()).isEqualTo(Status.OK);
        assertThat(((Body.Bytes) absolute.body()).bytes()).isEqualTo(((Body.Bytes) origin.body()).bytes());
    }

    @Test
    void anErrorSaysWhatWentWrongInItsBody() throws HttpError {
        Response response = responder.respond(request("BREW /pot HTTP/1.1\r\nHost: x"));

        assertThat(new String(((Body.Bytes) response.body()).bytes(), StandardCharsets.UTF_8))
                .isEqualTo("501 Not Implemented: unknown method BREW\n");
        assertThat(response.contentType()).isEqualTo("text/plain; charset=utf-8");
    }

    @Test
    void bytesThatMakeNoRequestGetTheParsersStatusAndAClose() {
        HttpError error = new HttpError(Status.URI_TOO_LONG, "request line longer than 8192 bytes");

        Response response = Responder.refuseAndClose(error);

        assertThat(response.status()).isEqualTo(Status.URI_TOO_LONG);
        assertThat(response.closesConnection()).isTrue();
        assertThat(new String(response.head().array(), StandardCharsets.ISO_8859_1)).contains("\r\nConnection: close\r\n");
    }

    @Test
    void aResponseToHeadCannotHoldAnOpenFile() throws HttpError, IOException {
        Response get = responder.respond(request("GET /large.bin HTTP/1.1\r\nHost: x"));
        try {
            // Dropping the body of this one would leave the file open for good: refused loudly.
            assertThatThrownBy(get::withoutBody).isInstanceOf(IllegalStateException.class);
        } finally {
            closeFile(get);
        }
    }

    /** Parses a request head written with \r\n as the table writes it, and adds the blank line. */
    private static Request request(String head) throws HttpError {
        String text = head.replace("\\r\\n", "\r\n") + "\r\n\r\n";
        return new RequestParser().parse(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static String kind(Body body) {
        if (body instanceof Body.Bytes) {
            return "bytes";
        }
        return body instanceof Body.File ? "file" : "none";
    }

    private static String orNull(String cell) {
        return cell.equals("-") ? null : cell;
    }

    private static void closeFile(Response response) throws IOException {
        if (response.body() instanceof Body.File file) {
            file.channel().close();
        }
    }
}
