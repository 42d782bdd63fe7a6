package tutorial.step02;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The programs as a learner runs them: in a JVM of their own, with -Dtrace, with bad arguments. */
class CommandLineTest {

    @TempDir
    Path folder;

    @Test
    @DisplayName("EchoServer with -Dtrace prints the transcript of the chapter and every read and write")
    void serverPrintsTranscriptAndTrace() throws Exception {
        try (JavaProcess server = JavaProcess.start(folder, true, EchoServer.class, "127.0.0.1", "0")) {
            String listening = await().atMost(Duration.ofSeconds(30))
                    .until(() -> firstLine(server.outputLines()), line -> line.startsWith("Listening on 127.0.0.1:"));
            int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1));

            SocketAddress client;
            try (SocketChannel channel = Loopback.connect(port)) {
                Loopback.send(channel, "Hello World");
                assertThat(Loopback.receive(channel, 11)).isEqualTo("Hello World");
                client = channel.getLocalAddress();
            }

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.outputLines()).containsExactly(
                    "Listening on 127.0.0.1:" + port,
                    "Got connection from " + client,
                    "read 11 bytes from " + client,
                    "wrote 11 bytes to " + client,
                    "read end of stream from " + client,
                    "Connection from " + client + " closed"));
        }
    }

    @Test
    @DisplayName("EchoClient with -Dtrace prints its write, the reads that bring the echo back, and the reply")
    void clientPrintsTraceAndReply() throws Exception {
        String message = "0123456789".repeat(300);
        try (RunningServer server = RunningServer.start();
             JavaProcess client = JavaProcess.start(folder, true, EchoClient.class,
                     "127.0.0.1", String.valueOf(server.port()), message)) {
            assertThat(client.exitStatus()).isZero();
            List<String> lines = client.outputLines();
            String serverAddress = "/127.0.0.1:" + server.port();

            assertThat(lines.get(0)).isEqualTo("wrote 3000 bytes to " + serverAddress);
            List<String> reads = lines.subList(1, lines.size() - 1);
            assertThat(reads).allMatch(line -> line.matches("read \\d+ bytes from " + serverAddress));
            assertThat(reads.stream().mapToInt(CommandLineTest::byteCount).sum()).isEqualTo(3000);
            assertThat(lines.get(lines.size() - 1)).isEqualTo("Received response from server: " + message);
        }
    }

    @Test
    @DisplayName("a bad argument prints a one-line usage message and exits with status 2")
    void badArgumentsExitWithStatus2() throws Exception {
        try (JavaProcess server = JavaProcess.start(folder, false, EchoServer.class, "127.0.0.1", "http");
             JavaProcess client = JavaProcess.start(folder, false, EchoClient.class, "127.0.0.1", "5000", "a", "b")) {
            assertThat(server.exitStatus()).isEqualTo(2);
            assertThat(server.errorOutput()).isEqualTo(
                    "usage: EchoServer [host] [port] (not a port number: http)" + System.lineSeparator());
            assertThat(client.exitStatus()).isEqualTo(2);
            assertThat(client.errorOutput()).startsWith("usage: EchoClient [host] [port] [message]")
                    .hasLineCount(1);
            assertThat(server.outputLines()).isEmpty();
        }
    }

    @Test
    @DisplayName("a port that is taken: one line that says so and how to pick another, exit status 1")
    void portInUseSaysSoInOneLine() throws Exception {
        try (ServerSocketChannel other = Loopback.listen()) {
            int taken = Loopback.port(other);
            try (JavaProcess server = JavaProcess.start(folder, false, EchoServer.class, "127.0.0.1", String.valueOf(taken))) {
                assertThat(server.exitStatus()).isEqualTo(1);
                assertThat(server.errorOutput()).isEqualTo("Port " + taken + " on 127.0.0.1 is already in use: pick another port,"
                        + " e.g. \"-Dexec.args=127.0.0.1 " + (taken + 1) + "\"" + System.lineSeparator());
                assertThat(server.outputLines()).isEmpty();
            }
        }
    }

    @Test
    @DisplayName("port 5000 taken: the line names the AirPlay Receiver of macOS 12 and newer")
    void port5000InUseNamesAirPlay() {
        // Port 5000 itself is not bound here (tests never use a fixed port): the message alone.
        assertThat(Arguments.cannotListen("127.0.0.1", 5000, new BindException("Address already in use")))
                .isEqualTo("Port 5000 on 127.0.0.1 is already in use (on macOS 12 and newer, the AirPlay Receiver"
                        + " listens there): pick another port, e.g. \"-Dexec.args=127.0.0.1 5001\"");
    }

    @Test
    @DisplayName("a number alone is the port, not a host name: EchoServer 0 listens on 127.0.0.1, EchoClient PORT connects")
    void singleNumberIsThePort() throws Exception {
        try (JavaProcess server = JavaProcess.start(folder, false, EchoServer.class, "0")) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> firstLine(server.outputLines()), line -> line.startsWith("Listening on 127.0.0.1:"));
        }
        try (RunningServer server = RunningServer.start();
             JavaProcess client = JavaProcess.start(folder, false, EchoClient.class, String.valueOf(server.port()))) {
            assertThat(client.exitStatus()).isZero();
            assertThat(client.outputLines()).containsExactly("Received response from server: Hello World");
        }
    }

    @Test
    @DisplayName("a number first and more after it: the usage line says to give the host first")
    void numberBeforeHostIsAUsageError() throws Exception {
        try (JavaProcess server = JavaProcess.start(folder, false, EchoServer.class, "5000", "127.0.0.1")) {
            assertThat(server.exitStatus()).isEqualTo(2);
            assertThat(server.errorOutput()).isEqualTo("usage: EchoServer [host] [port]"
                    + " (5000 is a port: give the host first, e.g. 127.0.0.1 5000)" + System.lineSeparator());
        }
    }

    @Test
    @DisplayName("the client with no server: one line that asks whether the server runs, exit status 1")
    void clientWithNoServerSaysSoInOneLine() throws Exception {
        // A socket bound but not listening keeps the port ours, and refuses every connection to it.
        try (SocketChannel placeholder = SocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = ((InetSocketAddress) placeholder.getLocalAddress()).getPort();
            try (JavaProcess client = JavaProcess.start(folder, false, EchoClient.class, "127.0.0.1", String.valueOf(port))) {
                assertThat(client.exitStatus()).isEqualTo(1);
                assertThat(client.errorOutput()).hasLineCount(1)
                        .startsWith("Could not talk to 127.0.0.1:" + port + ": Connection refused")
                        .endsWith(" (is the server running, on that port?)" + System.lineSeparator());
                assertThat(client.outputLines()).isEmpty();
            }
        }
    }

    private static int byteCount(String traceLine) {
        return Integer.parseInt(traceLine.split(" ")[1]);
    }

    private static String firstLine(List<String> lines) {
        return lines.isEmpty() ? "" : lines.get(0);
    }
}
