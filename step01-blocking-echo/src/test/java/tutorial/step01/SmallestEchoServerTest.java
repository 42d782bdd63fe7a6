package tutorial.step01;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The one-screen server that opens chapter 01 is a real echo server, not a sketch. */
class SmallestEchoServerTest {

    @Test
    @DisplayName("the smallest echo server echoes each client in turn, and stops when its listener is closed")
    @SuppressWarnings("try") // the listener is closed on purpose inside the block
    void echoesClientsOneAfterAnother() throws Exception {
        try (ServerSocketChannel listener = Loopback.listen()) {
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
                try {
                    SmallestEchoServer.echoForever(listener);
                } catch (ClosedChannelException e) {
                    // the test closed the listener (while accept() waited, or just before): the way to stop it
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            for (String message : new String[] {"Hello World", "a second client", "and a third"}) {
                try (SocketChannel client = Loopback.connect(Loopback.port(listener))) {
                    Loopback.send(client, message);
                    assertThat(Loopback.receive(client, message.length())).isEqualTo(message);
                }
            }

            listener.close();
            serving.get(10, TimeUnit.SECONDS); // fails if echoForever ended with anything else
        }
    }
}
