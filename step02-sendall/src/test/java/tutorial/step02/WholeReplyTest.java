package tutorial.step02;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Step 01's first limitation, fixed: the client reads until the whole echo is back, however the
 * bytes are cut on the way.
 */
class WholeReplyTest {

    @Test
    @DisplayName("reply in two pieces: the client waits for the second piece and returns the whole reply"
            + " (a limitation in step 01)")
    void replyInTwoPiecesComesBackWhole() throws Exception {
        // The test plays the server, so that it decides how the reply is cut.
        try (ServerSocketChannel peer = Loopback.listen()) {
            CompletableFuture<String> reply = exchangeInBackground(Loopback.port(peer), "Hello World");
            try (SocketChannel server = answerWithFirstPiece(peer)) {
                await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10))
                        .until(() -> !reply.isDone()); // step 01's client would have returned "Hello" by now
                Loopback.send(server, " World");

                await().atMost(Duration.ofSeconds(10)).until(reply::isDone);
                assertThat(reply.join()).isEqualTo("Hello World");
            }
        }
    }

    @Test
    @DisplayName("reply longer than the buffer: all 3000 bytes come back (a limitation in step 01)")
    void replyLongerThanTheBufferComesBackWhole() throws Exception {
        String message = "0123456789".repeat(300);
        try (RunningServer server = RunningServer.start()) {
            assertThat(EchoClient.exchange("127.0.0.1", server.port(), message)).isEqualTo(message);
        }
    }

    @Test
    @DisplayName("a 1 MiB message comes back byte for byte")
    void oneMebibyteComesBackByteForByte() throws Exception {
        String message = randomLetters(1 << 20);
        try (RunningServer server = RunningServer.start()) {
            String reply = EchoClient.exchange("127.0.0.1", server.port(), message);

            assertThat(reply.length()).isEqualTo(message.length());
            assertThat(reply.equals(message)).as("the echo equals the message, byte for byte").isTrue();
        }
    }

    @Test
    @DisplayName("a server that closes in the middle of the reply is an error that says how far it got")
    void earlyEndOfStreamIsAnError() throws Exception {
        try (ServerSocketChannel peer = Loopback.listen()) {
            CompletableFuture<String> reply = exchangeInBackground(Loopback.port(peer), "Hello World");
            answerWithFirstPiece(peer).close();

            await().atMost(Duration.ofSeconds(10)).until(reply::isDone);
            assertThatThrownBy(reply::join).cause().cause()
                    .isInstanceOf(EOFException.class)
                    .hasMessage("connection closed by /127.0.0.1:" + Loopback.port(peer) + " after 5 of 11 bytes");
        }
    }

    /** Plays the server: takes the client's "Hello World" and writes back "Hello" only, for now. */
    private static SocketChannel answerWithFirstPiece(ServerSocketChannel peer) throws IOException {
        SocketChannel server = peer.accept();
        assertThat(Loopback.receive(server, 11)).isEqualTo("Hello World");
        Loopback.send(server, "Hello");
        return server;
    }

    private static CompletableFuture<String> exchangeInBackground(int port, String message) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return EchoClient.exchange("127.0.0.1", port, message);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static String randomLetters(int length) {
        Random random = new Random(2);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }
}
