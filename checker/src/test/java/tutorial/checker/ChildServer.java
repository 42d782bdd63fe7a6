package tutorial.checker;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of the tutorial's servers, run as a learner runs it: a JVM of its own started through the
 * step's documented command line (port 0), its port read from its "Listening on ..." line. The
 * command line is the contract; constructors may change. Its output goes to a file, so that a
 * server that logs every connection never blocks on a full pipe.
 */
final class ChildServer implements AutoCloseable {

    private final Process process;
    private final Path output;
    private final Path errors;
    private final Pattern listening;
    private int port;

    private ChildServer(Process process, Path output, Path errors, Pattern listening) {
        this.process = process;
        this.output = output;
        this.errors = errors;
        this.listening = listening;
    }

    /** Starts {@code java -cp classes mainClass args...}; call {@link #awaitPort()} before using it. */
    static ChildServer start(Path classes, String mainClass, Pattern listening, Path logs, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classes.toString(), mainClass));
        command.addAll(args);
        Path output = Files.createTempFile(logs, "stdout", ".txt");
        Path errors = Files.createTempFile(logs, "stderr", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(output.toFile()).redirectError(errors.toFile()).start();
        return new ChildServer(process, output, errors, listening);
    }

    /** Waits (at most 30 s: a JVM starts slowly on a loaded machine) for the server's "Listening on" line. */
    ChildServer awaitPort() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server stopped: " + Files.readString(errors, StandardCharsets.UTF_8));
            }
            for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
                Matcher matcher = listening.matcher(line);
                if (matcher.matches()) {
                    port = Integer.parseInt(matcher.group(1));
                    return true;
                }
            }
            return false;
        });
        return this;
    }

    int port() {
        return port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
