package tutorial.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static tutorial.tools.Programs.compiles;
import static tutorial.tools.Programs.oneLine;
import static tutorial.tools.Programs.stepFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tutorial.tools.Programs.Run;

/**
 * A starter kit graded as its assignment says, by the checker it carries: step 03 handed out as
 * the start of step 04. The kit's server, as handed out, passes the checks of steps 01-03 and fails
 * the two of step 04 that its ASSIGNMENT.md names; a server that does what step 04 asks (step 04's
 * own code, standing in for the student's finished work) passes them all. So the kit's checker
 * really grades, and the assignment says what it will find.
 *
 * <p>The kit's code and its checker are compiled with javac (the sources that {@code ./mvnw} builds
 * there; {@link ExportStepTest} builds the exported poms with Maven). The checker runs once per
 * server, as a student runs it after {@code compile}: {@code Checker --step 04 127.0.0.1:PORT}.
 * About 15 s: the checks of step 04 fill socket buffers with 32 MiB and wait for 1.5 s stalls.
 */
class StarterGradingTest {

    /** What step 03's server fails of step 04's checks: chapter 03's limitation, seen from outside. */
    private static final List<String> STEP03_FAILS_OF_STEP04 = List.of("slow-reader-gets-every-byte", "half-close-gets-the-whole-echo");

    private static final Pattern LISTENING = Pattern.compile("Listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern RESULT = Pattern.compile("(?m)^(PASS|FAIL)  (\\S+)");

    @TempDir
    Path work;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("step 03's starter kit graded by its own checker, as ASSIGNMENT.md says: steps 01-03's checks pass,"
            + " step 04's two fail (exit status 1); against a step 04 server, the work done, all pass (exit status 0)")
    void starterKitIsGradedByTheCheckerItCarries() throws Exception {
        Path repository = Programs.repository();
        Path kit = work.resolve("starter03");
        Run export = Programs.java(repository, work, "tools/ExportStep.java", "03", kit.toString(), "--starter");
        assertThat(export.status()).as(export.output()).isZero();
        assertThat(oneLine(kit.resolve("ASSIGNMENT.md")))
                .contains("./mvnw -q -f checker compile exec:java \"-Dexec.args=--step 04 127.0.0.1:5000\"")
                .contains("step 03 fails 2 of the 3 checks that step 04 teaches ("
                        + STEP03_FAILS_OF_STEP04.stream().map(name -> "`" + name + "`").collect(Collectors.joining(", ")) + ")");

        Path server = Files.createDirectory(work.resolve("starter03-classes"));
        Path checker = Files.createDirectory(work.resolve("checker-classes"));
        Path done = Files.createDirectory(work.resolve("step04-classes"));
        compiles(server, kit.resolve("src/main/java"));
        compiles(checker, kit.resolve("checker/src/main/java"));
        compiles(done, stepFolder(repository, "04").resolve("src/main/java"));

        // The kit as handed out: the checks of steps 01-03 pass, step 04's named two fail.
        Run before = checkServer(server, "tutorial.step03.EchoServer", checker);
        assertThat(before.status()).as(before.output()).isEqualTo(1);
        Map<String, String> results = stepResults(before.output());
        assertThat(results).as(before.output()).hasSize(8);
        results.forEach((check, result) -> assertThat(result).as("%s on step 03, in:%n%s", check, before.output())
                .isEqualTo(STEP03_FAILS_OF_STEP04.contains(check) ? "FAIL" : "PASS"));

        // The work done: the same command, every check passes, exit status 0.
        Run after = checkServer(done, "tutorial.step04.EchoServer", checker, "--quiet");
        assertThat(after.status()).as(after.output()).isZero();
        assertThat(stepResults(after.output())).as(after.output()).containsOnlyKeys(results.keySet())
                .allSatisfy((check, result) -> assertThat(result).isEqualTo("PASS"));
        assertThat(after.output()).contains("Summary: PASS: all 8 checks of steps 01-04 pass.");
    }

    /**
     * A server started from {@code classes} ({@code MAIN 127.0.0.1 0 [args]}: any free port, read
     * from its first line), checked with {@code Checker --step 04 127.0.0.1:PORT} from
     * {@code checker}, as the kit's assignment says; the server is stopped afterwards.
     */
    private Run checkServer(Path classes, String main, Path checker, String... serverArgs) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classes.toString(), main, "127.0.0.1", "0"));
        command.addAll(List.of(serverArgs));
        Path log = Files.createTempFile(work, "server", ".txt");
        Process server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(30, TimeUnit.SECONDS).until(() -> LISTENING.matcher(Files.readString(log)).find() || !server.isAlive());
            Matcher listening = LISTENING.matcher(Files.readString(log));
            assertThat(listening.find()).as("%s started; it printed: %s", main, Files.readString(log)).isTrue();
            return Programs.java(work, work, "-cp", checker.toString(), "tutorial.checker.Checker", "--step", "04",
                    "127.0.0.1:" + listening.group(1));
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The checks of the step checked (those before the next step's), each with PASS or FAIL, in the order printed. */
    private static Map<String, String> stepResults(String output) {
        int next = output.indexOf(", the next step (");
        Matcher result = RESULT.matcher(next < 0 ? output : output.substring(0, next));
        Map<String, String> results = new LinkedHashMap<>();
        while (result.find()) {
            results.put(result.group(2), result.group(1));
        }
        return results;
    }
}
