package tutorial.step06;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One connection's state on its own: bytes come from and go to fake channels (the narrowest JDK
 * interfaces the connection takes), so partial writes and the way to a close are tested without
 * a socket.
 */
class ConnectionTest {

    private static final String GET = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final long START = 1_000;

    @TempDir
    Path temp;

    private final Log log = Log.quiet(System.out);
    private final MemoryBudget budget = new MemoryBudget(1 << 30, log);
    private SocketChannel neverConnected;
    private Connection connection;
    private long tlsBuffers;
    // The loop's buffer, lent to the connection for one turn.
    private final ByteBuffer loopBuffer = ByteBuffer.allocate(HttpServer.BUFFER_SIZE);

    @BeforeEach
    void open() throws IOException {
        // The connection's TlsChannel sits on a socket that never connects: these tests give the
        // connection fake channels to read from and write to, and the TlsChannel only says what
        // it holds (two record buffers, nothing pending).
        neverConnected = SocketChannel.open();
        TlsChannel tls = TlsChannel.serverSide(TestCertificate.localhost().serverContext(), neverConnected, null, log);
        tlsBuffers = tls.networkBufferBytes();
        connection = new Connection(new InetSocketAddress("127.0.0.1", 40000), budget, START, tls);
    }

    @AfterEach
    void close() throws IOException {
        neverConnected.close();
        log.close();
    }

    @Test
    void aPartialWriteKeepsTheRestForTheNextOne() throws IOException {
        connection.queue(Response.ok("text/plain", 5, new Body.Bytes("hello".getBytes(StandardCharsets.US_ASCII))));
        SlowChannel socket = new SlowChannel(3); // takes at most 3 bytes a call, like a full send buffer

        int writes = 0;
        while (connection.hasPendingOutput()) {
            assertThat(connection.writeTo(socket)).isBetween(1L, 3L);
            writes++;
        }

        String sent = socket.received();
        assertThat(sent).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nhello");
        assertThat(writes).isEqualTo((sent.length() + 2) / 3);
        assertThat(connection.pendingOutputBytes()).isZero();
    }

    @Test
    void aLargeFileIsReadAChunkAtATimeWhileItIsWritten() throws IOException {
        byte[] content = TestSite.randomBytes(3 * Connection.FILE_CHUNK_SIZE + 17, 7);
        Path file = Files.write(temp.resolve("large.bin"), content);
        connection.queue(Response.ok("application/octet-stream", content.length,
                new Body.File(FileChannel.open(file), content.length)));
        SlowChannel socket = new SlowChannel(10_000);

        long mostPending = 0;
        while (connection.hasPendingOutput()) {
            mostPending = Math.max(mostPending, connection.pendingOutputBytes());
            connection.writeTo(socket);
        }

        assertThat(socket.body()).isEqualTo(content);
        assertThat(mostPending).as("the head and one chunk at the most, never the file")
                .isLessThan(Connection.FILE_CHUNK_SIZE + 1000);
    }

    @Test
    void pipelinedRequestsComeOutOneAtATime() throws IOException, HttpError {
        read(GET + GET.replace("/a", "/b"));

        assertThat(connection.nextRequest(START).target()).isEqualTo("/a");
        assertThat(connection.hasRequestToAnswer()).isTrue();
        assertThat(connection.nextRequest(START).target()).isEqualTo("/b");
        assertThat(connection.nextRequest(START)).as("nothing more has arrived").isNull();
        assertThat(connection.hasRequestToAnswer()).isFalse();
    }

    @Test
    void whatIsLeftAfterTheTurnIsCopiedOutOfTheLoopsBuffer() throws IOException, HttpError {
        read(GET + GET.replace("/a", "/b"));
        assertThat(connection.nextRequest(START).target()).isEqualTo("/a");

        connection.keepUnparsedInput();
        loopBuffer.clear().put("GARBAGE FROM THE NEXT CONNECTION".getBytes(StandardCharsets.US_ASCII));

        assertThat(connection.heldBytes()).as("exactly the bytes left").isEqualTo(GET.length());
        assertThat(connection.nextRequest(START).target()).isEqualTo("/b");
        assertThat(connection.heldBytes()).isZero();
    }

    @Test
    void requestsLeftUnansweredStopTheReading() throws IOException, HttpError {
        read(GET + GET);
        connection.nextRequest(START);
        connection.queue(Response.ok("text/plain", 1, new Body.Bytes(new byte[1])));
        connection.keepUnparsedInput();

        assertThat(connection.wantsInput()).as("a request waits: backpressure").isFalse();

        connection.nextRequest(START);
        assertThat(connection.wantsInput()).as("all answered: read again").isTrue();
    }

    @Test
    void nothingIsAnsweredAfterAResponseThatCloses() throws IOException, HttpError {
        read(GET + GET);
        connection.nextRequest(START);

        connection.queue(Response.error(Status.NOT_FOUND, "no").withConnection("close"));

        assertThat(connection.nextRequest(START)).as("the second request is read, and never answered").isNull();
        assertThat(connection.wantsInput()).isFalse();
        assertThat(connection.readyToLinger()).as("not before the response is written").isFalse();
    }

