package tutorial.step05;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one thread's time is finite: a client that reads as fast as the server writes, or that
 * pipelines many requests, gets a share of each turn of the loop, not the loop. No timing is
 * asserted: the tests count bytes and look at the order in which things happen.
 */
class FairnessTest {

    private static final int DOWNLOADS = 48; // pipelined GETs of the 8 MiB file: 384 MiB in all

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
    @DisplayName("a client that reads as fast as it can gets at most 256 KiB (and one write more) in one turn of the"
            + " loop: the loop used to write to it for as long as its socket took bytes")
    void aFastReaderGetsAtMostItsShareOfEachTurn() throws Exception {
        try (Socket downloader = connect()) {
            long received = download(downloader, 1);

            assertThat(received).isEqualTo((long) TestSite.LARGE_FILE_SIZE);
            assertThat(running.server().stats().maxWrittenInOneTurn())
                    .isGreaterThan(0)
                    .isLessThanOrEqualTo(HttpServer.MAX_WRITTEN_PER_TURN + Connection.FILE_CHUNK_SIZE + 1024);
        }
    }

    @Test
    @DisplayName("a small request is answered while a 384 MiB download, read as fast as it comes, goes on: its"
            + " log line comes before the last download's")
    void aSmallRequestIsAnsweredDuringALargeDownload() throws Exception {
        AtomicLong downloaded = new AtomicLong();
        try (Socket downloader = connect(); RawClient small = running.connect()) {
            CompletableFuture<Long> download = CompletableFuture.supplyAsync(() -> {
                try {
                    return download(downloader, DOWNLOADS, downloaded);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(20))
                    .until(() -> downloaded.get() > Connection.FILE_CHUNK_SIZE);

            small.send("GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(small.readResponse().bodyText()).isEqualTo("p { color: red }\n");

            assertThat(download.get(120, TimeUnit.SECONDS)).isEqualTo((long) DOWNLOADS * TestSite.LARGE_FILE_SIZE);
        }
        // Each pipelined GET is answered (and logged) when the file before it has been sent: the
        // order of the lines is the order in which the one thread got to them.
        String log = running.awaitLog("\"GET /style.css HTTP/1.1\" 200");
        List<String> answered = log.lines().filter(line -> line.contains("\"GET /")).map(line -> line.split("\"")[1])
                .toList();
        assertThat(answered.indexOf("GET /style.css HTTP/1.1"))
                .as("the small page, among the answers: %s", answered)
                .isLessThan(answered.lastIndexOf("GET /large.bin HTTP/1.1"));
    }

    @Test
    @DisplayName("a hundred pipelined requests are all answered, in order, sixteen a turn")
    void aHundredPipelinedRequestsAreAllAnswered() throws IOException {
        try (RawClient client = running.connect()) {
            StringBuilder requests = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                requests.append("GET /").append(i % 2 == 0 ? "style.css" : "app.js").append("?n=").append(i)
                        .append(" HTTP/1.1\r\nHost: x\r\n\r\n");
            }
            client.send(requests.toString());

            for (int i = 0; i < 100; i++) {
                assertThat(client.readResponse().bodyText()).as("response %d", i)
                        .isEqualTo(i % 2 == 0 ? "p { color: red }\n" : "console.log('hi')\n");
            }
        }
    }

    @Test
    @DisplayName("ten keep-alive connections, idle after a request each, wake the loop once a sweep at most:"
            + " OP_WRITE is not left on")
    void idleConnectionsDoNotWakeTheLoop() throws IOException {
        List<RawClient> clients = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                RawClient client = running.connect();
                clients.add(client);
                client.send("GET /style.css HTTP/1.1\r\nHost: x\r\n\r\nGET /app.js HTTP/1.1\r\nHost: x\r\n\r\n");
                client.readResponse();
                client.readResponse();
            }
            long before = running.server().stats().loopIterations();
            // A sweep a second (a tenth of the 10 s idle timeout): about two wakeups in two seconds.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> running.server().stats().loopIterations() - before <= 6);
        } finally {
            for (RawClient client : clients) {
                client.close();
            }
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", running.server().port()), 20_000);
        socket.setSoTimeout(20_000);
        return socket;
    }

    private static long download(Socket socket, int times) throws IOException {
        return download(socket, times, new AtomicLong());
    }

    /** Sends {@code times} pipelined GETs of the large file and reads every byte of the answers, fast. */
    private static long download(Socket socket, int times, AtomicLong bodyBytes) throws IOException {
        String get = "GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\n";
        socket.getOutputStream().write(get.repeat(times).getBytes(StandardCharsets.US_ASCII));
        InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 20);
        byte[] buffer = new byte[1 << 20];
        for (int i = 0; i < times; i++) {
            long left = contentLength(in);
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n == -1) {
                    throw new EOFException("closed after " + bodyBytes.get() + " bytes of body");
                }
                left -= n;
                bodyBytes.addAndGet(n);
            }
        }
        return bodyBytes.get();
    }

    /** Reads a response head up to its blank line; returns its Content-Length. */
    private static long contentLength(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b == -1) {
                throw new EOFException("closed in a response head");
            }
            head.append((char) b);
        }
        Matcher length = Pattern.compile("Content-Length: (\\d+)").matcher(head);
        assertThat(length.find()).as("a Content-Length in %s", head).isTrue();
        return Long.parseLong(length.group(1));
    }
}
