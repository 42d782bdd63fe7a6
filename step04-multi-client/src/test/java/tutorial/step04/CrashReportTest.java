package tutorial.step04;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** When the loop dies, the report names what killed it, even if cleaning up fails too. */
class CrashReportTest {

    @Test
    @DisplayName("closing after a failure: a failure to close is added to the original, which stays the one"
            + " reported, and everything after it is closed all the same")
    void failureToCloseNeverReplacesTheCause() throws IOException {
        try (ServerSocketChannel listening = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel first = SocketChannel.open(listening.getLocalAddress());
             SocketChannel last = SocketChannel.open(listening.getLocalAddress())) {
            Closeable failsToClose = () -> {
                throw new IOException("Too many open files");
            };
            Throwable cause = new OutOfMemoryError("Java heap space");

            Throwable reported = cause;
            for (Closeable resource : new Closeable[] {first, failsToClose, last}) {
                reported = Shutdown.close(resource, reported);
            }

            assertThat(reported).isSameAs(cause);
            assertThat(cause.getSuppressed()).singleElement().hasToString("java.io.IOException: Too many open files");
            assertThat(first.isOpen()).isFalse();
            assertThat(last.isOpen()).as("closed although the one before it failed").isFalse();
        }
    }

    @Test
    @DisplayName("closing without a failure: the first failure to close is the one reported")
    void withoutACauseTheFailureToCloseIsReported() {
        IOException closeFailed = new IOException("close failed");

        assertThat(Shutdown.close(() -> {
            throw closeFailed;
        }, null)).isSameAs(closeFailed);
        assertThat(Shutdown.close(() -> { }, null)).isNull();
    }
}
