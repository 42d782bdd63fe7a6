package tutorial.step05;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The accept pause on its own, with the clock passed in: when OP_ACCEPT goes off and comes back. */
class AcceptGateTest {

    private static final long START = TimeUnit.SECONDS.toNanos(1000); // any System.nanoTime() will do
    private static final long MILLI = TimeUnit.MILLISECONDS.toNanos(1);

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final Log log = Log.quiet(new PrintStream(output, true, StandardCharsets.US_ASCII));
    private Selector selector;
    private ServerSocketChannel serverChannel;
    private SelectionKey serverKey;

    @BeforeEach
    void listen() throws IOException {
        selector = Selector.open();
        serverChannel = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        serverChannel.configureBlocking(false);
        serverKey = serverChannel.register(selector, SelectionKey.OP_ACCEPT);
    }

    @AfterEach
    void closeAll() throws IOException {
        log.close();
        serverChannel.close();
        selector.close();
    }

    @Test
    @DisplayName("at the maximum, OP_ACCEPT goes off; it comes back a second later, not before, or at once when"
            + " a connection closes")
    void pausedAcceptComesBackAfterTheRetryOrWhenAConnectionCloses() {
        AcceptGate gate = new AcceptGate(serverKey, 2, log);
        gate.opened();
        gate.opened();
        assertThat(gate.hasRoom()).isFalse();

        gate.pauseAtMaximum(START);

        assertThat(serverKey.interestOps()).isZero();
        assertThat(gate.nanosUntilRetry(START)).isEqualTo(AcceptGate.RETRY.toNanos());
        assertThat(gate.reopenWhenDue(START + AcceptGate.RETRY.toNanos() - MILLI)).isFalse();
        assertThat(serverKey.interestOps()).as("a millisecond early").isZero();
        assertThat(gate.reopenWhenDue(START + AcceptGate.RETRY.toNanos())).isTrue();
        assertThat(serverKey.interestOps()).isEqualTo(SelectionKey.OP_ACCEPT);
        assertThat(gate.nanosUntilRetry(START)).as("nothing to wait for while accepting").isEqualTo(Long.MAX_VALUE);

        long later = START + 5 * AcceptGate.RETRY.toNanos();
        gate.pauseAtMaximum(later);
        gate.closed(later + MILLI);

        assertThat(gate.hasRoom()).isTrue();
        assertThat(gate.reopenWhenDue(later + MILLI)).as("a descriptor is free: no need to wait").isTrue();
        assertThat(serverKey.interestOps()).isEqualTo(SelectionKey.OP_ACCEPT);
    }

    @Test
    @DisplayName("a pause is one line in the log however many retries fail, and its end one more")
    void aPauseIsOneLineHoweverManyRetries() {
        AcceptGate gate = new AcceptGate(serverKey, 100, log);
        IOException noDescriptor = new IOException("Too many open files");

        long now = START;
        for (int retry = 0; retry < 5; retry++) {
            gate.pauseAfterFailure(noDescriptor, now);
            now += AcceptGate.RETRY.toNanos();
            assertThat(gate.reopenWhenDue(now)).isTrue();
        }
        gate.backlogEmptied();
        gate.backlogEmptied(); // nobody waits again: the pause was over already
        log.close();

        String logged = output.toString(StandardCharsets.US_ASCII);
        assertThat(logged.split("Cannot accept connections \\(Too many open files\\), 0 open", -1)).hasSize(2);
        assertThat(logged.split("Accepting connections again, 0 open", -1)).hasSize(2);
    }
}
