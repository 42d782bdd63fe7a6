package tutorial.step04;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Descriptors are finite: the server stops accepting before they run out, and survives when they do. */
class ConnectionLimitTest {

    private static final Pattern OPEN_WHEN_PAUSED =
            Pattern.compile("Cannot accept connections \\(Too many open files\\), (\\d+) open");
    private static final Pattern MAXIMUM = Pattern.compile("(\\d+) connections open, the maximum");

    private final List<BlockingClient> clients = new ArrayList<>();

    @AfterEach
    void closeClients() throws IOException {
        for (BlockingClient client : clients) {
            client.close();
        }
    }

    @Test
    @DisplayName("--max-connections: at the maximum, new clients wait in the backlog, one log line says so,"
            + " and each is served as soon as a connection closes")
    void atTheMaximumNewClientsWaitUntilOneCloses() throws Exception {
        try (RunningServer running = new RunningServer(Limits.forThisProcess().withMaxConnections(3))) {
            for (int i = 0; i < 5; i++) {
                clients.add(new BlockingClient(running.server().port()));
            }
            for (int i = 0; i < 3; i++) {
                assertThat(clients.get(i).echo("served " + i)).isEqualTo("served " + i);
            }
            long readSoFar = running.server().stats().bytesReceived();
            clients.get(3).sendAll(ascii("waiting"));
            clients.get(4).sendAll(ascii("waiting"));
            await().during(1, SECONDS).atMost(5, SECONDS).until(() ->
                    running.server().openConnections() == 3 && running.server().stats().bytesReceived() == readSoFar);
            awaitLog(running, "3 connections open, the maximum: new ones wait until one closes");

            clients.get(0).close(); // one closes: the first of those waiting is accepted, and echoed
            assertThat(text(clients.get(3).readExactly(7))).isEqualTo("waiting");
            clients.get(1).close();
            assertThat(text(clients.get(4).readExactly(7))).isEqualTo("waiting");

            clients.get(2).close(); // nobody waits any more
            awaitLog(running, "Accepting connections again, 2 open");
            assertThat(count(running.log(), "the maximum")).as("lines about the maximum").isEqualTo(1);
        }
    }

    @Test
    @DisplayName("out of descriptors (ulimit -n 64, 100 clients): accept fails, one log line says so, and every"
            + " open connection is still served; those waiting are served once others close")
    void outOfDescriptorsTheServerServesWhoItHas() throws Exception {
        Descriptors.assumeFree(150);
        // A maximum the descriptors cannot reach: accept() itself fails with "Too many open files".
        try (ChildServer server = ChildServer.startWithDescriptorLimit(64, "--max-connections", "1000")) {
            for (int i = 0; i < 100; i++) {
                clients.add(new BlockingClient(server.port())); // the kernel completes every connect
            }
            await().atMost(20, SECONDS).until(() -> OPEN_WHEN_PAUSED.matcher(server.output()).find());
            int accepted = firstNumber(OPEN_WHEN_PAUSED, server.output());
            assertThat(accepted).isBetween(20, 63);

            // The backlog is first in, first out: the first `accepted` clients are the open connections.
            for (int i = 0; i < accepted; i++) {
                assertThat(clients.get(i).echo("still served " + i)).isEqualTo("still served " + i);
            }
            // The connection that could not be accepted stays in the backlog, and the listening
            // socket stays ready: without the pause, the loop would go round at full speed.
            Duration before = server.cpuTime();
            await().during(3, SECONDS).atMost(6, SECONDS)
                    .until(() -> server.cpuTime().minus(before).toMillis() < 750);

            for (int i = 0; i < accepted; i++) {
                clients.get(i).close();
            }
            for (int i = accepted; i < clients.size(); i++) {
                assertThat(clients.get(i).echo("my turn " + i)).isEqualTo("my turn " + i);
            }
            try (BlockingClient fresh = new BlockingClient(server.port())) {
                assertThat(fresh.echo("Hello World")).isEqualTo("Hello World");
            }
            assertThat(count(server.output(), "Cannot accept connections")).as("lines about accept").isEqualTo(1);
            assertThat(server.isAlive()).isTrue();
            assertThat(server.errors()).isEmpty();
        }
    }

    @Test
    @DisplayName("default maximum (ulimit -n 64): the server stops accepting before the kernel refuses")
    void defaultMaximumStaysBelowTheDescriptorLimit() throws Exception {
        Descriptors.assumeFree(100);
        try (ChildServer server = ChildServer.startWithDescriptorLimit(64)) {
            for (int i = 0; i < 64; i++) {
                clients.add(new BlockingClient(server.port()));
            }
            await().atMost(20, SECONDS).until(() -> MAXIMUM.matcher(server.output()).find());
            int maximum = firstNumber(MAXIMUM, server.output());
            assertThat(server.output()).contains("Limits: " + maximum + " connections,");
            assertThat(maximum).isBetween(1, 64 - Limits.RESERVED_DESCRIPTORS);
            for (int i = 0; i < maximum; i++) {
                assertThat(clients.get(i).echo("served " + i)).isEqualTo("served " + i);
            }
            assertThat(server.output()).doesNotContain("Cannot accept");
        }
    }

    private static void awaitLog(RunningServer running, String text) {
        await().atMost(10, SECONDS).until(() -> running.log().contains(text));
    }

    private static int firstNumber(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        assertThat(matcher.find()).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    private static int count(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(ByteBuffer bytes) {
        return StandardCharsets.US_ASCII.decode(bytes).toString();
    }
}
