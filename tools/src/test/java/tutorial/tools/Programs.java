package tutorial.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/** What the tools' tests do with programs: find the repository, compile sources, run {@code java} as a user types it. */
final class Programs {

    private Programs() {
    }

    /** The repository's top folder: Surefire runs in tools/, an IDE often in the top folder, so look upwards from either. */
    static Path repository() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("tools/ExportStep.java"))) {
                return dir;
            }
        }
        throw new AssertionError("no folder above " + Path.of("").toAbsolutePath() + " has tools/ExportStep.java");
    }

    /** A step's folder (stepNN-name) in a copy of the repository. */
    static Path stepFolder(Path repository, String number) throws IOException {
        try (Stream<Path> list = Files.list(repository)) {
            return list.filter(p -> p.getFileName().toString().startsWith("step" + number + "-")).findFirst().orElseThrow();
        }
    }

    /** The last step the checker grades, as its own code says (Catalog.LAST_STEP). */
    static int checkerLastStep(Path repository) throws IOException {
        Matcher last = Pattern.compile("LAST_STEP\\s*=\\s*(\\d+)").matcher(Files.readString(
                repository.resolve("checker/src/main/java/tutorial/checker/Catalog.java"), StandardCharsets.UTF_8));
        assertThat(last.find()).as("LAST_STEP in the checker's Catalog.java").isTrue();
        return Integer.parseInt(last.group(1));
    }

    /** javac over the given source files and folders, with this test's own class path (JUnit, AssertJ, Awaitility). */
    static void compiles(Path classes, Path... sources) throws IOException {
        List<String> arguments = new ArrayList<>(List.of("--release", "17", "-d", classes.toString(),
                "-cp", System.getProperty("java.class.path")));
        for (Path source : sources) {
            try (Stream<Path> walk = Files.walk(source)) {
                walk.filter(p -> p.toString().endsWith(".java")).forEach(p -> arguments.add(p.toString()));
            }
        }
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = ToolProvider.getSystemJavaCompiler().run(null, errors, errors, arguments.toArray(String[]::new));
        assertThat(status).as("javac %s:%n%s", List.of(sources), errors.toString(StandardCharsets.UTF_8)).isZero();
    }

    /** {@code java ARGS...} run to its end in a folder, as a user types it; stdout and stderr together, kept in {@code scratch}. */
    static Run java(Path folder, Path scratch, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(args));
        Path output = Files.createTempFile(scratch, "java", ".txt");
        Process process = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", args) + " did not end within 2 minutes");
        }
        return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    /** A file's text with every run of white space made one space, as Markdown reads a paragraph. */
    static String oneLine(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8).replaceAll("\\s+", " ");
    }

    /** How a program ended: its exit status, and what it printed. */
    record Run(int status, String output) {
    }
}
