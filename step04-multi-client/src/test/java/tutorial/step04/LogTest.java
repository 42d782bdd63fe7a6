package tutorial.step04;

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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
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
                log.info("Got connection " + i);
            }
        });
        assertThat(log.droppedLines()).isGreaterThanOrEqualTo(lines - Log.QUEUE_LINES - 1);

        unstuck.countDown();
        log.close();
        // The writer took the first line and got stuck writing it; every line dropped meanwhile
        // is counted in one line, right after it. Every line is either written or counted.
        String newline = System.lineSeparator();
        String[] out = written.toString(StandardCharsets.US_ASCII).split(newline);
        assertThat(written.toString(StandardCharsets.US_ASCII)).startsWith("Got connection 0" + newline
                + "(" + log.droppedLines() + " log lines dropped: the log could not keep up)" + newline);
        assertThat(Arrays.stream(out).filter(line -> line.contains("dropped"))).hasSize(1);
        assertThat(Arrays.stream(out).filter(line -> line.startsWith("Got connection ")).count() + log.droppedLines())
                .isEqualTo(lines);
    }

    @Test
    @DisplayName("a server whose standard output nobody reads (a pipe, Ctrl-S) still serves 3,000 connections"
            + " (step 04 writing its log on the loop stopped at connection 849)")
    void unreadOutputDoesNotStopTheServer() throws Exception {
        try (ChildServer server = ChildServer.startWithUnreadOutput()) {
            // Two log lines a connection, about 80 bytes: the 64 KiB of the pipe are full after 849.
            assertTimeoutPreemptively(Duration.ofSeconds(40), () -> {
                for (int i = 0; i < 3000; i++) {
                    try (BlockingClient client = new BlockingClient(server.port())) {
                        assertThat(client.echo("connection " + i)).isEqualTo("connection " + i);
                    }
                }
            });
            assertThat(server.isAlive()).isTrue();
        }
    }

    @Test
    @DisplayName("--quiet: the notices only (Listening, Limits), no line for each connection")
    void quietLeavesOutEachConnection() throws Exception {
        try (ChildServer server = ChildServer.start(List.of(), "--quiet")) {
            try (BlockingClient client = new BlockingClient(server.port())) {
                assertThat(client.echo("Hello World")).isEqualTo("Hello World");
            }

            await().during(1, SECONDS).atMost(5, SECONDS).until(() -> !server.output().contains("Connection from")
                    && !server.output().contains("Got connection"));
            assertThat(server.output()).startsWith("Listening on 127.0.0.1:" + server.port() + "\nLimits: ");
        }
    }

    @Test
    @DisplayName("--log FILE: every line in the file, the notices on the console as well")
    void logFileGetsEveryLine(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("echo.log");
        try (ChildServer server = ChildServer.start(List.of(), "--log", file.toString())) {
            String address;
            try (BlockingClient client = new BlockingClient(server.port())) {
                address = client.localAddress();
                assertThat(client.echo("Hello World")).isEqualTo("Hello World");
            }

            await().atMost(10, SECONDS).until(() -> Files.readString(file).contains(address + " closed"));
            assertThat(Files.readString(file))
                    .startsWith("Listening on 127.0.0.1:" + server.port())
                    .contains("Got connection from " + address);
            assertThat(server.output()).startsWith("Listening on").doesNotContain("Got connection");
        }
    }
}
