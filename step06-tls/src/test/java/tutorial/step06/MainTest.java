package tutorial.step06;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The program as a learner starts it: a JVM of its own, its output, its exit status. */
class MainTest {

    @Test
    void printsWhereItListensAndServesTheBuiltInSite() throws Exception {
        TestCertificate certificate = TestCertificate.localhost();
        Process server = start("--port", "0", "--keystore", certificate.keyStore.toString(),
                "--storepass", TestCertificate.PASSWORD);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.US_ASCII))) {
            assertThat(out.readLine()).startsWith("Serving files from ").endsWith("site");
            Matcher listening = Pattern.compile("Listening on https://127\\.0\\.0\\.1:(\\d+)/").matcher(out.readLine());
            assertThat(listening.matches()).isTrue();

            try (RawClient client = new RawClient(Integer.parseInt(listening.group(1)))) {
                client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(client.readResponse().bodyText()).contains("<h1>It works.</h1>");
            }
            assertThat(out.readLine()).startsWith("Got connection from /127.0.0.1:");
            String line = out.readLine();
            if (line.startsWith("TLS handshake work")) {
                line = out.readLine(); // a cold JVM may take long enough over the first handshake to say so
            }
            assertThat(line).matches("/127\\.0\\.0\\.1:\\d+ \"GET / HTTP/1\\.1\" 200 \\d+");
        } finally {
            server.destroy();
            server.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void withoutAKeyStoreItSaysHowToMakeOneAndExitsWith2() throws Exception {
        Process process = start();

        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String error = new String(process.getErrorStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(error).startsWith("usage: HttpServer ").hasLineCount(1)
                .contains("--keystore FILE --storepass PASS", "make a key store with: keytool -genkeypair ",
                        "-ext san=dns:localhost,ip:127.0.0.1", "-storetype PKCS12");
    }

    @Test
    void aWrongStorePasswordIsAUsageErrorToo() throws Exception {
        Process process = start("--keystore", TestCertificate.localhost().keyStore.toString(), "--storepass", "wrong");

        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String error = new String(process.getErrorStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(error).startsWith("usage: HttpServer ").contains("cannot use key store ").hasLineCount(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--port nope", "--port 70000", "--port", "--verbose yes", "8080", "--root /no/such/folder", "--idle-timeout 0", "--host no-such-host.invalid",
        "--keystore /no/such/file.p12 --storepass changeit", "--keystore pom.xml --storepass changeit", "--keystore pom.xml"})
    void aBadArgumentPrintsUsageAndExitsWith2(String arguments) throws Exception {
        Process process = start(arguments.split(" "));

        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String error = new String(process.getErrorStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(error).startsWith("usage: HttpServer [--host HOST] [--port PORT] [--root DIR]").hasLineCount(1);
    }

    @Test
    void httpGetPrintsTheWholeResponse() throws Exception {
        try (RunningServer running = new RunningServer(RunningServer.builtInSite())) {
            // The server's key store as the client's trust store: its certificate is all the JDK needs.
            Process client = run(List.of("-Djavax.net.ssl.trustStore=" + TestCertificate.localhost().keyStore,
                    "-Djavax.net.ssl.trustStorePassword=" + TestCertificate.PASSWORD),
                    HttpGet.class, "localhost", Integer.toString(running.server().port()), "/about.html");

            String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);

            assertThat(client.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).isZero();
            assertThat(output).startsWith("HTTP/1.1 200 OK\r\n").contains("Connection: close\r\n", "<h1>About this server</h1>");
        }
    }

    private static Process start(String... arguments) throws IOException {
        return run(List.of(), HttpServer.class, arguments);
    }

    private static Process run(List<String> options, Class<?> main, String... arguments) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String classes = Path.of("target", "classes").toAbsolutePath().toString();
        List<String> command = new ArrayList<>(List.of(java.toString()));
        command.addAll(options);
        command.addAll(List.of("-cp", classes, main.getName()));
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command).start();
    }
}
