package tutorial.step04;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Memory is finite: clients that send and never read fill the server's output buffers, each up to
 * its backpressure bound; the output budget bounds them all together, and a new client is still
 * served.
 */
class MemoryBudgetTest {

    private static final long BUDGET = 2 * 1024 * 1024;

    @Test
    @DisplayName("clients that never read: the output buffers stay within the budget, one log line says it is"
            + " spent, and a new client is still echoed")
    void outputBuffersStayWithinTheBudget() throws Exception {
        Descriptors.assumeFree(50);
        try (RunningServer running = new RunningServer(Limits.forThisProcess().withOutputBudget(BUDGET))) {
            // 8 clients, each sending more than the socket buffers hold: each could make the server
            // hold 1 MiB. (The script stops when no byte moves for a second, so more costs no time.)
            long mebibytes = mebibytesBeyondTheBuffers(running.server().port());
            String report = Scripts.run("SendWithoutReading.java", "127.0.0.1", running.server().port(), 8,
                    mebibytes, 1);

            assertThat(report).contains("fresh_client=echoed", "reset=0");
            await().atMost(10, SECONDS).until(() -> running.log().contains("Output buffers hold "));
            assertThat(running.log()).containsOnlyOnce("the budget: no connection's buffer grows");
            // One buffer may have grown past the limit before the budget counted as spent:
            // a megabyte at most, the backpressure bound.
            assertThat(running.server().stats().peakOutputBufferBytes())
                    .isLessThanOrEqualTo(BUDGET + EchoServer.MAX_PENDING_OUTPUT);
        }
    }

    @Test
    @DisplayName("-Xmx64m, 50 clients that never read (at least 8 MiB each): the server stays alive and echoes a new"
            + " client (step 04 without a budget died of OutOfMemoryError here)")
    void smallHeapOutlivesClientsThatNeverRead() throws Exception {
        Descriptors.assumeFree(150);
        try (ChildServer server = ChildServer.start(List.of("-Xmx64m"))) {
            long mebibytes = Math.max(8, mebibytesBeyondTheBuffers(server.port()));
            String report = Scripts.run("SendWithoutReading.java", "127.0.0.1", server.port(), 50, mebibytes, 1);

            assertThat(report).contains("fresh_client=echoed", "reset=0");
            assertThat(server.isAlive()).isTrue();
            assertThat(server.output()).contains("Limits: ", "of output buffers", "Output buffers hold ");
            assertThat(server.errors()).doesNotContain("OutOfMemoryError");
        }
    }

    /** What each client sends: more than the socket buffers of a connection to the server hold. */
    private static long mebibytesBeyondTheBuffers(int port) throws IOException {
        try (BlockingClient probe = new BlockingClient(port)) {
            return SocketBuffers.mebibytesBeyondTheBuffers(probe.channel());
        }
    }
}
