package tutorial.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The checker as a learner runs it: its output, line by line, and its exit status. */
@ExtendWith(ReferenceServers.class)
class CommandLineTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @ParameterizedTest
    @ValueSource(strings = {"", "--step", "--step 7", "--step x", "--exercise 09.9", "--only no-such-check",
        "--step 04 --clients 0", "--step 04 --timeout -1", "--list 127.0.0.1:5000", "--step 04 --exercise 05.1",
        "--step 04 localhost", "--step 04 no-such-host.invalid:5000", "--step 04 --verbose 1",
        "--step 05 --only echo-round-trip", "--step 04 127.0.0.1:1 127.0.0.1:2", "--step 06", "--step 06 --cacert",
        "--step 06 --cacert no-such-file.pem", "--step 06 --cacert pom.xml", "--step 05 --cacert pom.xml",
        "--exercise 05.1 --cacert pom.xml", "--list --cacert pom.xml", "--step 05 --only plain-http-to-the-tls-port-is-refused"})
    void aBadArgumentPrintsOneLineOfUsageAndExitsWith2(String arguments) {
        int status = run(arguments.isEmpty() ? new String[0] : arguments.split(" "));

        assertThat(status).isEqualTo(2);
        assertThat(errorLines()).singleElement().asString().startsWith("usage: Checker --step NN [--only NAME]");
        assertThat(outputLines()).isEmpty();
    }

    @Test
    void step06WithoutACertificateSaysHowToExportItWithTheCommandOfStep06sReadme() throws IOException {
        int status = run("--step", "06", "127.0.0.1:8443");

        assertThat(status).isEqualTo(2);
        assertThat(errorLines()).singleElement().asString()
                .endsWith("(--step 06 checks a TLS server: give the certificate it presents, a PEM file, with --cacert FILE;"
                        + " from step 06's key store: " + TlsConnector.KEYTOOL_EXPORT + ")");
        assertThat(Files.readString(ReferenceServers.repositoryRoot().resolve("step06-tls/README.md"), StandardCharsets.UTF_8))
                .as("step 06's README gives the same command").contains("\n" + TlsConnector.KEYTOOL_EXPORT + "\n");
    }

    @Test
    void aBadCertificateFileIsOneLineOfUsage() {
        int status = run("--step", "06", "--cacert", "pom.xml", "127.0.0.1:8443");

        assertThat(status).isEqualTo(2);
        assertThat(errorLines()).singleElement().asString().contains("(--cacert pom.xml: not a certificate in PEM (");
    }

    @Test
    void step06IsCheckedOverTlsTrustingTheCertificateGiven(ReferenceServers.Servers servers) {
        int port = servers.port(6);

        int status = run("--step", "06", "--cacert", servers.pem().toString(), "--only", "server-sends-close-notify-before-its-fin",
                "127.0.0.1:" + port);

        assertThat(status).isZero();
        assertThat(outputLines()).hasSize(3);
        assertThat(outputLines().get(0)).isEqualTo("Checking 127.0.0.1:" + port + " as a step 06 server, over TLS 1.3, trusting"
                + " localhost.pem (CN=localhost): server-sends-close-notify-before-its-fin (taught in step 06)");
        assertThat(outputLines().get(1)).matches("PASS  server-sends-close-notify-before-its-fin  GET / with Connection: close"
                + " got 200 OK, \\d+ body bytes: the server's close_notify came in \\d+ ms, then its FIN");
    }

    @Test
    void aPlainServerCheckedAsStep06FailsItsHandshakeAndShowsWhatItAnswered(ReferenceServers.Servers servers) {
        int port = servers.port(5);

        int status = run("--step", "06", "--cacert", servers.pem().toString(), "--only", "keep-alive-serves-a-second-request",
                "127.0.0.1:" + port);

        assertThat(status).isEqualTo(1);
        assertThat(outputLines().get(1)).startsWith("FAIL  keep-alive-serves-a-second-request  client could not connect:"
                + " TLS handshake failed: ").endsWith("(the server did not answer in TLS: does it speak TLS on this port?)");
        assertThat(outputLines().get(2)).isEqualTo("      learn: " + TlsConnector.HANDSHAKE_DOCS);
        assertThat(String.join("\n", outputLines())).as("step 05's plain-text answer to the ClientHello")
                .contains("client received 5 bytes: \"HTTP/\"");
    }

    @Test
    void nothingListeningIsOneLineAndExitStatus1() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort(); // free now, and closed below: nothing listens there
        }

        int status = run("--step", "04", "127.0.0.1:" + port);

        assertThat(status).isEqualTo(1);
        assertThat(errorLines()).containsExactly("nothing listens on 127.0.0.1:" + port + ": start your server first");
        assertThat(outputLines()).isEmpty();
    }

    @Test
    void listShowsEveryCheckWithItsStepAndEveryExercise() {
        assertThat(run("--list")).isZero();

        String listing = out.toString(StandardCharsets.US_ASCII);
        for (Check check : Catalog.checks()) {
            assertThat(listing).containsPattern("(?m)^" + Options.twoDigits(check.step()) + "  " + check.name() + " +" );
        }
        for (Exercise exercise : Catalog.exercises()) {
            assertThat(listing).containsPattern("(?m)^" + exercise.id().replace(".", "\\.") + "  ");
        }
    }

    @Test
    void theChapterShowsTheListAsTheCheckerPrintsIt() throws IOException {
        run("--list");

        String chapter = Files.readString(ReferenceServers.repositoryRoot().resolve("docs/check-your-server.md"),
                StandardCharsets.UTF_8);
        assertThat(outputLines()).allSatisfy(line -> assertThat(chapter).contains(line + "\n"));
    }

    @Test
    void aPassingStepExitsWith0AndSaysWhichChecksOfTheNextStepPassAlready() throws IOException {
        try (ThreadPerConnectionServer server = new ThreadPerConnectionServer(ThreadPerConnectionServer.echo())) {
            int status = run("--step", "02", "127.0.0.1:" + server.port());

            assertThat(status).isZero();
            List<String> lines = outputLines();
            assertThat(lines.get(0)).isEqualTo("Checking 127.0.0.1:" + server.port()
                    + " as a step 02 server: 3 checks of steps 01-02, then the 2 of step 03");
            assertThat(lines).filteredOn(line -> line.startsWith("PASS  ")).hasSize(5);
            assertThat(lines.get(lines.size() - 1)).isEqualTo("Summary: PASS: all 3 checks of steps 01-02 pass. Step 03:"
                    + " 2 of 2 pass already: second-client-is-served-while-first-stays, many-clients-at-once.");
        }
    }

    @Test
    void aFailShowsWhereToLearnTheFixAndTheLastExchangeThenExitStatus1(ReferenceServers.Servers servers) {
        int port = servers.port(2); // step 02: one client at a time

        int status = run("--step", "03", "--only", "second-client-is-served-while-first-stays", "--timeout", "1",
                "127.0.0.1:" + port);

        assertThat(status).isEqualTo(1);
        assertThat(outputLines()).containsExactly(
                "Checking 127.0.0.1:" + port + " as a step 03 server: second-client-is-served-while-first-stays (taught in step 03)",
                "FAIL  second-client-is-served-while-first-stays  A was served and stayed connected; B got 0 of 25 bytes back,"
                        + " then nothing for 1.0 s",
                "      learn: docs/03-selector.md#the-event-loop",
                "      wire:  B sent 25 bytes: \"I am B, the second client\"",
                "             B received nothing for 1.0 s",
                "Summary: FAIL: second-client-is-served-while-first-stays.");
    }

    @Test
    void makeSiteWritesTheFilesTheHttpChecksNeed(@TempDir Path folder) throws IOException {
        assertThat(run("--make-site", folder.toString())).isZero();

        assertThat(folder.resolve("site/index.html")).isRegularFile();
        assertThat(folder.resolve("site/docs/index.html")).isRegularFile();
        assertThat(Files.size(folder.resolve("site/large.bin"))).isEqualTo(Site.LARGE_FILE_BYTES);
        assertThat(Files.readString(folder.resolve("secret.txt"))).contains(Site.SECRET);
        byte[] large = Files.readAllBytes(folder.resolve("site/large.bin"));
        assertThat(large[(int) Site.LARGE_FILE_BYTES - 1]).isEqualTo(BytePattern.at(Site.LARGE_FILE_BYTES - 1));
    }

    @Test
    void mainEndsTheJvmWithTheExitStatus() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", Path.of("target", "classes").toString(), Checker.class.getName(), "--step", "42"));
        Process process = new ProcessBuilder(command).start();

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(new String(process.getErrorStream().readAllBytes(), StandardCharsets.US_ASCII))
                .startsWith("usage: Checker --step NN").contains("(no step 42 (steps 01 to 06))").hasLineCount(1);
    }

    private int run(String... args) {
        return Checker.run(args, new PrintStream(out, true, StandardCharsets.US_ASCII), new PrintStream(err, true, StandardCharsets.US_ASCII));
    }

    private List<String> outputLines() {
        return out.toString(StandardCharsets.US_ASCII).lines().toList();
    }

    private List<String> errorLines() {
        return err.toString(StandardCharsets.US_ASCII).lines().toList();
    }
}
