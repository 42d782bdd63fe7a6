package tutorial.step05;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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

    private final Connection connection = new Connection(new InetSocketAddress("127.0.0.1", 40000), START);

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
        connection.readFrom(client(GET + GET.replace("/a", "/b")));

        assertThat(connection.nextRequest().target()).isEqualTo("/a");
        assertThat(connection.hasRequestToAnswer()).isTrue();
        assertThat(connection.nextRequest().target()).isEqualTo("/b");
        assertThat(connection.nextRequest()).as("nothing more has arrived").isNull();
        assertThat(connection.hasRequestToAnswer()).isFalse();
    }

    @Test
    void aFullInputBufferStopsTheReading() throws IOException, HttpError {
        String many = GET.repeat(Connection.INPUT_BUFFER_SIZE / GET.length() + 1);
        connection.readFrom(client(many));

        assertThat(connection.wantsInput()).as("the buffer is full: backpressure").isFalse();

        connection.nextRequest();
        assertThat(connection.wantsInput()).as("one request taken out: room again").isTrue();
    }

    @Test
    void nothingIsAnsweredAfterAResponseThatCloses() throws IOException, HttpError {
        connection.readFrom(client(GET + GET));
        connection.nextRequest();

        connection.queue(Response.error(Status.NOT_FOUND, "no").withConnection("close"));

        assertThat(connection.nextRequest()).as("the second request is read, and never answered").isNull();
        assertThat(connection.wantsInput()).isFalse();
        assertThat(connection.readyToLinger()).as("not before the response is written").isFalse();
    }

    @Test
    void afterTheLastResponseTheConnectionLingersReadingAndDroppingInput() throws IOException, HttpError {
        connection.queue(Response.error(Status.BAD_REQUEST, "no").withConnection("close"));
        connection.writeTo(new SlowChannel(100_000));
        assertThat(connection.readyToLinger()).isTrue();

        connection.startLingering(START + 5);
        ReadableByteChannel upload = client("x".repeat(3 * Connection.INPUT_BUFFER_SIZE));
        for (int i = 0; i < 3; i++) {
            // Dropped, or the buffer would fill, every read would return 0, and a readable
            // socket with no room to read into would wake select() again and again.
            assertThat(connection.readFrom(upload)).as("read %d takes a whole buffer", i)
                    .isEqualTo(Connection.INPUT_BUFFER_SIZE);
        }
        connection.touch(START + 999);

        assertThat(connection.readyToLinger()).as("lingering already").isFalse();
        assertThat(connection.wantsInput()).as("read until the client's FIN").isTrue();
        assertThat(connection.nextRequest()).as("what arrives is never parsed").isNull();
        assertThat(connection.lastActivity()).as("lingers one idle period, however much the client sends")
                .isEqualTo(START + 5);
        connection.endInput();
        assertThat(connection.isFinished()).isTrue();
    }

    @Test
    void aParseErrorEndsTheAnswering() throws IOException, HttpError {
        connection.readFrom(client("GARBAGE\r\n\r\n" + GET));

        assertThatThrownBy(connection::nextRequest).isInstanceOf(HttpError.class);

        assertThat(connection.nextRequest()).as("nothing after a request that cannot be framed").isNull();
        assertThat(connection.unfinishedRequestLine()).isEqualTo("GARBAGE");
    }

    @Test
    void halfARequestThatStallsIsWhatTheIdleTimeoutAnswersWith408() throws IOException, HttpError {
        assertThat(connection.stalledMidRequest()).isFalse();

        connection.readFrom(client("GET /a HTTP/1.1\r\nHo"));
        assertThat(connection.nextRequest()).isNull();

        assertThat(connection.stalledMidRequest()).isTrue();
        assertThat(connection.unfinishedRequestLine()).isEqualTo("GET /a HTTP/1.1");
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
