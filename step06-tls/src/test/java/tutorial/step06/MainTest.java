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

    private static final String KEY_STORE = TestCertificate.localhost().keyStore.toString();

    @Test
    void printsWhereItListensAndServesTheBuiltInSite() throws Exception {
        Process server = start("--port", "0", "--keystore", KEY_STORE, "--storepass", TestCertificate.PASSWORD);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.US_ASCII))) {
            assertThat(out.readLine()).startsWith("Serving files from ").endsWith("site");
            Matcher listening = Pattern.compile("Listening on https://127\\.0\\.0\\.1:(\\d+)/").matcher(out.readLine());
            assertThat(listening.matches()).isTrue();
            assertThat(out.readLine()).matches("Limits: \\d+ connections, 10 s idle timeout, 20 s for a request head,"
                    + " \\d+ MiB of buffers");

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

    @ParameterizedTest
    @ValueSource(strings = {"--port nope", "--port 70000", "--port", "--verbose yes", "8080",
        "--idle-timeout 0", "--head-timeout x", "--head-timeout 100000", "--max-connections 0", "--quiet --log x.log",
        "--log /no/such/folder/x.log", "--host no-such-host.invalid", "--storepass"})
    void aBadArgumentPrintsUsageAndExitsWith2(String arguments) throws Exception {
        // With a key store, so that each is refused for what it is, not for the missing certificate.
        List<String> all = new ArrayList<>(List.of("--keystore", KEY_STORE, "--storepass", TestCertificate.PASSWORD));
        all.addAll(List.of(arguments.split(" ")));
        Process process = start(all.toArray(String[]::new));

        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String error = new String(process.getErrorStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(error).startsWith("usage: HttpServer [--host HOST] [--port PORT] [--root DIR]").hasLineCount(1)
                .doesNotContain("HTTPS needs a certificate");
    }

    @Test
    void httpGetPrintsTheWholeResponse() throws Exception {
        try (RunningServer running = new RunningServer(RunningServer.builtInSite())) {
            // The server's key store as the client's trust store: its certificate is all the JDK needs.
            Process client = run(List.of("-Djavax.net.ssl.trustStore=" + KEY_STORE,
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
        // The classes from where this test's classes came: the same from the step's folder and the
        // repository's top folder, where an IDE may run the test.
        String classes = JavaProcess.classesOf(main).toString();
        List<String> command = new ArrayList<>(List.of(java.toString(), JavaProcess.QUICK_START));
        command.addAll(options);
        command.addAll(List.of("-cp", classes, main.getName()));
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command).start();
    }
}
