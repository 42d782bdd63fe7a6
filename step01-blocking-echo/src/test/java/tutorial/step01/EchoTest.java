package tutorial.step01;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What step 01 does: echo, one client after another, and say who it is talking to. */
class EchoTest {

    @Test
    @DisplayName("echo round trip: the client gets back what it sent")
    void echoRoundTrip() throws Exception {
        try (RunningServer server = RunningServer.start()) {
            assertThat(EchoClient.exchange("127.0.0.1", server.port(), "Hello World")).isEqualTo("Hello World");
        }
    }

    @Test
    @DisplayName("clients that come one after another are all served")
    void successiveClientsAreAllServed() throws Exception {
        try (RunningServer server = RunningServer.start()) {
            for (int i = 1; i <= 5; i++) {
                assertThat(EchoClient.exchange("127.0.0.1", server.port(), "client " + i)).isEqualTo("client " + i);
            }
        }
    }

    @Test
    @DisplayName("the server prints the lines the chapter shows, with each client's address")
    void serverReportsEachClientsAddress() throws Exception {
        try (RunningServer server = RunningServer.start()) {
            SocketAddress first = roundTripFromOwnSocket(server.port());
            SocketAddress second = roundTripFromOwnSocket(server.port());

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.logLines()).containsExactly(
                    "Listening on 127.0.0.1:" + server.port(),
                    "Got connection from " + first,
                    "Connection from " + first + " closed",
                    "Got connection from " + second,
                    "Connection from " + second + " closed"));
        }
    }

    @Test
    @DisplayName("close() stops the server while it is serving a client")
    @SuppressWarnings("try") // the server is closed on purpose inside the block
    void closeStopsTheServerWhileAClientIsConnected() throws Exception {
        try (RunningServer server = RunningServer.start();
             SocketChannel client = Loopback.connect(server.port())) {
            Loopback.send(client, "still here");
            assertThat(Loopback.receive(client, 10)).isEqualTo("still here");

            server.close(); // fails if serve() does not come back quietly within 10 s

            assertThat(client.read(ByteBuffer.allocate(1))).as("the server closed our connection").isEqualTo(-1);
        }
    }

    /** One echo from a socket of the test's own, whose address the test knows; returns that address. */
    private static SocketAddress roundTripFromOwnSocket(int port) throws IOException {
        try (SocketChannel client = Loopback.connect(port)) {
            Loopback.send(client, "Hello World");
            assertThat(Loopback.receive(client, 11)).isEqualTo("Hello World");
            return client.getLocalAddress();
        }
    }
}
