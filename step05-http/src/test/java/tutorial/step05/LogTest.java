package tutorial.step05;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop's time is finite: it never waits for its log. */
class LogTest {

    @Test
    @DisplayName("a log whose output is stuck: adding lines never waits, lines past the queue are dropped and"
            + " counted, and the count is written once the output moves again")
    void stuckOutputCostsLinesNotTime() throws Exception {
        CountDownLatch unstuck = new CountDownLatch(1);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        OutputStream stuck = new OutputStream() { // a pipe that nobody reads, until unstuck
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                try {
                    unstuck.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                written.write(bytes, offset, length);
            }
        };
        Log log = Log.to(new PrintStream(stuck, true, StandardCharsets.US_ASCII));
        int lines = 2 * Log.QUEUE_LINES;

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int i = 0; i < lines; i++) {
                log.info("/127.0.0.1:40000 \"GET / HTTP/1.1\" 200 " + i);
                if (i % 10 == 9) {
                    log.flush(); // the end of a turn of the loop
                }
            }
        });
        // The writer took the first turn's lines and is stuck writing them; the queue holds 10,000 more.
        assertThat(log.droppedLines()).isGreaterThanOrEqualTo(lines - Log.QUEUE_LINES - 10);

        unstuck.countDown();
        log.close();
        // The first lines are written, and every dropped line is counted: in one count line or in
        // several (the writer reports what was dropped since its last report, before or after the
        // lines it took, depending on when it took them).
        String out = written.toString(StandardCharsets.US_ASCII);
        assertThat(out).contains("/127.0.0.1:40000 \"GET / HTTP/1.1\" 200 0\n");
        Matcher count = Pattern.compile("\\((\\d+) log lines dropped: the log could not keep up\\)").matcher(out);
        long reported = 0;
        while (count.find()) {
            reported += Long.parseLong(count.group(1));
        }
        assertThat(reported).isEqualTo(log.droppedLines());
    }

    @Test
    @DisplayName("a server whose standard output nobody reads (a pipe, Ctrl-S) still answers 3,000 requests"
            + " (step 05 writing its log on the loop stopped at request 508)")
    void unreadOutputDoesNotStopTheServer() throws Exception {
        try (ChildServer server = ChildServer.startWithUnreadOutput();
             RawClient client = new RawClient(server.port())) {
            // A log line a request, about 50 bytes: the 64 KiB of the pipe are full after 1,300.
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int i = 0; i < 3000; i++) {
                    client.send("GET /style.css?n=" + i + " HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertThat(client.readResponse().status()).as("request %d", i).isEqualTo(200);
                }
            });
            assertThat(server.isAlive()).isTrue();
        }
    }

    @Test
    @DisplayName("--quiet: the notices only (Serving, Listening, Limits), no line for each connection or request")
    void quietLeavesOutEachConnectionAndRequest() throws Exception {
        try (ChildServer server = ChildServer.start(List.of(), "--quiet");
             RawClient client = new RawClient(server.port())) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
            assertThat(client.closedByServer()).isTrue();

            await().during(1, SECONDS).atMost(5, SECONDS).until(() -> !server.output().contains("Got connection")
                    && !server.output().contains("GET /"));
            assertThat(server.output()).startsWith("Serving files from ")
                    .contains("Listening on http://127.0.0.1:" + server.port() + "/\nLimits: ");
        }
    }

    @Test
    @DisplayName("--log FILE: every line in the file, the notices on the console as well")
    void logFileGetsEveryLine(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("access.log");
        try (ChildServer server = ChildServer.start(List.of(), "--log", file.toString());
             RawClient client = new RawClient(server.port())) {
            client.send("GET /about.html HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);

            await().atMost(10, SECONDS).until(() -> Files.readString(file).contains("\"GET /about.html HTTP/1.1\" 200"));
            assertThat(Files.readString(file))
                    .startsWith("Serving files from ")
                    .contains("Listening on http://127.0.0.1:" + server.port(), "Got connection from /127.0.0.1:");
            assertThat(server.output()).startsWith("Serving files from ").doesNotContain("Got connection", "GET /");
        }
    }
}
