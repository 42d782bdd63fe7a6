package tutorial.step05;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** HTTP spoken by hand over a plain socket: the bytes are exactly the ones each test writes. */
class RawSocketTest {

    @TempDir
    static Path temp;
    private static Path root;
    private RunningServer running;

    @BeforeAll
    static void createSite() throws IOException {
        root = TestSite.create(temp);
    }

    @BeforeEach
    void start() throws IOException {
        running = new RunningServer(root);
    }

    @AfterEach
    void stop() {
        running.close();
    }

    @Test
    void aRequestSplitIntoSingleBytesIsAnsweredLikeAWholeOne() throws IOException {
        try (RawClient client = running.connect()) {
            client.sendByteByByte("GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n");

            RawClient.RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(Files.readAllBytes(root.resolve("index.html")));
        }
    }

    @Test
    void threePipelinedRequestsAreAnsweredInOrder() throws IOException {
        try (RawClient client = running.connect()) {
            client.send("GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /docs/ HTTP/1.1\r\nHost: x\r\n\r\n");

            RawClient.RawResponse first = client.readResponse();
            RawClient.RawResponse second = client.readResponse(true);
            RawClient.RawResponse third = client.readResponse();

            assertThat(first.bodyText()).isEqualTo("p { color: red }\n");
            assertThat(second.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
            assertThat(second.header("Content-Length")).isEqualTo(Long.toString(Files.size(root.resolve("index.html"))));
            assertThat(third.bodyText()).isEqualTo("<p>Docs index</p>\n");
        }
    }

    @Test
    void aSecondRequestOnTheSameConnectionIsServedToo() throws IOException {
        try (RawClient client = running.connect()) {
            client.send("GET /app.js HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(client.readResponse().bodyText()).isEqualTo("console.log('hi')\n");

            client.send("GET /notes.md HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.RawResponse second = client.readResponse();

            assertThat(second.bodyText()).isEqualTo("# Notes\n");
            assertThat(second.header("Connection")).isNull(); // HTTP/1.1: open by default
        }
    }

    @Test
    void connectionCloseIsHonoured() throws IOException {
        try (RawClient client = running.connect()) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

            RawClient.RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void http10ClosesAfterTheResponse() throws IOException {
        try (RawClient client = running.connect()) {
            client.send("GET /index.html HTTP/1.0\r\n\r\n");

            RawClient.RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.head()).startsWith("HTTP/1.1 200 OK\r\n");
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void http10AskingForKeepAliveStaysOpen() throws IOException {
        try (RawClient client = running.connect()) {
            client.send("GET /index.html HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertThat(client.readResponse().header("Connection")).isEqualTo("keep-alive");

            client.send("GET /style.css HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");

            assertThat(client.readResponse().bodyText()).isEqualTo("p { color: red }\n");
        }
    }

    @Test
    void aClientThatHalfClosesStillGetsItsAnswers() throws IOException {
        // What `printf 'GET / ...' | nc -N host port` does: write, shut down output, then read.
        try (RawClient client = running.connect()) {
            client.send("GET /style.css HTTP/1.1\r\nHost: x\r\n\r\nGET /app.js HTTP/1.1\r\nHost: x\r\n\r\n");
            client.shutdownOutput();

            assertThat(client.readResponse().bodyText()).isEqualTo("p { color: red }\n");
            assertThat(client.readResponse().bodyText()).isEqualTo("console.log('hi')\n");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "GARBAGE                                                           | 400",
        "GET /                                                             | 400",
        "GET / HTTP/1.1                                                    | 400",
        "GET / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 5\\r\\nContent-Length: 6  | 400",
        "GET / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: nope              | 400",
        "POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked | 400",
        "GET / HTTP/2.0\\r\\nHost: x                                        | 505",
        "GET / HTTP/3.0\\r\\nHost: x                                        | 505",
        "POST /up HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: gzip         | 400",
        "POST /up HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked, gzip | 400",
        "GET / HTTP/1.1\\r\\nHost: a b                                      | 400",
        "GET / HTTP/1.1\\r\\nHost: x\\r\\nX-Folded: a\\r\\n b               | 400",
    })
    void aRequestThatCannotBeParsedGetsItsStatusAndTheConnectionIsClosed(String escaped, int status) throws IOException {
        try (RawClient client = running.connect()) {
            client.send(escaped.replace("\\r\\n", "\r\n") + "\r\n\r\n");

            RawClient.RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(status);
            assertThat(response.bodyText()).startsWith(status + " ");
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(client.closedByServer()).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void anAbsoluteFormTargetIsServedLikeItsPath() throws IOException {
        // What a client sends to a proxy. RFC 9112, 3.2.2: a server MUST accept it. Its
        // authority, not the Host header, names the host; this server serves one site for all.
        try (RawClient client = running.connect()) {
            client.send("GET http://localhost:" + running.server().port() + "/style.css HTTP/1.1\r\nHost: elsewhere\r\n\r\n");

            RawClient.RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("p { color: red }\n");
            assertThat(response.header("Connection")).isNull();

            client.send("GET HTTP://LOCALHOST/app.js HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(client.readResponse().bodyText()).as("the connection stays open").isEqualTo("console.log('hi')\n");
        }
        running.awaitLog("\"GET http://localhost:" + running.server().port() + "/style.css HTTP/1.1\" 200 17");
    }

    @Test
    void aLaterHttp1MinorVersionIsServedAsHttp11() throws IOException {
        try (RawClient client = running.connect()) {
            client.send("GET /style.css HTTP/1.2\r\nHost: x\r\n\r\n");

            RawClient.RawResponse first = client.readResponse();

            assertThat(first.status()).isEqualTo(200);
            assertThat(first.head()).as("we answer in the version we speak").startsWith("HTTP/1.1 200 OK\r\n");
            assertThat(first.header("Connection")).as("kept open, as HTTP/1.1 is by default").isNull();
            client.send("GET /app.js HTTP/1.2\r\nHost: x\r\n\r\n");
            assertThat(client.readResponse().bodyText()).isEqualTo("console.log('hi')\n");
        }
    }

    @Test
    void aTooLongRequestLineGets414() throws IOException {
        try (RawClient client = running.connect()) {
            client.send("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");

            RawClient.RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(414);
            assertThat(client.closedByServer()).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void tooLargeHeadersGet431EvenWhileTheClientIsStillSending() throws IOException {
        try (RawClient client = running.connect()) {
            // 200 KiB of headers: the server answers after 16 KiB and must not reset the
            // connection while the rest is still arriving, or the client would never see the 431.
            client.send("GET / HTTP/1.1\r\nHost: x\r\n" + ("X-Filler: " + "b".repeat(1000) + "\r\n").repeat(200) + "\r\n");

            RawClient.RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(431);
            assertThat(response.bodyText()).isEqualTo("431 Request Header Fields Too Large: headers longer than 16384 bytes\n");
            assertThat(client.closedByServer()).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void afterARefusalTheServerSendsItsFinThenLingersDroppingWhatTheClientStillSends() throws IOException {
        try (RawClient client = running.connect()) {
            String half = "x".repeat(100_000);
            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + (2 * half.length()) + "\r\n\r\n" + half);

            assertThat(client.readResponse().status()).isEqualTo(405);
            assertThat(client.closedByServer()).as("the server's FIN follows the response").isTrue();
            // Closed at once, with unread bytes, the server's socket would answer the rest of the
            // upload with a reset, which can wipe the response from the client's buffers before
            // it reads it. Instead it lingers: open, reading and dropping what still comes.
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                    .until(() -> running.server().openConnections() == 1);
            client.send(half);
            client.shutdownOutput();

            await().atMost(Duration.ofSeconds(20)).until(() -> running.server().openConnections() == 0);
        }
        running.awaitLog("Connection from /127.0.0.1:\\d+ closed");
    }

    @Test
    void otherKnownMethodsGet405WithAllowAndTheConnectionStaysUsable() throws IOException {
        try (RawClient client = running.connect()) {
            client.send("DELETE /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(405);
            assertThat(response.header("Allow")).isEqualTo("GET, HEAD");

            client.send("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(404);
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
    }

    @Test
    void anUnknownMethodGets501() throws IOException {
        try (RawClient client = running.connect()) {
            client.send("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n");

            RawClient.RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(501);
            assertThat(response.bodyText()).isEqualTo("501 Not Implemented: unknown method BREW\n");
        }
    }

    @Test
    void aRefusedBodyIsNeverParsedAsTheNextRequest() throws IOException {
        String smuggled = "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n";
        try (RawClient client = running.connect()) {
            client.send("POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: " + smuggled.length() + "\r\n\r\n" + smuggled);

            RawClient.RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(405);
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(client.closedByServer()).as("no second response: the body was not taken for a request").isTrue();
        }
        // Once the connection's end is logged, every line about it is there.
        assertThat(running.awaitLog("Connection from /127.0.0.1:\\d+ closed")).doesNotContain("GET /index.html");
    }

    @Test
    void aGetWithABodyGets413AndAClose() throws IOException {
        try (RawClient client = running.connect()) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");

            RawClient.RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(413);
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    @Tag("limitation") // no step fixes it (step 06 reads no body either), so no fixed-in-stepNN tag
    @DisplayName("limitation: a chunked request body gets 501 and a clean close (no request bodies in step 05; see chapter 06)")
    void aChunkedRequestBodyGets501AndACleanClose() throws IOException {
        try (RawClient client = running.connect()) {
            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");

            RawClient.RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(501);
            assertThat(response.bodyText()).contains("Transfer-Encoding");
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(client.closedByServer()).isTrue();
        }
        assertServerStillServes();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/../secret.txt",
        "/../../../../../../etc/passwd",
        "/docs/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/secret.txt",
        "/.%2e/secret.txt",
        "/%252e%252e/secret.txt",
        "/%252e%252e%252fsecret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/%2fetc%2fpasswd",
        "//etc/passwd",
        "/index.html%00/../../secret.txt",
        "http://localhost/../secret.txt",
        "http://localhost/etc/passwd",
        "http://localhost/%2e%2e/secret.txt",
        "http://localhost/..%2fsecret.txt",
        "HTTP://LOCALHOST/docs/../../secret.txt",
        "http://localhost//etc/passwd",
        "http://localhost/index.html%00/../../secret.txt",
        "http://localhost/..\\secret.txt",
        "http://localhost:99999/../secret.txt",
    })
    void traversalAttemptsNeverReachAFileOutsideTheRoot(String target) throws IOException {
        try (RawClient client = running.connect()) {
            client.send("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");

            RawClient.RawResponse response = client.readResponse();

            assertThat(response.status()).isIn(400, 404);
            assertThat(response.bodyText()).doesNotContain(TestSite.SECRET).doesNotContain("root:");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/link-out/secret.txt", "/secret-link.txt", "http://localhost/link-out/secret.txt"})
    void symbolicLinksOutOfTheRootAreNeverFollowed(String target) throws IOException {
        TestSite.assumeSymbolicLinks();
        try (RawClient client = running.connect()) {
            client.send("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");

            RawClient.RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(404);
            assertThat(response.bodyText()).doesNotContain(TestSite.SECRET);
        }
    }

    @Test
    void aLargeFileIsStreamedInPiecesWhileOthersAreServed() throws Exception {
        try (RawClient slowReader = running.connect()) {
            slowReader.send("GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\n");
            // The slow reader reads nothing yet: its response waits, in the kernel's buffers and
            // one chunk in the server, while another client is served.
            assertServerStillServes();

            RawClient.RawResponse response = slowReader.readResponse();

            assertThat(response.body()).isEqualTo(Files.readAllBytes(root.resolve("large.bin")));
        }
        assertThat(running.server().stats().maxPendingOutputBytes())
                .as("never the whole file in memory, only a chunk at a time")
                .isLessThan(2 * Connection.FILE_CHUNK_SIZE)
                .isLessThan(TestSite.LARGE_FILE_SIZE / 10);
    }

    @Test
    void aRequestPipelinedBehindALargeFileIsAnsweredAfterIt() throws IOException {
        try (RawClient client = running.connect()) {
            client.send("GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /app.js HTTP/1.1\r\nHost: x\r\n\r\n");

            RawClient.RawResponse large = client.readResponse();
            RawClient.RawResponse small = client.readResponse();

            assertThat(large.body()).isEqualTo(Files.readAllBytes(root.resolve("large.bin")));
            assertThat(small.bodyText()).isEqualTo("console.log('hi')\n");
        }
    }

    @Test
    void theJdkClientGetsALargeFileByteForByte() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            HttpRequest request = HttpRequest.newBuilder(running.uri("/large.bin")).timeout(Duration.ofSeconds(20)).build();
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
            assertThat(response.body()).isEqualTo(Files.readAllBytes(root.resolve("large.bin")));
        } finally {
            if (client instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    private void assertServerStillServes() throws IOException {
        try (RawClient other = running.connect()) {
            other.send("GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(other.readResponse().status()).isEqualTo(200);
        }
    }
}
