package tutorial.step04;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ProtocolException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class EchoServerTest {

    // A read never takes more than the connection may still owe, so the greedy client's pending
    // output stays at the bound; another client's echo in flight may add a read's worth.
    private static final long PENDING_OUTPUT_BOUND = EchoServer.MAX_PENDING_OUTPUT + EchoServer.BUFFER_SIZE;

    private RunningServer running;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final AtomicReference<Throwable> writeFailure = new AtomicReference<>();
    private final AtomicLong written = new AtomicLong(); // by the writer thread of startWriting
    private long received;
    private long firstWrongByte = -1;

    @BeforeEach
    void startServer() throws IOException {
        running = new RunningServer();
    }

    @AfterEach
    void stopServer() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
        running.close();
    }

    @Test
    @DisplayName("echo round trip: the client gets back what it sent, and the server says who connected")
    void echoRoundTrip() throws IOException {
        BlockingClient client = connect();

        assertThat(client.echo("Hello World")).isEqualTo("Hello World");
        awaitLog("Got connection from " + client.localAddress());
        assertThat(running.log()).startsWith("Listening on 127.0.0.1:" + running.server().port() + "\nLimits: ");
    }

    @Test
    @DisplayName("second client while the first stays: B is echoed while A is still connected")
    void secondClientIsServedWhileFirstIsConnected() throws IOException {
        BlockingClient first = connect();
        assertThat(first.echo("I am A, and I stay")).isEqualTo("I am A, and I stay");

        BlockingClient second = connect();

        assertThat(second.echo("I am B")).isEqualTo("I am B");
        assertThat(first.echo("still here")).isEqualTo("still here");
    }

    @Test
    @DisplayName("slow reader of a large stream: several times what the socket buffers hold, sent before reading,"
            + " comes back whole, byte for byte (step 03's limitation, fixed)")
    void slowReaderGetsBackEveryByte() throws Exception {
        BlockingClient client = connect();
        String clientAddress = client.localAddress();
        long streamBytes = streamBeyondTheBuffers(client);
        Thread writer = startWriting(client, streamBytes);

        awaitServerStopsReading(); // the client has not read a byte yet
        readToEndCheckingPattern(client);
        writer.join(20_000);

        assertThat(firstWrongByte).as("index of the first byte that differs").isEqualTo(-1);
        assertThat(received).isEqualTo(streamBytes);
        assertThat(writeFailure.get()).isNull();
        awaitLog("Connection from " + clientAddress + " closed");
        assertThat(running.log()).doesNotContain("lost");
    }

    @Test
    @DisplayName("slow reader of a large stream: while one client sends without reading, its pending output"
            + " stays bounded and another client is served")
    void pendingOutputStaysBoundedWhileAnotherClientIsServed() throws Exception {
        BlockingClient greedy = connect();
        // It writes for as long as its socket takes bytes: the kernel's buffers may grow to many
        // megabytes on their own (here up to 32 MiB to receive), so no size fixed in advance is
        // sure to outgrow them; what shows the backpressure is that its writes stop.
        Thread writer = startWriting(greedy, Long.MAX_VALUE);
        awaitServerStopsReading();

        BlockingClient other = connect();
        assertThat(other.echo("am I served?")).isEqualTo("am I served?");
        await().during(1, SECONDS).atMost(5, SECONDS)
                .until(() -> running.server().stats().pendingOutputBytes() <= PENDING_OUTPUT_BOUND);
        AtomicLong lastSeen = new AtomicLong(-1);
        await("the greedy client's writes stop: the server reads nothing more from it")
                .during(1, SECONDS).atMost(20, SECONDS)
                .until(() -> {
                    long now = written.get();
                    return now == lastSeen.getAndSet(now); // no write has ended since the last look
                });
        assertThat(writer.isAlive()).as("the greedy client is still stuck writing").isTrue();

        greedy.close(); // the blocked write fails, and the writer thread ends
        writer.join(10_000);
        assertThat(writer.isAlive()).isFalse();
    }

    @Test
    @DisplayName("a client that half-closes while the server still owes it output gets every byte,"
            + " then end of stream")
    void halfClosedClientGetsEverythingEchoed() throws Exception {
        BlockingClient client = connect();
        String clientAddress = client.localAddress();
        long streamBytes = streamBeyondTheBuffers(client);

        // Send without reading, 64 KiB at a time, each time until the server has read it all,
        // and stop as soon as the echo no longer fits in the socket buffers: the server now
        // holds part of it. (Sending less, the buffers would hide the case we want to see.)
        long sent = 0;
        while (running.server().stats().pendingOutputBytes() == 0) {
            assertThat(sent).as("bytes sent before the socket buffers filled").isLessThan(streamBytes);
            client.sendAll(patternBytes(sent, 64 * 1024));
            sent += 64 * 1024;
            long target = sent;
            await().pollInterval(Duration.ofMillis(1)).atMost(10, SECONDS)
                    .until(() -> running.server().stats().bytesReceived() == target);
        }
        client.channel().shutdownOutput(); // "nothing more from me", but still reading

        awaitLog("End of stream from " + clientAddress + ", "); // ", N bytes still to send"
        readToEndCheckingPattern(client);

        assertThat(firstWrongByte).as("index of the first byte that differs").isEqualTo(-1);
        assertThat(received).isEqualTo(sent);
        awaitLog("Connection from " + clientAddress + " closed");
    }

    @Test
    @DisplayName("one read takes up to 64 KiB (-Dtrace shows each read): a stream costs a read call per 64 KiB,"
            + " not per KiB")
    void oneReadTakesUpTo64KiB() throws Exception {
        try (ChildServer server = ChildServer.start(List.of("-Dtrace"));
             BlockingClient client = new BlockingClient(server.port())) {
            int size = 1024 * 1024;
            client.sendAll(patternBytes(0, size));
            assertThat(client.readExactly(size)).isEqualTo(patternBytes(0, size));

            await().atMost(10, SECONDS).until(() -> server.output().contains("read 65536 bytes from"));
            Matcher reads = Pattern.compile("read (\\d+) bytes from").matcher(server.output());
            while (reads.find()) {
                assertThat(Integer.parseInt(reads.group(1))).isLessThanOrEqualTo(EchoServer.BUFFER_SIZE);
            }
        }
    }

    @Test
    @DisplayName("no busy loop: while every connection is idle, the loop sleeps in select()")
    void idleConnectionsDoNotWakeTheLoop() throws Exception {
        Descriptors.assumeFree(150); // 50 sockets at each end, in this one JVM
        List<BlockingClient> clients = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            clients.add(connect());
        }
        for (BlockingClient client : clients) {
            // Large enough that part of each echo waits in pending output, so OP_WRITE goes on and off.
            int size = 256 * 1024;
            client.sendAll(ByteBuffer.allocate(size));
            client.readExactly(size);
        }
        await().atMost(10, SECONDS).until(() -> running.server().openConnections() == clients.size());

        long iterations = running.server().stats().loopIterations();
        // A straggling wakeup is fine, and so is the look for idle connections (every 6 s with the
        // default timeout of a minute); OP_WRITE left on would add thousands of iterations a second.
        await().during(1, SECONDS).atMost(5, SECONDS)
                .until(() -> running.server().stats().loopIterations() <= iterations + 2);
    }

    @Test
    @Tag("limitation")
    @Tag("fixed-in-step05")
    @DisplayName("speak HTTP to it: the JDK's HttpClient fails, because it gets its own request back (fixed in step 05)")
    void httpClientGetsItsOwnRequestBack() throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + running.server().port() + "/");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();

        // Where a response should start with a status line ("HTTP/1.1 200 OK"), its own request line comes back.
        assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("Invalid status line: \"GET / HTTP/1.1\"");
    }

    @Test
    @Tag("limitation")
    @Tag("fixed-in-step05")
    @DisplayName("speak HTTP to it: a request written by hand comes back unchanged, not answered (fixed in step 05)")
    void httpRequestComesBackUnchanged() throws IOException {
        BlockingClient client = connect();
        String request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

        assertThat(client.echo(request)).isEqualTo(request);
    }

    private BlockingClient connect() throws IOException {
        BlockingClient client = new BlockingClient(running.server().port());
        resources.add(client);
        return client;
    }

    private static long streamBeyondTheBuffers(BlockingClient client) throws IOException {
        return SocketBuffers.bytesBeyondTheBuffers(client.channel());
    }

    /** Writes {@code size} bytes of a known pattern on a thread of its own, then half-closes. */
    private Thread startWriting(BlockingClient client, long size) {
        Thread writer = new Thread(() -> {
            try {
                for (long sent = 0; sent < size; sent += 64 * 1024) {
                    client.sendAll(patternBytes(sent, (int) Math.min(64 * 1024, size - sent)));
                    written.set(sent);
                }
                client.channel().shutdownOutput(); // "nothing more from me", but still reading
            } catch (Throwable e) {
                writeFailure.set(e);
            }
        }, "client-writer");
        writer.start();
        resources.add(() -> writer.join(10_000)); // after the client is closed, so it cannot hang
        return writer;
    }

    /** Backpressure has kicked in: the server holds the bound and has stopped reading. */
    private void awaitServerStopsReading() {
        await().atMost(20, SECONDS)
                .until(() -> running.server().stats().pendingOutputBytes() >= EchoServer.MAX_PENDING_OUTPUT);
    }

    private void awaitLog(String text) {
        await().atMost(10, SECONDS).until(() -> running.log().contains(text));
    }

    /** Reads until end of stream, counting into {@code received} and checking each byte against the pattern. */
    private void readToEndCheckingPattern(BlockingClient client) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (client.channel().read(buffer.clear()) != -1) {
            buffer.flip();
            while (buffer.hasRemaining()) {
                if (buffer.get() != patternByte(received) && firstWrongByte == -1) {
                    firstWrongByte = received;
                }
                received++;
            }
        }
    }

    private static ByteBuffer patternBytes(long from, int size) {
        ByteBuffer bytes = ByteBuffer.allocate(size);
        for (int i = 0; i < size; i++) {
            bytes.put(patternByte(from + i));
        }
        return bytes.flip();
    }

    private static byte patternByte(long index) {
        return (byte) (index % 251); // 251 is prime: a shifted or repeated block would not match
    }
}