    @Test
    void afterTheLastResponseTheConnectionLingersReadingAndDroppingInput() throws IOException, HttpError {
        connection.queue(Response.error(Status.BAD_REQUEST, "no").withConnection("close"));
        connection.writeTo(new SlowChannel(100_000));
        assertThat(connection.readyToLinger()).isTrue();

        connection.startLingering(START + 5);
        ReadableByteChannel upload = client("x".repeat(3 * loopBuffer.capacity()));
        for (int i = 0; i < 3; i++) {
            // Dropped, or every read would have to be kept.
            assertThat(connection.readFrom(upload, loopBuffer.clear())).as("read %d takes a whole buffer", i)
                    .isEqualTo(loopBuffer.capacity());
            connection.keepUnparsedInput();
            assertThat(connection.heldBytes()).isZero();
        }
        connection.touch(START + 999);

        assertThat(connection.readyToLinger()).as("lingering already").isFalse();
        assertThat(connection.wantsInput()).as("read until the client's FIN").isTrue();
        assertThat(connection.nextRequest(START)).as("what arrives is never parsed").isNull();
        assertThat(connection.lastActivity()).as("lingers one idle period, however much the client sends")
                .isEqualTo(START + 5);
        connection.endInput();
        assertThat(connection.isFinished()).isTrue();
    }

    @Test
    void aParseErrorEndsTheAnswering() throws IOException, HttpError {
        read("GARBAGE\r\n\r\n" + GET);

        assertThatThrownBy(() -> connection.nextRequest(START)).isInstanceOf(HttpError.class);

        assertThat(connection.nextRequest(START)).as("nothing after a request that cannot be framed").isNull();
        assertThat(connection.unfinishedRequestLine()).isEqualTo("GARBAGE");
    }

    @Test
    void halfARequestThatStallsIsWhatTheIdleTimeoutAnswersWith408() throws IOException, HttpError {
        assertThat(connection.stalledMidRequest()).isFalse();

        read("GET /a HTTP/1.1\r\nHo");
        assertThat(connection.nextRequest(START)).isNull();

        assertThat(connection.stalledMidRequest()).isTrue();
        assertThat(connection.unfinishedRequestLine()).isEqualTo("GET /a HTTP/1.1");
    }

    @Test
    void theHeadDeadlineCountsFromTheFirstByteOfTheHeadNotFromTheLastOne() throws IOException, HttpError {
        long second = 1_000_000_000L;
        read("GET /a HTTP/1.1\r\nX-Slow: ");
        connection.nextRequest(START);
        for (int i = 1; i <= 9; i++) { // a byte every half second: never idle for long
            read("s");
            connection.touch(START + i * second / 2);
            assertThat(connection.nextRequest(START + i * second / 2)).isNull();
        }

        assertThat(connection.headOverdue(START + 4 * second, 5 * second)).isFalse();
        assertThat(connection.headOverdue(START + 5 * second + 1, 5 * second)).as("5 s after its first byte").isTrue();

        read("\r\nHost: x\r\n\r\n");
        assertThat(connection.nextRequest(START + 6 * second)).isNotNull();
        assertThat(connection.headOverdue(START + 60 * second, 5 * second)).as("no head arriving: no deadline").isFalse();
    }

    @Test
    void whatAConnectionHoldsCountsInTheBudgetUntilItIsSentOrParsed() throws IOException, HttpError {
        String half = "GET /a HTTP/1.1\r\nHost: x\r\n";
        assertThat(budget.used()).as("the TLS buffers, from accept to close").isEqualTo(tlsBuffers);
        read(half);
        connection.nextRequest(START);
        assertThat(budget.used() - tlsBuffers).as("half a head, in the parser").isEqualTo(half.length());

        read("\r\n");
        connection.nextRequest(START);
        connection.queue(Response.ok("text/plain", 5, new Body.Bytes("hello".getBytes(StandardCharsets.US_ASCII))));
        assertThat(budget.used() - tlsBuffers).as("the response, not yet sent").isEqualTo(connection.pendingOutputBytes());

        connection.writeTo(new SlowChannel(100_000));
        assertThat(budget.used()).isEqualTo(tlsBuffers);
        assertThat(connection.heldBytes()).as("nothing in flight, nothing held").isZero();
    }

    @Test
    void aClosedConnectionGivesEverythingBack() throws IOException, HttpError {
        read(GET + "GET /b HTTP/1.1\r\nHo");
        connection.nextRequest(START);
        connection.queue(Response.error(Status.NOT_FOUND, "no"));
        connection.nextRequest(START);
        connection.keepUnparsedInput();
        assertThat(budget.used()).isGreaterThan(tlsBuffers);

        connection.release();

        assertThat(budget.used()).as("the TLS buffers too").isZero();
    }

    /** Reads what the client sent into the loop's buffer, as the server does. */
    private void read(String sent) throws IOException {
        connection.readFrom(client(sent), loopBuffer.clear());
    }

    private static ReadableByteChannel client(String sent) {
        return Channels.newChannel(new ByteArrayInputStream(sent.getBytes(StandardCharsets.ISO_8859_1)));
    }

    /** A socket whose send buffer takes at most {@code most} bytes per write; it keeps what it took. */
    private static final class SlowChannel implements GatheringByteChannel {

        private final int most;
        private final ByteArrayOutputStream taken = new ByteArrayOutputStream();

        SlowChannel(int most) {
            this.most = most;
        }

        @Override
        public long write(ByteBuffer[] sources, int offset, int length) {
            int room = most;
            for (int i = offset; i < offset + length && room > 0; i++) {
                while (sources[i].hasRemaining() && room > 0) {
                    taken.write(sources[i].get());
                    room--;
                }
            }
            return most - room;
        }

        @Override
        public long write(ByteBuffer[] sources) {
            return write(sources, 0, sources.length);
        }

        @Override
        public int write(ByteBuffer source) {
            return (int) write(new ByteBuffer[] {source});
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }

        String received() {
            return taken.toString(StandardCharsets.ISO_8859_1);
        }

        /** What came after the head's blank line. */
        byte[] body() {
            byte[] all = taken.toByteArray();
            int start = received().indexOf("\r\n\r\n") + 4;
            return Arrays.copyOfRange(all, start, all.length);
        }
    }
}
