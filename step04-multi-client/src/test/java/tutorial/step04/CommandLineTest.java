package tutorial.step04;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The programs as a learner runs them, in a JVM of their own: a bad command line gets one line of
 * usage and exit status 2, never a stack trace or a server; every other slip gets one line too.
 */
class CommandLineTest {

    @TempDir
    Path folder;

    @ParameterizedTest(name = "EchoServer {0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1 0 --max-connections 0        | not a number of connections: 0",
        "127.0.0.1 0 --idle-timeout soon         | not a number of seconds: soon",
        "127.0.0.1 0 --log                       | missing value after --log",
        "127.0.0.1 0 --quiet --log echo.log      | --quiet or --log, not both",
        "--quiet 127.0.0.1                       | 127.0.0.1 must come before the options",
        "127.0.0.1 0 --verbose                   | unknown option --verbose",
        "127.0.0.1 0 --log no/such/folder/x.log  | cannot write to no/such/folder/x.log",
    })
    void badArgumentsGetTheUsageLine(String arguments, String problem) throws Exception {
        Ended server = run(EchoServer.class, arguments.trim().split(" +"));

        assertThat(server.status).isEqualTo(2);
        assertThat(server.output).isEmpty();
        assertThat(server.errors).isEqualTo("usage: EchoServer [host] [port] [--max-connections N] [--idle-timeout SECONDS]"
                + " [--quiet | --log FILE] (" + problem + ")" + System.lineSeparator());
    }

    @Test
    @DisplayName("a number first and more after it: the usage line says to give the host first")
    void numberBeforeHostIsAUsageError() throws Exception {
        Ended server = run(EchoServer.class, "5000", "127.0.0.1");
        Ended client = run(MultiConnectionClient.class, "5000", "500");

        assertThat(server.status).isEqualTo(2);
        assertThat(server.errors).isEqualTo("usage: EchoServer [host] [port] [--max-connections N] [--idle-timeout SECONDS]"
                + " [--quiet | --log FILE] (5000 is a port: give the host first, e.g. 127.0.0.1 5000)" + System.lineSeparator());
        assertThat(client.status).isEqualTo(2);
        assertThat(client.errors).hasLineCount(1).startsWith("usage: MultiConnectionClient [host] [port]")
                .endsWith("(5000 is a port: give the host first, e.g. 127.0.0.1 5000)" + System.lineSeparator());
    }

    @Test
    @DisplayName("a number alone is the port, not a host name: the client connects to 127.0.0.1 on it")
    void singleNumberIsThePort() throws Exception {
        try (RunningServer server = new RunningServer()) {
            Ended client = run(MultiConnectionClient.class, String.valueOf(server.server().port()));

            assertThat(client.status).as(client.errors).isZero();
            assertThat(client.output).startsWith("Opening 3 connections to 127.0.0.1:" + server.server().port())
                    .contains("3 connections, 9 messages, 576 bytes sent and received in ");
        }
    }

    @Test
    @DisplayName("a number alone is the port for the server too: EchoServer 0 listens on 127.0.0.1 (as a host, 0 would be 0.0.0.0)")
    void serverTakesANumberAloneAsThePort() throws Exception {
        try (ChildServer server = ChildServer.startWithArguments("0", "--quiet")) {
            assertThat(server.output()).startsWith("Listening on 127.0.0.1:" + server.port() + "\n");
            assertThat(server.port()).isNotEqualTo(Arguments.DEFAULT_PORT);
        }
    }

    @Test
    @DisplayName("a port that is taken: one line that says so and how to pick another, exit status 1")
    void portInUseSaysSoInOneLine() throws Exception {
        try (ServerSocketChannel other = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int taken = ((InetSocketAddress) other.getLocalAddress()).getPort();

            Ended server = run(EchoServer.class, "127.0.0.1", String.valueOf(taken));

            assertThat(server.status).isEqualTo(1);
            assertThat(server.errors).isEqualTo("Port " + taken + " on 127.0.0.1 is already in use: pick another port,"
                    + " e.g. \"-Dexec.args=127.0.0.1 " + (taken + 1) + "\"" + System.lineSeparator());
            assertThat(server.output).isEmpty();
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
    @DisplayName("the multi-connection client with no server: one line that asks whether the server runs, exit status 1")
    void clientWithNoServerSaysSoInOneLine() throws Exception {
        // A socket bound but not listening keeps the port ours, and refuses every connection to it.
        try (SocketChannel placeholder = SocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = ((InetSocketAddress) placeholder.getLocalAddress()).getPort();

            Ended client = run(MultiConnectionClient.class, "127.0.0.1", String.valueOf(port));

            assertThat(client.status).isEqualTo(1);
            assertThat(client.errors).isEqualTo("Could not talk to 127.0.0.1:" + port + ": Connection refused"
                    + " (is the server running, on that port?)" + System.lineSeparator());
            assertThat(client.output).isEmpty();
        }
    }

    /** The program run to its end in a JVM of its own, from a folder of its own: its exit status, standard output and standard error. */
    private Ended run(Class<?> program, String... args) throws IOException, InterruptedException, URISyntaxException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", mainClasses(), program.getName()));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(folder, "out", ".txt");
        Path errors = Files.createTempFile(folder, "err", ".txt");
        Process process = new ProcessBuilder(command).directory(folder.toFile())
                .redirectOutput(output.toFile()).redirectError(errors.toFile()).start();
        process.getOutputStream().close();
        boolean ended = process.waitFor(30, SECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor(10, SECONDS);
        }
        assertThat(ended).as("%s %s ended within 30 s", program.getSimpleName(), String.join(" ", args)).isTrue();
        return new Ended(process.exitValue(), Files.readString(output, StandardCharsets.US_ASCII),
                Files.readString(errors, StandardCharsets.US_ASCII));
    }

    private record Ended(int status, String output, String errors) {
    }

    private static String mainClasses() throws URISyntaxException {
        return Path.of(EchoServer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
