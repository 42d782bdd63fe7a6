package tutorial.step05;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One of this step's programs run in a child JVM, as a learner runs it, with its output going to
 * files that the test reads. Its classes are found from the test's own (never from the working
 * directory), so it runs the same from the step's folder and from the repository's top folder.
 */
final class JavaProcess implements AutoCloseable {

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private JavaProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code java -cp CLASSES mainClass args...} with this step's compiled classes. */
    static JavaProcess start(Path folder, Class<?> mainClass, String... args) throws IOException {
        return start(folder, classesOf(mainClass), null, mainClass, args);
    }

    /** Starts it with {@code classes} as the class path, in {@code workingDirectory} (null: this process's). */
    static JavaProcess start(Path folder, Path classes, Path workingDirectory, Class<?> mainClass, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(classes.toString());
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile(folder, "stdout", ".txt");
        Path stderr = Files.createTempFile(folder, "stderr", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        if (workingDirectory != null) {
            builder.directory(workingDirectory.toFile());
        }
        return new JavaProcess(builder.start(), stdout, stderr);
    }

    List<String> outputLines() throws IOException {
        return Files.readAllLines(stdout, StandardCharsets.US_ASCII);
    }

    String errorOutput() throws IOException {
        return Files.readString(stderr, StandardCharsets.US_ASCII);
    }

    /** Waits (at most 30 s) for the program to end and returns its exit status. */
    int exitStatus() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the program did not end within 30 s");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The folder (target/classes) this step's main classes were loaded from. */
    static Path classesOf(Class<?> mainClass) {
        try {
            return Path.of(mainClass.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
