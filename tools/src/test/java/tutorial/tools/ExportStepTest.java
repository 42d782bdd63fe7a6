package tutorial.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static tutorial.tools.Programs.compiles;
import static tutorial.tools.Programs.oneLine;
import static tutorial.tools.Programs.stepFolder;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tutorial.tools.Programs.Run;

/**
 * {@code java tools/ExportStep.java} as a teacher runs it: every step exported to a folder of its
 * own and built OFFLINE by Maven, against the local repository this build has just filled (this
 * module is built first, with the same plugins and test libraries as the steps). The copies have
 * nothing from the repository but what the export put there, so a pom that needs a parent, a test
 * that needs a file of the repository, or a README link that points back fails here. Steps 01-04
 * are also exported as starter kits, whose code is compiled ({@link StarterGradingTest} runs the
 * checker that step 03's kit carries).
 *
 * <p>To stay quick (the whole suite has about three minutes), all the copies are built in one
 * Maven run, every copy is compiled with its tests, and one test class per step runs:
 * {@link #SMOKE_TESTS}.
 */
class ExportStepTest {

    /**
     * The tests that run in each exported step (Surefire's -Dtest syntax, without the package):
     * cheap, few sockets, and they start the step's server. A new step adds a row.
     */
    private static final Map<String, String> SMOKE_TESTS = Map.of(
            "01", "EchoTest",
            "02", "EchoTest",
            "03", "EchoServerTest",
            "04", "EchoServerTest#echoRoundTrip+secondClientIsServedWhileFirstIsConnected",
            "05", "MainTest",
            "06", "HttpClientTest");

    /** The steps whose limitation tests carry @Tag("fixed-in-stepNN"), so that their starter kit can leave them out. */
    private static final List<String> TAGGED = List.of("01", "02", "03", "04");

    private static final Pattern HTML_ANCHOR = Pattern.compile("<a (?:id|name)=\"([^\"]+)\"");

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern INCLUDE = Pattern.compile("<!-- include: (\\S+?)(?:#\\S+)? -->");

    private static Path repository;
    private static Path exportStepClasses;

    @TempDir
    static Path work;

