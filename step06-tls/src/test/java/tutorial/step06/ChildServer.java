package tutorial.step06;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@link HttpServer} in a JVM of its own, started as a learner starts it
 * ({@code java -cp ... tutorial.step06.HttpServer --port 0 [options] --keystore ... --storepass ...},
 * with the test certificate), for what a test cannot
 * do to the JVM it runs in: give it a small heap, few descriptors, or a standard output that
 * nobody reads. Its output is kept for the test; its errors go to a file.
 */
final class ChildServer implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Listening on https://127\\.0\\.0\\.1:(\\d+)/");

    private final Process process;
    private final Path errors;
    private final StringBuffer output = new StringBuffer();
    private final Thread reader;
    private final int port;

    /** Started with {@code jvmOptions} (a heap size, say), its output read as it comes. */
    static ChildServer start(List<String> jvmOptions, String... serverArgs) throws IOException {
        return new ChildServer(List.of(), jvmOptions, List.of(serverArgs), true);
    }

    /** Started under {@code ulimit -n limit}: it may open that many descriptors at most. */
    static ChildServer startWithDescriptorLimit(int limit, String... serverArgs) throws IOException {
        assumeLimitCanBeSet(limit);
        List<String> ulimit = List.of("bash", "-c", "ulimit -n " + limit + " && exec \"$@\"", "bash");
        return new ChildServer(ulimit, List.of(), List.of(serverArgs), true);
    }

    /** Started with a standard output that nobody reads after its first line (Listening on ...). */
    static ChildServer startWithUnreadOutput(String... serverArgs) throws IOException {
        return new ChildServer(List.of(), List.of(), List.of(serverArgs), false);
    }

    private ChildServer(List<String> prefix, List<String> jvmOptions, List<String> serverArgs, boolean readAll)
            throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(JavaProcess.QUICK_START);
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", mainClasses().toString(), HttpServer.class.getName(), "--port", "0"));
        command.addAll(serverArgs);
        command.addAll(List.of("--keystore", TestCertificate.localhost().keyStore.toString(),
                "--storepass", TestCertificate.PASSWORD));
        errors = Files.createTempFile("child-server", ".err");
        process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
        process.getOutputStream().close();
        reader = new Thread(() -> readOutput(readAll), "child-server-output");
        reader.setDaemon(true);
        reader.start();
        await().atMost(20, SECONDS).until(() -> LISTENING.matcher(output).find() || !process.isAlive());
        Matcher listening = LISTENING.matcher(output);
        assertThat(listening.find()).as("the server started; it printed: %s%s", output, errors()).isTrue();
        port = Integer.parseInt(listening.group(1));
    }

    private void readOutput(boolean readAll) {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII), 1)) {
            String line;
            while ((line = lines.readLine()) != null) {
                output.append(line).append('\n');
                if (!readAll && line.startsWith("Listening on")) {
                    // Stop reading, and keep the pipe open: its 64 KiB fill up, and then each
                    // write into it blocks, as with `| less` left unscrolled.
                    process.waitFor();
                    return;
                }
            }
        } catch (IOException e) {
            // the process ended
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Path mainClasses() {
        try {
            return Path.of(HttpServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assumeLimitCanBeSet(int limit) {
        boolean canSet;
        try {
            Process probe = new ProcessBuilder("bash", "-c", "ulimit -n " + limit).start();
            canSet = probe.waitFor(10, SECONDS) && probe.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            canSet = false;
        }
        assumeTrue(canSet, "needs bash and its ulimit -n to start the server with a small descriptor limit");
    }

    int port() {
        return port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** What the server printed so far on its standard output. */
    String output() {
        return output.toString();
    }

    /** What the server printed so far on its standard error. */
    String errors() {
        try {
            return Files.readString(errors, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    /** The CPU time the server process has used so far. */
    Duration cpuTime() {
        return process.toHandle().info().totalCpuDuration().orElseThrow();
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, SECONDS)) {
                process.destroyForcibly().waitFor(10, SECONDS);
            }
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(errors);
    }
}
