package tutorial.step05;

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
        Process server = start("--port", "0");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.US_ASCII))) {
            assertThat(out.readLine()).startsWith("Serving files from ").endsWith("site");
            Matcher listening = Pattern.compile("Listening on http://127\\.0\\.0\\.1:(\\d+)/").matcher(out.readLine());
            assertThat(listening.matches()).isTrue();
            assertThat(out.readLine()).matches("Limits: \\d+ connections, 10 s idle timeout, 20 s for a request head,"
                    + " \\d+ MiB of buffers");

            try (RawClient client = new RawClient(Integer.parseInt(listening.group(1)))) {
                client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(client.readResponse().bodyText()).contains("<h1>It works.</h1>");
            }
            assertThat(out.readLine()).startsWith("Got connection from /127.0.0.1:");
            assertThat(out.readLine()).matches("/127\\.0\\.0\\.1:\\d+ \"GET / HTTP/1\\.1\" 200 \\d+");
        } finally {
            server.destroy();
            server.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--port nope", "--port 70000", "--port", "--verbose yes", "8080",
        "--idle-timeout 0", "--head-timeout x", "--head-timeout 100000", "--max-connections 0", "--quiet --log x.log",
        "--log /no/such/folder/x.log", "--host no-such-host.invalid"})
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
            Process client = run(HttpGet.class, "127.0.0.1", Integer.toString(running.server().port()), "/about.html");

            String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);

            assertThat(client.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).isZero();
            assertThat(output).startsWith("HTTP/1.1 200 OK\r\n").contains("Connection: close\r\n", "<h1>About this server</h1>");
        }
    }

    private static Process start(String... arguments) throws IOException {
        return run(HttpServer.class, arguments);
    }

    private static Process run(Class<?> main, String... arguments) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // The classes from where this test's classes came: the same from the step's folder and the
        // repository's top folder, where an IDE may run the test.
        String classes = JavaProcess.classesOf(main).toString();
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", classes, main.getName()));
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command).start();
    }
}