    @BeforeAll
    static void findRepository() throws IOException {
        repository = Programs.repository();
        // `java tools/ExportStep.java` compiles the program at every run (a second or two): the
        // tests that are not about that command itself run it compiled once.
        exportStepClasses = Files.createDirectory(work.resolve("export-step-classes"));
        compiles(exportStepClasses, repository.resolve("tools/ExportStep.java"));
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @DisplayName("every step, exported, builds and passes its smoke test offline, and nothing in it points back into the repository")
    void everyStepExportsAndBuildsOnItsOwn() throws Exception {
        Path exports = Files.createDirectory(work.resolve("exports"));
        List<String> modules = new ArrayList<>();
        for (String number : stepNumbers(repository)) {
            Path project = exports.resolve("step" + number);
            // The first one exactly as a teacher types it; the others compiled once, for speed.
            Run export = number.equals("01") ? java(repository, "tools/ExportStep.java", number, project.toString())
                    : exportStep(repository, number, project.toString());
            assertThat(export.status()).as(export.output()).isZero();
            assertThat(export.output()).startsWith("Exported step " + number);
            assertNothingPointsBack(project);
            assertThat(project.resolve("LICENSE")).hasSameTextualContentAs(repository.resolve("LICENSE"));
            assertThat(project.resolve("mvnw.cmd")).exists();
            if (Integer.parseInt(number) <= Programs.checkerLastStep(repository)) {
                assertThat(project.resolve("README.md")).content().as("the README of exported step %s", number)
                        .contains("./mvnw -q -f checker compile exec:java \"-Dexec.args=--step " + number + " ");
                assertThat(project.resolve("checker/pom.xml")).exists();
                if (number.equals("06")) {
                    // A TLS server's certificate is the student's own: the checker must be told to trust it.
                    assertThat(project.resolve("README.md")).content().as("how to check step 06").contains("--cacert");
                }
            } else {
                assertThat(project.resolve("checker")).as("the checker, which cannot grade step %s", number).doesNotExist();
            }
            if (File.separatorChar == '/') {
                assertThat(Files.isExecutable(project.resolve("mvnw"))).as("mvnw is executable").isTrue();
            }
            modules.add("step" + number);
        }

        buildOffline(exports, modules);

        for (String number : stepNumbers(repository)) {
            assertThat(testsRun(exports.resolve("step" + number)))
                    .as("tests run in exported step %s (are %s still there? see SMOKE_TESTS)", number, SMOKE_TESTS.get(number))
                    .isPositive();
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("steps 01-04 as starter kits: their limitation tests left out, the assignment and the checker in, and the code compiles")
    void startersLeaveOutTheLimitationAndCompile() throws Exception {
        Path starters = Files.createDirectory(work.resolve("starters"));
        List<Path> sources = new ArrayList<>();
        for (String number : TAGGED) {
            String next = String.format("%02d", Integer.parseInt(number) + 1);
            Path step = stepFolder(repository, number);
            Path kit = starters.resolve("starter" + number);
            assertThat(grep(step.resolve("src/test"), "@Tag(\"fixed-in-step" + next + "\")"))
                    .as("step %s has tests tagged fixed-in-step%s to leave out", number, next).isNotEmpty();

            Run export = exportStep(repository, number, kit.toString(), "--starter");

            assertThat(export.status()).as(export.output()).isZero();
            assertThat(export.output()).contains("left out").contains("as the starter kit of step " + next);
            assertThat(grep(kit.resolve("src/test"), "fixed-in-step" + next)).as("limitation tests left in").isEmpty();
            assertThat(grep(kit.resolve("src/test"), "@Test")).as("the other tests came along").isNotEmpty();
            assertThat(kit.resolve("ASSIGNMENT.md")).content()
                    .contains("# Assignment: from step " + number + " to step " + next)
                    .contains("## What you'll build")
                    .contains("./mvnw -q -f checker compile exec:java \"-Dexec.args=--step " + next + " 127.0.0.1:5000\"")
                    .contains("As handed out, step " + number + " ");
            assertThat(kit.resolve("README.md")).content().startsWith("> **Starter kit:**");
            assertThat(kit.resolve("checker/pom.xml")).content()
                    .contains("<artifactId>checker</artifactId>").doesNotContain("<scope>test</scope>");
            assertThat(kit.resolve("checker/src/test")).doesNotExist();
            assertNothingPointsBack(kit);
            sources.add(kit.resolve("src/main/java"));
            sources.add(kit.resolve("src/test/java"));
        }
        // What each kit's assignment says the checker finds before the work is done, as the
        // checker's table has it (the grading test below runs the checker to see it for step 03).
        assertThat(oneLine(starters.resolve("starter01/ASSIGNMENT.md")))
                .contains("step 01 already passes every check that step 02 teaches");
        assertThat(oneLine(starters.resolve("starter02/ASSIGNMENT.md"))).contains("step 02 fails both checks that step 03 teaches");
        assertThat(oneLine(starters.resolve("starter04/ASSIGNMENT.md")))
                .contains("--make-site target/checker-site").contains("step 04 fails all 15 checks that step 05 teaches");
        // The pom is the exported step's, built offline by the other test; what differs here is
        // the code: test classes with methods taken out, and the checker's main code. One javac
        // run for all (each step has its own package; the checkers are the same copy).
        sources.add(starters.resolve("starter03/checker/src/main/java"));
        compiles(Files.createDirectory(work.resolve("starter-classes")), sources.toArray(Path[]::new));
    }

    @Test
    @DisplayName("05 --starter: step 05 handed out as the start of TLS, with the certificate's commands, the port and --cacert")
    void starterOfTheStepBeforeTlsSaysHowTheCertificateIsMadeAndTrusted() throws Exception {
        Path kit = work.resolve("starter05");

        Run export = exportStep(repository, "05", kit.toString(), "--starter");

        assertThat(export.status()).as(export.output()).isZero();
        assertThat(export.output()).contains("as the starter kit of step 06").contains("left out TlsClientTest.");
        assertThat(grep(kit.resolve("src/test"), "fixed-in-step06")).as("limitation tests left in").isEmpty();
        // The keytool lines come from step 06's README; the server keeps step 05's port (8080),
        // not step 06's (8443), so the start command names it where the checker looks.
        assertThat(kit.resolve("ASSIGNMENT.md")).content()
                .contains("# Assignment: from step 05 to step 06")
                .contains("keytool -genkeypair ").contains("keytool -exportcert ")
                .contains("\"-Dexec.args=--root target/checker-site/site --port 8080 --keystore localhost.p12 --storepass changeit\"")
                .contains("\"-Dexec.args=--step 06 --cacert localhost.pem 127.0.0.1:8080\"");
        assertNothingPointsBack(kit);
    }

    @Test
    @DisplayName("a folder that exists and is not empty is refused in one line, and nothing is written")
    void refusesAFolderThatIsNotEmpty() throws Exception {
        Path taken = Files.createDirectories(work.resolve("taken"));
        Files.writeString(taken.resolve("homework.txt"), "mine");

        Run export = java(repository, "tools/ExportStep.java", "01", taken.toString());

        assertThat(export.status()).isEqualTo(2);
        assertThat(export.output()).isEqualTo("ExportStep: " + taken + " exists and is not empty;"
                + " choose a new or empty folder (nothing was written)" + System.lineSeparator());
        try (Stream<Path> files = Files.list(taken)) {
            assertThat(files).containsExactly(taken.resolve("homework.txt"));
        }
    }

    @Test
    @DisplayName("--starter without the checker module says so in one line and writes nothing")
    void starterWithoutCheckerSaysSo() throws Exception {
        Path copy = copyOfRepository(work.resolve("no-checker"));
        Path kit = work.resolve("kit");

        Run export = java(copy, "tools/ExportStep.java", "03", kit.toString(), "--starter");

        assertThat(export.status()).isEqualTo(1);
        assertThat(export.output()).hasLineCount(1).startsWith("ExportStep: --starter needs the checker");
        assertThat(kit).doesNotExist();
    }

    // ---- what an exported project must not have -------------------------------------------------

    /** No -pl, no link or include that leaves the project, no file that only the repository has. */
    private static void assertNothingPointsBack(Path project) throws IOException {
        List<String> problems = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(project)) {
            for (Path file : walk.filter(Files::isRegularFile).filter(ExportStepTest::isText).toList()) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i);
                    String where = project.relativize(file) + ":" + (i + 1) + ": ";
                    for (String repositoryOnly : List.of(" -pl ", "../docs", "CONTRIBUTING.md", "docs/tools", "tools/ExportStep",
                            "tools/CheckVersions", ".ci/run", "bench/run")) {
                        if (line.contains(repositoryOnly)) {
                            problems.add(where + "mentions " + repositoryOnly.strip() + ": " + line.strip());
                        }
                    }
                    if (file.toString().endsWith(".md")) {
                        Matcher link = LINK.matcher(line);
                        while (link.find()) {
                            checkTarget(project, file, link.group(1), where, problems);
                        }
                        Matcher include = INCLUDE.matcher(line);
                        if (include.find() && !Files.isRegularFile(project.resolve(include.group(1)))) {
                            problems.add(where + "includes a file the project does not have: " + include.group(1));
                        }
                    }
                }
            }
        }
        assertThat(problems).as("lines of %s that point back into the repository", project.getFileName()).isEmpty();
    }

    private static void checkTarget(Path project, Path file, String target, String where, List<String> problems)
            throws IOException {
        if (target.contains("://") || target.startsWith("mailto:")) {
            return;
        }
        String name = target.replaceFirst("#.*$", "");
        Path resolved = name.isEmpty() ? file : file.getParent().resolve(name).normalize();
        if (!resolved.startsWith(project) || !Files.exists(resolved)) {
            problems.add(where + "links to " + target + ", which is not in the project");
        } else if (target.contains("#") && resolved.toString().endsWith(".md")
                && !anchors(resolved).contains(target.substring(target.indexOf('#') + 1))) {
            problems.add(where + "links to " + target + ", a heading that " + project.relativize(resolved) + " does not have");
        }
    }

    /** The anchors GitHub gives a Markdown file's headings (as docs/tools/CheckExcerpts.java makes them). */
    private static Set<String> anchors(Path md) throws IOException {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean inFence = false;
        List<String> lines = Files.readAllLines(md, StandardCharsets.UTF_8);
        for (String line : lines) {
            inFence ^= line.startsWith("```");
            if (inFence || !line.matches("#{1,6} .*")) {
                continue;
            }
            String text = line.replaceFirst("^#+ ", "").replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
            StringBuilder slug = new StringBuilder();
            text.toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
                if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                    slug.appendCodePoint(c);
                } else if (c == ' ') {
                    slug.append('-');
                }
            });
            int repeats = seen.merge(slug.toString(), 1, Integer::sum) - 1;
            anchors.add(repeats == 0 ? slug.toString() : slug + "-" + repeats);
        }
        Matcher html = HTML_ANCHOR.matcher(String.join("\n", lines));
        while (html.find()) {
            anchors.add(html.group(1));
        }
        return anchors;
    }

    private static boolean isText(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".md") || name.endsWith(".java") || name.endsWith(".xml") || name.endsWith(".sh")
                || name.endsWith(".properties");
    }

    // ---- building the copies offline ----------------------------------------------------------------

    /**
     * One Maven run over the copies, as modules of a throwaway aggregator (their poms are not
     * touched): offline (-o), on the local repository of the build that runs this test, with the
     * JDK that runs this test, every copy compiled with its tests, and only the smoke test classes run.
     */
    private static void buildOffline(Path folder, List<String> modules) throws Exception {
        Path maven = mavenLauncher();
        StringBuilder pom = new StringBuilder("<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n"
                + "  <modelVersion>4.0.0</modelVersion>\n  <groupId>export-check</groupId>\n"
                + "  <artifactId>" + folder.getFileName() + "</artifactId>\n  <version>1</version>\n"
                + "  <packaging>pom</packaging>\n  <modules>\n");
        modules.forEach(m -> pom.append("    <module>").append(m).append("</module>\n"));
        pom.append("  </modules>\n</project>\n");
        Files.writeString(folder.resolve("pom.xml"), pom.toString(), StandardCharsets.UTF_8);

        List<String> command = new ArrayList<>(List.of(maven.toString(), "-o", "-B", "-ntp", "test",
                "-Dtest=" + String.join(",", smokeTestPatterns()), "-Dsurefire.failIfNoSpecifiedTests=false"));
        String localRepository = System.getProperty("export.maven.repo.local");
        if (localRepository != null) {
            command.add("-Dmaven.repo.local=" + localRepository);
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(folder.resolve("build.log").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("MAVEN_ARGS");
        Process build = builder.start();
        boolean ended = build.waitFor(4, TimeUnit.MINUTES);
        if (!ended) {
            build.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String log = Files.readString(folder.resolve("build.log"), StandardCharsets.UTF_8);
        assertThat(ended).as("the offline build of the copies ended within 4 minutes").isTrue();
        assertThat(build.exitValue()).as("offline build of %s failed:%n%s", modules, tail(log, 60)).isZero();
    }

    private static List<String> smokeTestPatterns() {
        List<String> patterns = new ArrayList<>();
        SMOKE_TESTS.forEach((number, test) -> patterns.add("tutorial.step" + number + "." + test));
        return patterns;
    }

    /** The Maven that runs this build (Surefire passes its home), or skip with the reason. */
    private static Path mavenLauncher() {
        String home = System.getProperty("export.maven.home");
        assumeThat(home).as("the Maven home (run through Maven: ./mvnw -pl tools test)").isNotNull();
        boolean windows = System.getProperty("os.name").toLowerCase().startsWith("windows");
        Path launcher = Path.of(home, "bin", windows ? "mvn.cmd" : "mvn");
        assertThat(launcher).exists();
        return launcher;
    }

    /** How many tests ran in a copy, from its Surefire reports. */
    private static int testsRun(Path project) throws IOException {
        Path reports = project.resolve("target/surefire-reports");
        if (!Files.isDirectory(reports)) {
            return 0;
        }
        int tests = 0;
        Pattern count = Pattern.compile("<testsuite [^>]*tests=\"(\\d+)\"");
        try (Stream<Path> files = Files.list(reports)) {
            for (Path report : files.filter(p -> p.getFileName().toString().endsWith(".xml")).toList()) {
                Matcher matcher = count.matcher(Files.readString(report, StandardCharsets.UTF_8));
                if (matcher.find()) {
                    tests += Integer.parseInt(matcher.group(1));
                }
            }
        }
        return tests;
    }

    /** What ExportStep reads: the top pom, the wrapper, the license, the chapters, the steps, the tool. */
    private static Path copyOfRepository(Path into) throws IOException {
        for (String file : List.of("pom.xml", "mvnw", "mvnw.cmd", ".mvn/wrapper/maven-wrapper.properties", "LICENSE",
                ".gitattributes", ".gitignore", "tools/ExportStep.java")) {
            copy(repository.resolve(file), into.resolve(file));
        }
        try (Stream<Path> docs = Files.list(repository.resolve("docs"))) {
            for (Path chapter : docs.filter(p -> p.toString().endsWith(".md")).toList()) {
                copy(chapter, into.resolve("docs").resolve(chapter.getFileName().toString()));
            }
        }
        for (String number : stepNumbers(repository)) {
            Path step = stepFolder(repository, number);
            try (Stream<Path> walk = Files.walk(step)) {
                for (Path file : walk.filter(Files::isRegularFile).filter(p -> !step.relativize(p).startsWith("target")).toList()) {
                    copy(file, into.resolve(step.getFileName().toString()).resolve(step.relativize(file).toString()));
                }
            }
        }
        return into;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
    }

    // ---- small helpers ---------------------------------------------------------------------------------

    private static List<String> stepNumbers(Path repository) throws IOException {
        try (Stream<Path> list = Files.list(repository)) {
            return list.map(p -> p.getFileName().toString()).filter(n -> n.matches("step\\d\\d-.+"))
                    .filter(n -> Files.isRegularFile(repository.resolve(n).resolve("pom.xml")))
                    .map(n -> n.substring(4, 6)).sorted().toList();
        }
    }

    /** The files under a folder that contain a string. */
    private static List<Path> grep(Path folder, String text) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            List<Path> found = new ArrayList<>();
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                if (Files.readString(file, StandardCharsets.UTF_8).contains(text)) {
                    found.add(file);
                }
            }
            return found;
        }
    }

    /** ExportStep compiled once, run in a folder: {@code java -cp CLASSES ExportStep ARGS...}. */
    private static Run exportStep(Path folder, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("-cp", exportStepClasses.toString(), "ExportStep"));
        command.addAll(List.of(args));
        return java(folder, command.toArray(String[]::new));
    }

    /** {@code java ARGS...} in a folder, as a user types it; stdout and stderr together. */
    private static Run java(Path folder, String... args) throws Exception {
        return Programs.java(folder, work, args);
    }

    private static String tail(String log, int lines) {
        List<String> all = log.lines().toList();
        return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
