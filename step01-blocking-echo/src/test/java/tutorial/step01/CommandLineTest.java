package tutorial.step01;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.SocketAddress;
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
    @DisplayName("EchoClient with -Dtrace prints its write, its one read and the reply")
    void clientPrintsTraceAndReply() throws Exception {
        try (RunningServer server = RunningServer.start();
             JavaProcess client = JavaProcess.start(folder, true, EchoClient.class,
                     "127.0.0.1", String.valueOf(server.port()))) {
            assertThat(client.exitStatus()).isZero();
            assertThat(client.outputLines()).containsExactly(
                    "wrote 11 bytes to /127.0.0.1:" + server.port(),
                    "read 11 bytes from /127.0.0.1:" + server.port(),
                    "Received response from server: Hello World");
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
    @DisplayName("a host name that does not resolve is a usage error too, not a stack trace")
    void unknownHostExitsWithStatus2() throws Exception {
        // .invalid is reserved (RFC 2606): it never resolves, on any machine
        try (JavaProcess client = JavaProcess.start(folder, false, EchoClient.class, "no-such-host.invalid")) {
            assertThat(client.exitStatus()).isEqualTo(2);
            assertThat(client.errorOutput()).isEqualTo(
                    "usage: EchoClient [host] [port] [message] (unknown host no-such-host.invalid)" + System.lineSeparator());
        }
    }

    private static String firstLine(List<String> lines) {
        return lines.isEmpty() ? "" : lines.get(0);
    }
}
