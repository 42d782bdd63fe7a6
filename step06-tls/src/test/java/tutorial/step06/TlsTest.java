package tutorial.step06;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What TLS on a selector loop must get right. Each test names the mistake it catches; the chapter
 * (docs/07-tls.md) says which line of {@link TlsChannel} each one guards.
 */
class TlsTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);
    private static final String STYLE = "GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final String APP = "GET /app.js HTTP/1.1\r\nHost: x\r\n\r\n";

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
        running = new RunningServer(root, IDLE_TIMEOUT);
    }

    @AfterEach
    void stop() {
        running.close();
    }

    @Test
    void aRecordOfFifteenKibOfRequestIsDecryptedWhole() throws IOException {
        // One write, one record: 15,000 bytes of plaintext that unwrap delivers in one piece or
        // not at all. The loop's 64 KiB buffer has room for it; a 4 KiB one would get
        // BUFFER_OVERFLOW forever.
        try (RawClient client = running.connect()) {
            client.send("GET /style.css HTTP/1.1\r\nHost: x\r\nX-Filler: " + "a".repeat(15_000) + "\r\n\r\n");

            assertThat(client.readResponse().bodyText()).isEqualTo("p { color: red }\n");
        }
    }

    @Test
    void twoRecordsThatArriveInOneReadAreBothDecrypted() throws IOException {
        try (Relay relay = new Relay(running.server().port(), Relay.Mode.AS_THEY_COME);
                RawClient client = new RawClient(relay.port())) {
            client.send(STYLE);
            assertThat(client.readResponse().status()).isEqualTo(200); // the handshake is over
            relay.hold();
            client.send(STYLE); // a record
            client.send(APP); // another record
            await().atMost(Duration.ofSeconds(20)).until(() -> relay.heldRecords() == 2);

            relay.release(); // both records in one segment: the server reads them in one read

            assertThat(client.readResponse().bodyText()).isEqualTo("p { color: red }\n");
            assertThat(client.readResponse().bodyText())
                    .as("the second record: select() does not fire again for bytes already read")
                    .isEqualTo("console.log('hi')\n");
        }
    }

    @Test
    void theEndOfTheHandshakeAndARequestInOneReadAreBothHandled() throws IOException {
        // What curl does: its last handshake records and its request leave together, and the
        // server reads them in one read. The handshake ends on the server's wrap of a session
        // ticket, between two unwraps of that same read.
        try (Relay relay = new Relay(running.server().port(), Relay.Mode.HELD_AFTER_CLIENT_HELLO);
                RawClient client = new RawClient(relay.port())) {
            client.send(STYLE);
            // change_cipher_spec (for old middleboxes), Finished, and the request
            await().atMost(Duration.ofSeconds(20)).until(() -> relay.heldRecords() == 3);

            relay.release();

            assertThat(client.readResponse().bodyText()).isEqualTo("p { color: red }\n");
        }
    }

    @Test
    void aRecordArrivingWhileRequestsWaitIsReadOnlyOnceItFits() throws IOException {
        // The first record holds two requests; the second waits, unparsed, while the large file
        // streams. A 15 KiB record that arrives meanwhile must stay in the kernel until that
        // request is answered, and then be read into the loop's 64 KiB buffer: decrypted without
        // room for it, it would be stuck in netIn, read already, and no select() would ever
        // bring it back.
        try (Relay relay = new Relay(running.server().port(), Relay.Mode.AS_THEY_COME);
                RawClient client = new RawClient(relay.port())) {
            client.send(STYLE);
            assertThat(client.readResponse().status()).isEqualTo(200); // the handshake is over
            relay.holdServer(); // the client reads nothing for now: the file cannot finish
            String first = "GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /style.css HTTP/1.1\r\nHost: x\r\nX-Filler: " + "b".repeat(2_000) + "\r\n\r\n";
            String second = "GET /app.js HTTP/1.1\r\nHost: x\r\nX-Filler: " + "c".repeat(15_000) + "\r\n\r\n";
            long before = relay.bytesToServer();
            client.send(first);
            client.send(second);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> relay.bytesToServer() - before > first.length() + second.length());

            relay.releaseServer();

            assertThat(client.readResponse().body()).hasSize(TestSite.LARGE_FILE_SIZE);
            assertThat(client.readResponse().bodyText()).isEqualTo("p { color: red }\n");
            assertThat(client.readResponse().bodyText()).isEqualTo("console.log('hi')\n");
        }
    }

    @Test
    @DisplayName("with the memory budget spent, a client that holds nothing still reads: room for a whole record"
            + " (16,704 bytes), not step 05's 2 KiB, or its 15 KiB request would be stranded in netIn")
    void withTheBudgetSpentAReadStillHasRoomForAWholeRecord() throws IOException {
        // Two connections' TLS buffers (2 x 33,418 bytes) spend a budget of 40 KiB.
        try (RunningServer spent = new RunningServer(root, Duration.ofSeconds(1),
                Limits.forThisProcess().withMemoryBudget(40 * 1024));
                RawClient first = spent.connect()) {
            assertThat(first.send(STYLE).readResponse().status()).isEqualTo(200);
            try (RawClient second = spent.connect()) {
                spent.awaitLog("Buffers hold \\d+ KiB, the budget");

                second.send("GET /style.css HTTP/1.1\r\nHost: x\r\nX-Filler: " + "a".repeat(15_000) + "\r\n\r\n");

                assertThat(second.readResponse().bodyText()).isEqualTo("p { color: red }\n");
            }
        }
    }

    @Test
    @DisplayName("a hello trickled a byte every 200 ms is never idle, and the parser never sees a byte of it: the"
            + " connection is closed once the handshake has taken the head timeout, without a 408")
    void aHandshakeTrickledAByteAtATimeIsClosedAtTheHeadTimeout() throws Exception {
        Limits limits = Limits.forThisProcess().withIdleTimeout(Duration.ofSeconds(1)).withHeadTimeout(Duration.ofSeconds(2));
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try (RunningServer slow = new RunningServer(root, Duration.ofSeconds(1), limits);
                Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", slow.server().port()), 20_000);
            client.setSoTimeout(20_000);
            OutputStream out = client.getOutputStream();
            // A handshake record's header that announces a 512-byte hello, then its bytes, one by one.
            out.write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00});
            trickle.scheduleAtFixedRate(() -> {
                try {
                    out.write(0x01);
                } catch (IOException e) {
                    // closed by the server: the end this test waits for
                }
            }, 200, 200, TimeUnit.MILLISECONDS);

            byte[] received = client.getInputStream().readAllBytes(); // until the server closes

            // At most a TLS alert (the engine's close_notify, as it can in the middle of a handshake)
            assertThat(new String(received, StandardCharsets.ISO_8859_1))
                    .as("no HTTP can be sent before the handshake: no 408")
                    .doesNotContain("HTTP/1.1");
            assertThat(slow.awaitLog("closed: no TLS handshake within 2 s")).doesNotContain("timed out", "\" 408 ");
        } finally {
            trickle.shutdownNow();
        }
    }

    @Test
    void twoRequestsInOneRecordAreBothAnswered() throws IOException {
        try (RawClient client = running.connect()) {
            client.send(STYLE + APP); // one write: one record, two requests

            assertThat(client.readResponse().bodyText()).isEqualTo("p { color: red }\n");
            assertThat(client.readResponse().bodyText()).isEqualTo("console.log('hi')\n");
        }
    }

    @Test
    void theHandshakeAndARequestArrivingOneByteAtATimeSucceed() throws IOException {
        // Every record, the handshake's too, arrives in pieces: unwrap says BUFFER_UNDERFLOW
        // and the piece must be kept (compact, read more), exactly like half a request line.
        try (Relay relay = new Relay(running.server().port(), Relay.Mode.BYTE_BY_BYTE);
                RawClient client = new RawClient(relay.port())) {
            client.send(STYLE);

            assertThat(client.readResponse().bodyText()).isEqualTo("p { color: red }\n");
        }
    }

    @Test
    void aLargeFileReachesASlowReaderIntact() throws IOException {
        // The socket takes part of a record, then nothing: the rest must wait in netOut and go
        // first next time. A wrap into a netOut that still holds bytes would lose them.
        try (RawClient slowReader = new RawClient(running.server().port(), 8 * 1024, true)) {
            slowReader.send("GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\n");
            assertServerStillServes(); // meanwhile the slow reader's response fills every buffer

            InputStream in = slowReader.input();
            byte[] head = readUntilBlankLine(in);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] piece = new byte[1024];
            while (body.size() < TestSite.LARGE_FILE_SIZE) {
                int count = in.read(piece, 0, Math.min(piece.length, TestSite.LARGE_FILE_SIZE - body.size()));
                assertThat(count).as("end of stream after %d bytes", body.size()).isPositive();
                body.write(piece, 0, count);
            }

            assertThat(new String(head, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200 OK\r\n");
            assertThat(body.toByteArray()).isEqualTo(Files.readAllBytes(root.resolve("large.bin")));
        }
    }

    @Test
    @DisplayName("a record the socket does not take waits in netOut and goes out first: 1 MiB through a send"
            + " buffer of a few KiB arrives intact")
    void aRecordTheSocketDoesNotTakeWaitsInNetOutAndGoesOutFirst() throws Exception {
        // The server's loop writes at most 256 KiB a turn, and only when the socket is writable:
        // with the send buffers Linux grows on loopback (4 MiB here), the socket never refuses a
        // record. A small send buffer, set on this socket, makes it refuse one every few KiB.
        byte[] sent = TestSite.randomBytes(1 << 20, 11);
        try (ServerSocketChannel listening = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                Log log = Log.quiet(System.out)) {
            int port = ((InetSocketAddress) listening.getLocalAddress()).getPort();
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (EngineClient client = new EngineClient(port)) {
                    return client.readUntilTheEnd();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (SocketChannel socket = listening.accept(); Selector selector = Selector.open()) {
                socket.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
                TlsChannel tls = TlsChannel.serverSide(TestCertificate.localhost().serverContext(), socket, null, log);
                ByteBuffer plaintext = ByteBuffer.allocate(tls.applicationBufferSize());
                while (!tls.isHandshakeDone()) {
                    tls.read(plaintext.clear()); // a blocking socket: each read waits for the client's records
                }
                socket.configureBlocking(false);
                socket.register(selector, SelectionKey.OP_WRITE);
                ByteBuffer source = ByteBuffer.wrap(sent);
                while (source.hasRemaining()) {
                    tls.write(new ByteBuffer[] {source}, 0, 1);
                    selector.select(1000); // until the socket takes bytes again
                    selector.selectedKeys().clear();
                }
                tls.shutdownOutput(); // close_notify after the data, then the FIN: the client's end
                while (tls.hasPendingOutput()) {
                    selector.select(1000);
                    selector.selectedKeys().clear();
                    tls.write(new ByteBuffer[0], 0, 0);
                }

                assertThat(received.get(20, TimeUnit.SECONDS)).isEqualTo(new String(sent, StandardCharsets.ISO_8859_1));
            }
        }
    }

    @Test
    void theServerSendsCloseNotifyBeforeItsFin() throws IOException {
        try (EngineClient client = new EngineClient(running.server().port())) {
            client.send("GET /app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

            assertThat(client.readUntilTheEnd()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("console.log('hi')\n");
            assertThat(client.closeNotifyReceived()).as("close_notify, not a bare FIN").isTrue();
        }
    }

    @Test
    void aClientsCloseNotifyIsAnsweredWithTheServersOwn() throws IOException {
        try (EngineClient client = new EngineClient(running.server().port())) {
            client.send(STYLE);
            client.sendCloseNotify(); // right behind the request: it is answered first

            assertThat(client.readUntilTheEnd()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("p { color: red }\n");
            assertThat(client.closeNotifyReceived()).isTrue();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> running.server().openConnections() == 0);
        assertThat(running.log()).containsPattern("Connection from /127.0.0.1:\\d+ closed");
    }

    @Test
    void anSslSocketThatShutsDownItsOutputStillGetsItsAnswer() throws IOException {
        try (RawClient client = running.connect()) {
            client.send(STYLE);
            client.shutdownOutput(); // TLS 1.3 in the JDK: close_notify, our side only

            assertThat(client.readResponse().bodyText()).isEqualTo("p { color: red }\n");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void aKeyUpdateFromAJdkClientIsAnsweredAndTheConnectionGoesOn() throws Exception {
        // The client's engine asks for a key update once it has read 4 KiB (the second 3,000-byte
        // response); the server's engine then needs a wrap of its own (NEED_WRAP after the handshake).
        Process client = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                JavaProcess.QUICK_START, "-Djavax.net.debug=ssl:handshake", "-cp",
                // The test classes and the main ones, found from where they were loaded: the same from
                // the step's folder and the repository's top folder, where an IDE may run the test.
                JavaProcess.classesOf(KeyUpdateClient.class) + java.io.File.pathSeparator + JavaProcess.classesOf(HttpServer.class),
                KeyUpdateClient.class.getName(), Integer.toString(running.server().port()),
                TestCertificate.localhost().pem.toString(), "/image.png", "8").start();
        CompletableFuture<String> debug = CompletableFuture.supplyAsync(() -> readAll(client.getErrorStream()));

        String statuses = readAll(client.getInputStream());

        assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(client.exitValue()).as(debug.get()).isZero();
        assertThat(statuses.lines()).hasSize(8).allMatch(line -> line.equals("HTTP/1.1 200 OK"));
        assertThat(debug.get()).contains("Produced KeyUpdate post-handshake message",
                "Consuming KeyUpdate post-handshake message"); // ours, and the server's answer
        assertThat(running.logLines("Got connection from")).isEqualTo(1);
    }

    @Test
    void plainHttpToTheTlsPortIsClosedWithoutAWord() throws IOException {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", running.server().port()), 20_000);
            plain.setSoTimeout(20_000);
            plain.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            assertThat(plain.getInputStream().readAllBytes()).as("no byte back, then a clean end of stream").isEmpty();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> running.server().openConnections() == 0);
        assertThat(running.log()).containsPattern("Connection from /127.0.0.1:\\d+ lost: .*SSL message");
        assertServerStillServes();
    }

    @Test
    void aStalledHandshakeIsClosedByTheIdleTimeoutWithNo408() throws IOException {
        try (Socket stalled = new Socket()) {
            stalled.connect(new InetSocketAddress("127.0.0.1", running.server().port()), 20_000);
            stalled.setSoTimeout(20_000);
            // The start of a ClientHello record that announces 512 bytes, and then nothing.
            stalled.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03});

            byte[] received = stalled.getInputStream().readAllBytes();

            assertThat(new String(received, StandardCharsets.ISO_8859_1))
                    .as("no HTTP can be sent before the handshake: no 408")
                    .doesNotContain("HTTP/1.1");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> running.server().openConnections() == 0);
        assertThat(running.log()).containsPattern("Connection from /127.0.0.1:\\d+ timed out").doesNotContain("\" 408 ");
    }

    @Test
    void tls12IsRefused() throws IOException {
        try (SSLSocket old = (SSLSocket) TestCertificate.localhost().clientContext().getSocketFactory()
                .createSocket("127.0.0.1", running.server().port())) {
            old.setSoTimeout(20_000);
            old.setEnabledProtocols(new String[] {"TLSv1.2"});

            assertThatThrownBy(old::startHandshake).isInstanceOf(SSLHandshakeException.class);
        }
        assertServerStillServes();
    }

    private void assertServerStillServes() throws IOException {
        try (RawClient other = running.connect()) {
            other.send(STYLE);
            assertThat(other.readResponse().status()).isEqualTo(200);
        }
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] readUntilBlankLine(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("end of stream in the response head").isNotNegative();
            head.write(b);
        }
        return head.toByteArray();
    }
}
