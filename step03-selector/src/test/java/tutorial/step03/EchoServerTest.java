package tutorial.step03;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class EchoServerTest {

    private static final int CHUNK_BYTES = 1024 * 1024;

    private RunningServer running;
    private final List<SocketChannel> clients = new ArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        running = new RunningServer();
    }

    @AfterEach
    void stopServer() throws Exception {
        for (SocketChannel client : clients) {
            client.close();
        }
        running.close();
    }

    @Test
    @DisplayName("echo round trip: the client gets back what it sent, and the server says who connected")
    void echoRoundTrip() throws IOException {
        SocketChannel client = connect();

        assertThat(echo(client, "Hello World")).isEqualTo("Hello World");
        assertThat(running.log())
                .startsWith("Listening on 127.0.0.1:" + running.server().port())
                .contains("Got connection from /127.0.0.1:");
    }

    @Test
    @DisplayName("second client while the first stays: B is echoed while A is still connected (step 01's limitation, fixed)")
    void secondClientIsServedWhileFirstIsConnected() throws IOException {
        SocketChannel first = connect();
        assertThat(echo(first, "I am A, and I stay")).isEqualTo("I am A, and I stay");

        SocketChannel second = connect();

        assertThat(echo(second, "I am B")).isEqualTo("I am B");
        assertThat(echo(first, "still here")).isEqualTo("still here");
    }

    @Test
    @DisplayName("many clients at once: 100 clients, messages interleaved, each gets exactly its own bytes back")
    void manyClientsInterleavedEachGetTheirOwnBytes() throws IOException {
        // Each client is two descriptors in this process: its own socket and the server's end.
        Descriptors.assumeAtLeast(2 * 100 + 10, "holding 100 connections in one process");
        for (int i = 0; i < 100; i++) {
            connect();
        }
        for (int round = 0; round < 5; round++) {
            // Every client sends before any of them reads: the server has 100 messages in flight.
            for (int i = 0; i < clients.size(); i++) {
                Transfer.sendAll(clients.get(i), ascii(messageOf(i, round)));
            }
            for (int i = 0; i < clients.size(); i++) {
                String expected = messageOf(i, round);
                assertThat(readString(clients.get(i), expected.length())).isEqualTo(expected);
            }
        }
    }

    @Test
    @DisplayName("clients that close or reset their connection are cleaned up, and the loop goes on")
    void closedAndResetConnectionsAreCleanedUp() throws IOException {
        SocketChannel polite = connect();
        SocketChannel rude = connect();
        String politeAddress = addressOf(polite);
        String rudeAddress = addressOf(rude);
        await().atMost(10, SECONDS).until(() -> running.server().openConnections() == 2);

        polite.close();
        // SO_LINGER 0: close() sends a reset (RST) instead of the usual goodbye (FIN).
        rude.setOption(StandardSocketOptions.SO_LINGER, 0);
        rude.close();

        await().atMost(10, SECONDS).until(() -> running.server().openConnections() == 0);
        assertThat(running.log())
                .contains("Connection from " + politeAddress + " closed")
                .contains("Connection from " + rudeAddress + " lost: Connection reset");
        assertThat(echo(connect(), "anyone left?")).isEqualTo("anyone left?");
    }

    @Test
    @Tag("limitation")
    @Tag("fixed-in-step04")
    @DisplayName("slow reader of a large stream: many times what the socket buffers hold, sent without reading,"
            + " comes back short, and the server never notices (fixed in step 04)")
    void slowReaderGetsBackFewerBytesThanItSent() throws Exception {
        SocketChannel client = connect();
        String clientAddress = addressOf(client);
        long streamBytes = largeStreamBytes(client);

        // The client writes the whole stream and reads nothing meanwhile. Its blocking writes
        // finish, because the server keeps reading; the echoes pile up in the socket buffers
        // until they are full, and from then on the server's naive writes drop them.
        AtomicReference<Throwable> writeFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
                for (long sent = 0; sent < streamBytes; sent += CHUNK_BYTES) {
                    Transfer.sendAll(client, chunk.clear());
                }
                client.shutdownOutput(); // "I have nothing more to send": the server reads -1
            } catch (Throwable e) {
                writeFailure.set(e);
            }
        });
        writer.start();
        try {
            await("the client finished writing " + streamBytes + " bytes without reading")
                    .atMost(30, SECONDS).until(() -> !writer.isAlive());
        } finally {
            writer.interrupt(); // closes the channel if the writer is still stuck, so join() returns
            writer.join(10_000);
        }
        assertThat(writeFailure.get()).isNull();

        long echoed = readUntilEndOfStream(client);

        // What did not fit in the socket buffers at the time of each write was dropped.
        assertThat(echoed).isPositive().isLessThan(streamBytes);
        // The server closed the connection as if all were well: no error, no warning.
        await().atMost(10, SECONDS).until(() -> running.log().contains("Connection from " + clientAddress + " closed"));
        assertThat(running.log()).doesNotContain("lost");
    }

    /**
     * A stream far larger than the socket buffers can hold, so that the lesson shows on any
     * machine: at least 32 MiB, and at least 8 times the buffers this connection got (the
     * server's end gets the same defaults from the kernel). 32 MiB is plenty where buffers
     * start at a few hundred KiB and grow to a few MiB (Linux, macOS and Windows defaults), but
     * a machine tuned for fast networks can start a receive buffer at 16 MiB or more.
     */
    private static long largeStreamBytes(SocketChannel client) throws IOException {
        long buffers = (long) client.getOption(StandardSocketOptions.SO_RCVBUF)
                + client.getOption(StandardSocketOptions.SO_SNDBUF);
        long bytes = Math.max(32L * 1024 * 1024, 8 * buffers);
        return (bytes + CHUNK_BYTES - 1) / CHUNK_BYTES * CHUNK_BYTES; // whole chunks
    }

    private SocketChannel connect() throws IOException {
        SocketChannel client = running.connect();
        clients.add(client);
        return client;
    }

    private static String echo(SocketChannel client, String message) throws IOException {
        Transfer.sendAll(client, ascii(message));
        return readString(client, message.length());
    }

    private static String readString(SocketChannel client, int length) throws IOException {
        ByteBuffer reply = ByteBuffer.allocate(length);
        Transfer.readUntilComplete(client, reply);
        return new String(reply.array(), StandardCharsets.US_ASCII);
    }

    private static long readUntilEndOfStream(SocketChannel client) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long total = 0;
        int count;
        while ((count = client.read(buffer.clear())) != -1) {
            total += count;
        }
        return total;
    }

    private static String messageOf(int client, int round) {
        return "client " + client + " says " + round + ";";
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String addressOf(SocketChannel client) throws IOException {
        return client.getLocalAddress().toString();
    }
}
