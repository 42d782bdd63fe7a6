import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes one step of the tutorial as a project of its own, for someone who has only a JDK.
 *
 * <pre>
 *   java tools/ExportStep.java 03 ../my-course              the step, ready to build and run
 *   java tools/ExportStep.java 03 ../lab --starter          step 03 handed out as the start of step 04
 * </pre>
 *
 * <p>The project holds the step's folder (pom, sources, tests), the Maven Wrapper, the LICENSE,
 * the step's chapter in {@code docs/}, and a README whose commands and links work there: no
 * {@code -pl}, no link back into this repository. A link to a file that is not exported becomes
 * plain text, and Markdown lines between {@code <!-- repository only -->} and
 * {@code <!-- end repository only -->} are left out.
 *
 * <p>{@code --starter} leaves out the tests tagged {@code fixed-in-stepMM} (they show the
 * limitation that step MM removes, so they fail once the student succeeds), adds the "What you'll
 * build" of step MM's chapter as ASSIGNMENT.md, and copies the checker (its pom and main sources)
 * into {@code checker/}, with the command that grades the student's server against step MM's
 * behaviour and what that command says before the work is done (from the checker's table of
 * every step against every check, in docs/check-your-server.md). A step the checker cannot grade
 * (beyond its {@code LAST_STEP}) is refused as the next step of a starter kit, in one line.
 *
 * <p>JDK only, so that it runs wherever the tutorial does (Linux, macOS, Windows). Run it from the
 * repository's top folder or anywhere below it. It refuses a DIR that exists and is not empty.
 */
public class ExportStep {

    private static final String USAGE = "usage: java tools/ExportStep.java NN DIR [--starter]";
    private static final Pattern LINK = Pattern.compile("(!?)\\[([^\\]]*)\\]\\(([^)\\s]+)\\)");
    private static final Pattern INCLUDE = Pattern.compile("^<!-- include: (\\S+?)(#\\S+)? -->\\s*$");
    private static final String REPOSITORY_ONLY = "<!-- repository only -->";
    private static final String END_REPOSITORY_ONLY = "<!-- end repository only -->";
    private static final List<String> SKIPPED = List.of("target", ".idea", ".vscode", ".settings", ".classpath",
            ".project", ".DS_Store");
    private static final List<String> TEXT = List.of(".md", ".java", ".sh", ".xml", ".properties", ".txt");

    private final Path repository;
    private final Path step;
    private final String number;
    private final Path target;
    private final List<String> notes = new ArrayList<>();
    private final CheckerSteps grades; // null: this copy of the tutorial has no checker

    private ExportStep(Path repository, Path step, String number, Path target) throws IOException {
        this.repository = repository;
        this.step = step;
        this.number = number;
        this.target = target;
        this.grades = hasChecker() ? checkerSteps() : null; // before anything is written: it may refuse
    }

    public static void main(String[] args) throws IOException {
        List<String> positional = new ArrayList<>();
        boolean starter = false;
        for (String arg : args) {
            if (arg.equals("--starter")) {
                starter = true;
            } else if (arg.startsWith("-")) {
                exit(2, USAGE + " (unknown option " + arg + ")");
            } else {
                positional.add(arg);
            }
        }
        if (positional.size() != 2 || !positional.get(0).matches("\\d{1,2}")) {
            exit(2, USAGE);
        }
        String number = String.format("%02d", Integer.parseInt(positional.get(0)));
        Path repository = findRepository();
        Path step = stepFolder(repository, number);
        Path target = Path.of(positional.get(1)).toAbsolutePath().normalize();
        if (target.startsWith(repository)) {
            exit(2, "ExportStep: " + positional.get(1) + " is inside the tutorial's repository; choose a folder outside it");
        }
        if (Files.exists(target) && (!Files.isDirectory(target) || !isEmpty(target))) {
            exit(2, "ExportStep: " + positional.get(1) + " exists and is not empty; choose a new or empty folder (nothing was written)");
        }

        ExportStep export = new ExportStep(repository, step, number, target);
        if (starter) {
            export.starter();
        } else {
            export.project(null);
            System.out.println("Exported step " + number + " (" + step.getFileName() + ") to " + target
                    + ": there, ./mvnw test builds and tests it (mvnw.cmd on Windows).");
        }
        export.notes.forEach(System.out::println);
    }

    /** The step as a project: its folder, the wrapper, the license, the chapter, the README. */
    private void project(String nextNumber) throws IOException {
        Files.createDirectories(target);
        copyTree(step, target, nextNumber);
        copyFile(repository.resolve("mvnw"), target.resolve("mvnw"));
        copyFile(repository.resolve("mvnw.cmd"), target.resolve("mvnw.cmd"));
        copyFile(repository.resolve(".mvn/wrapper/maven-wrapper.properties"), target.resolve(".mvn/wrapper/maven-wrapper.properties"));
        copyFile(repository.resolve("LICENSE"), target.resolve("LICENSE"));
        markExecutable(target.resolve("mvnw"));
        writeFiltered(repository.resolve(".gitattributes"), target.resolve(".gitattributes"));
        writeFiltered(repository.resolve(".gitignore"), target.resolve(".gitignore"));

        Path checker = repository.resolve("checker");
        if (grades != null && Integer.parseInt(number) <= grades.last()) {
            // The checker comes along, so that the exercises' checks run here too: its pom and main
            // code, not its tests (they run every step of the repository). Not with a step it
            // cannot grade: there it would only mislead.
            Files.createDirectories(target.resolve("checker"));
            String pom = withoutTestDependencies(read(checker.resolve("pom.xml")));
            Files.writeString(target.resolve("checker/pom.xml"), pom, StandardCharsets.UTF_8);
            copyTree(checker.resolve("src/main"), target.resolve("checker/src/main"), null);
        }

        Path chapter = chapter(number);
        if (chapter != null) {
            Path exported = target.resolve("docs").resolve(chapter.getFileName());
            Files.createDirectories(exported.getParent());
            Files.writeString(exported, rewrite(read(chapter), chapter, exported), StandardCharsets.UTF_8);
        }
        Path readme = step.resolve("README.md");
        String text = Files.isRegularFile(readme) ? rewrite(read(readme), readme, target.resolve("README.md"))
                : "# " + step.getFileName() + "\n";
        if (Files.isDirectory(target.resolve("checker"))) {
            int checked = Integer.parseInt(number);
            boolean http = checked >= grades.firstHttp();
            boolean tls = checked >= grades.tls();
            text = text.stripTrailing() + "\n\n## Check a server\n\n[checker/](checker/) grades a running server (this step's, or"
                    + " yours, in any language) against\nwhat a step teaches, and checks the exercises that change what"
                    + " a server does:\n\n```sh\n"
                    + (tls ? String.join("\n", certificateCommands()) + "\n" : "")
                    + (http ? "./mvnw -q -f checker compile exec:java \"-Dexec.args=--make-site target/checker-site\"\n"
                            + "./mvnw -q compile exec:java@server \"-Dexec.args=" + serverArgs(checked) + "\"     # in a first terminal\n" : "")
                    + "./mvnw -q -f checker compile exec:java \"-Dexec.args=" + checkArgs(checked, defaultPort()) + "\"\n```\n\n"
                    + wrap((tls ? "The `keytool` commands make the server's certificate, once, and write its public part to the"
                            + " file the checker trusts (`--cacert`). " : "")
                    + (http ? "The HTTP checks need the checker's site (`--make-site`: pages, a file of 16 MiB, a secret file"
                            + " beside the folder served), so the server serves it. " : "")
                    + "`--list` shows every check, `--exercise NN.M` checks one exercise.") + "\n";
        }
        text = text.stripTrailing() + "\n\n## License\n\nThis project is step " + number
                + " of the TCP sockets tutorial, under the MIT License: see [LICENSE](LICENSE).\nCopy it, change it,"
                + " hand it out.\n";
        Files.writeString(target.resolve("README.md"), text, StandardCharsets.UTF_8);
    }

    /** Step NN handed out as the start of step MM: the project, less MM's limitation tests, plus the assignment and the checker. */
    private void starter() throws IOException {
        String next = String.format("%02d", Integer.parseInt(number) + 1);
        Path nextStep = stepFolderOrNull(repository, next);
        if (nextStep == null) {
            exit(2, "ExportStep: there is no step " + next + " to hand out step " + number + " for; --starter needs a next step");
        }
        if (grades == null) {
            exit(1, "ExportStep: --starter needs the checker (checker/pom.xml and checker/src/main), which this copy"
                    + " of the tutorial does not have; nothing was written");
        }
        if (Integer.parseInt(next) > grades.last()) {
            exit(1, "ExportStep: the checker grades steps 01 to " + String.format("%02d", grades.last()) + ", not step " + next
                    + ", so it could not grade this assignment; hand out step " + number + " as a project instead"
                    + " (java tools/ExportStep.java " + number + " DIR); nothing was written");
        }
        Path nextChapter = chapter(next);
        String build = nextChapter == null ? null : section(read(nextChapter), "What you'll build");
        if (build == null) {
            exit(1, "ExportStep: the chapter of step " + next + " has no \"## What you'll build\" section to hand out; nothing was written");
        }

        project(next);
        if (notes.isEmpty()) {
            notes.add("  no test of step " + number + " is tagged fixed-in-step" + next + ": every test came along");
        }

        String port = defaultPort();
        String otherPort = String.valueOf(Integer.parseInt(port) + 1);
        int checked = Integer.parseInt(next);
        boolean http = checked >= grades.firstHttp();
        boolean tls = checked >= grades.tls();
        String checkCommand = "./mvnw -q -f checker compile exec:java \"-Dexec.args=" + checkArgs(checked, port) + "\"";
        // What the student's server must be told that the handed-out one does not know yet.
        String newOptions = Integer.parseInt(number) < grades.firstHttp() ? "`--root`"
                : tls && Integer.parseInt(number) < grades.tls() ? "`--keystore` and `--storepass`" : null;
        String whatYoullBuild = rewrite(build, nextChapter, target.resolve("ASSIGNMENT.md"))
                .replaceAll("\\s-pl\\s+" + Pattern.quote(nextStep.getFileName().toString()) + "(?=\\s|$)", "")
                // a link to a section of the next step's chapter, which the student does not have
                .replaceAll("(?<!!)\\[([^\\]]*)\\]\\(#[^)\\s]*\\)", "$1")
                .stripTrailing();
        // The checker also runs the checks of the step after, but not those of the TLS step (they
        // need a certificate the checker has not been given).
        boolean stepAfter = checked < grades.last() && checked + 1 != grades.tls();
        String assignment = "# Assignment: from step " + number + " to step " + next + "\n\n"
                + "This folder is step " + number + " of the TCP sockets tutorial: its code, its tests, and its chapter in\n"
                + "[docs/](docs/). Your job is to make it do what step " + next + " does, described below. Name your\n"
                + "classes as you like: your server is graded from the outside, as any client sees it.\n\n"
                + whatYoullBuild + "\n\n"
                + "## How your work is checked\n\n"
                + (tls ? "The checks connect with TLS 1.3, so your server needs a certificate, and the checker the public\n"
                        + "part of it, to trust. Make both once, with the JDK's `keytool`:\n\n"
                        + "```sh\n" + String.join("\n", certificateCommands()) + "\n```\n\n" : "")
                + (http ? "The HTTP checks need a site whose every byte the checker knows (pages, a file of 16 MiB, and a\n"
                        + "secret file next to the folder served, which no request may reach). Write it once:\n\n"
                        + "```sh\n./mvnw -q -f checker compile exec:java \"-Dexec.args=--make-site target/checker-site\"\n```\n\n"
                        + wrap("Your server serves its folder `target/checker-site/site`: step " + next + "'s server takes it as"
                        + " `--root DIR`" + (tls ? ", and the key store as `--keystore FILE --storepass PASS`" : "")
                        + ", and so may yours.") + "\n\n" : "")
                + "Start your server in one terminal (Windows: `mvnw.cmd` instead of `./mvnw`):\n\n"
                + "```sh\n./mvnw -q compile exec:java@server" + (http ? " \"-Dexec.args=" + serverArgs(checked) + "\"" : "")
                + "\n```\n\n"
                + wrap("`exec:java@server` runs the class that `server.mainClass` names in [pom.xml](pom.xml): if your server"
                        + " is a class of another name, write its name there." + (newOptions != null ? " As handed out, step "
                        + number + "'s server does not know " + newOptions + " and answers with a usage line: start it"
                        + " without " + (newOptions.contains(" and ") ? "them" : "it") + " to see where you begin." : ""))
                + "\n\n"
                + "In a second terminal, run the checker in [checker/](checker/) against it:\n\n"
                + "```sh\n" + checkCommand + "\n```\n\n"
                + wrap("It prints one line per check, PASS or FAIL with the evidence, "
                        + (stepAfter ? "then the checks of step " + String.format("%02d", Integer.parseInt(next) + 1)
                                + " (information, not marks), " : "")
                        + "and a summary. Its exit status is 0 once every check of step " + next + " passes, 1 while one"
                        + " fails. " + beforeTheWork(number, next)
                        + (tls ? " The HTTP checks of step " + String.format("%02d", grades.firstHttp()) + " run over TLS too:"
                                + " they fail as well until your server speaks TLS." : "")) + "\n\n"
                + wrap("If port " + port + " is taken" + (port.equals("5000") ? " (on macOS 12 and newer the AirPlay Receiver"
                        + " listens on 5000)" : "") + ", start"
                        + " your server " + (http ? "on another port" : "with `\"-Dexec.args=127.0.0.1 " + otherPort + "\"`")
                        + " and check `127.0.0.1:" + otherPort + "`" + (http ? ", say," : "") + " instead.") + "\n\n"
                + "Your own tests still run with `./mvnw test`: step " + number + "'s tests, without those that showed the\n"
                + "limitation you are removing. Add tests for what you build."
                + (http && Integer.parseInt(number) < grades.firstHttp()
                        ? "\n" + wrap("Step " + number + "'s tests test an echo server: keep it beside your HTTP"
                                + " server while they do, or retire them with it.")
                        : "") + "\n";
        Files.writeString(target.resolve("ASSIGNMENT.md"), assignment, StandardCharsets.UTF_8);

        Path readme = target.resolve("README.md");
        Files.writeString(readme, "> **Starter kit:** step " + number + " of the TCP sockets tutorial, handed out as the"
                + " start of step " + next + ".\n> Your assignment is in [ASSIGNMENT.md](ASSIGNMENT.md).\n\n"
                + read(readme), StandardCharsets.UTF_8);
        System.out.println("Exported step " + number + " (" + step.getFileName() + ") to " + target + " as the starter kit"
                + " of step " + next + ": ASSIGNMENT.md says what to build and how the checker grades it.");
    }

    // ---- copying -------------------------------------------------------------------------------

    private void copyTree(Path from, Path to, String leaveOutFixedIn) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(from)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> from.relativize(p).toString().isEmpty() || !skipped(from.relativize(p)))
                    .sorted().toList();
        }
        for (Path file : files) {
            Path relative = from.relativize(file);
            Path destination = to.resolve(relative.toString());
            String name = file.getFileName().toString();
            if (relative.equals(Path.of("README.md"))) {
                continue; // written by project()
            }
            Files.createDirectories(destination.getParent());
            if (!isText(name)) {
                Files.copy(file, destination, StandardCopyOption.COPY_ATTRIBUTES);
                continue;
            }
            String text = rewrite(read(file), file, destination);
            if (leaveOutFixedIn != null && name.endsWith(".java") && relative.startsWith(Path.of("src", "test"))) {
                text = withoutTestsFixedIn(text, leaveOutFixedIn, step.getFileName() + "/" + slashes(relative));
                if (text == null) {
                    continue; // no test left in the class
                }
            }
            Files.writeString(destination, text, StandardCharsets.UTF_8);
            if (name.endsWith(".sh")) {
                markExecutable(destination);
            }
        }
    }

    private static boolean skipped(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (SKIPPED.contains(name) || name.endsWith(".class") || name.endsWith(".iml")) {
                return true;
            }
        }
        return false;
    }

    private static void copyFile(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
    }

    private static void markExecutable(Path file) {
        file.toFile().setExecutable(true, false); // false on Windows, where nothing needs it
    }

    /** .gitattributes and .gitignore, less the lines that name a path the project does not have. */
    private void writeFiltered(Path from, Path to) throws IOException {
        if (!Files.isRegularFile(from)) {
            return;
        }
        StringBuilder kept = new StringBuilder();
        for (String line : read(from).split("\n", -1)) {
            String pattern = line.strip().split("\\s+")[0];
            boolean path = (!line.strip().startsWith("#") && pattern.contains("/") && !pattern.endsWith("/")
                    || pattern.startsWith("/")) && !pattern.contains("*"); // a glob is kept as it is
            if (path && !Files.exists(to.getParent().resolve(pattern.replaceFirst("^/", "")))) {
                continue;
            }
            kept.append(line).append('\n');
        }
        Files.writeString(to, kept.toString().stripTrailing() + "\n", StandardCharsets.UTF_8);
    }

    // ---- rewriting text so that it works in the exported project -------------------------------

    /** Links, includes, commands and paths of a file at {@code original} in the repository, moved to {@code exported}. */
    private String rewrite(String text, Path original, Path exported) {
        String stepName = step.getFileName().toString();
        StringBuilder out = new StringBuilder();
        boolean inFence = false;
        boolean markdown = original.getFileName().toString().endsWith(".md");
        boolean repositoryOnly = false;
        // Prose is collected a paragraph at a time before its links are rewritten: a link's text
        // may run over two lines.
        StringBuilder prose = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (markdown && line.strip().equals(REPOSITORY_ONLY)) {
                repositoryOnly = true;
                continue;
            }
            if (repositoryOnly) {
                repositoryOnly = !line.strip().equals(END_REPOSITORY_ONLY);
                continue; // lines that make sense in the tutorial's repository alone
            }
            CharSequence before = prose.length() > 0 ? prose : out;
            if (line.isBlank() && before.length() > 1 && before.charAt(before.length() - 1) == '\n'
                    && before.charAt(before.length() - 2) == '\n' && markdown && !inFence) {
                continue; // one blank line is enough, where a block was left out
            }
            if (markdown && line.startsWith("```")) {
                inFence = !inFence;
            }
            if (markdown) {
                Matcher include = INCLUDE.matcher(line);
                if (include.matches()) {
                    if (!include.group(1).startsWith(stepName + "/")) {
                        continue; // quotes another step's file: the block stays, its source is not here
                    }
                    line = "<!-- include: " + include.group(1).substring(stepName.length() + 1)
                            + (include.group(2) == null ? "" : include.group(2)) + " -->";
                } else if (!inFence && !line.startsWith("```")) {
                    prose.append(line).append('\n');
                    if (line.isBlank()) {
                        out.append(links(prose.toString(), original, exported));
                        prose.setLength(0);
                    }
                    continue;
                }
                out.append(links(prose.toString(), original, exported));
                prose.setLength(0);
            }
            out.append(line).append('\n');
        }
        out.append(links(prose.toString(), original, exported));
        String result = out.substring(0, out.length() - 1);
        result = result.replaceAll("\\s-pl\\s+" + Pattern.quote(stepName) + "(?=\\s|$)", "");
        result = result.replaceAll("\\s-pl\\s+checker(?=\\s|$)", " -f checker"); // the checker is a folder of the project
        result = result.replaceAll("(?<![\\w./-])" + Pattern.quote(stepName) + "/", "");
        result = result.replace("From the repository's top folder", "From this project's folder")
                .replace("the repository's top folder", "this project's folder");
        return result;
    }

    private String links(String line, Path original, Path exported) {
        Matcher link = LINK.matcher(line);
        StringBuilder out = new StringBuilder();
        while (link.find()) {
            String target = link.group(3);
            String replacement = link.group();
            if (!target.contains("://") && !target.startsWith("#") && !target.startsWith("mailto:")) {
                String file = target.replaceFirst("#.*$", "");
                String anchor = target.substring(file.length());
                Path mapped = map(original.getParent().resolve(file).normalize());
                if (mapped == null) {
                    replacement = link.group(2); // not in the project: the text stays, the link goes
                } else {
                    String relative = slashes(exported.getParent().relativize(mapped));
                    if (relative.isEmpty()) {
                        relative = ".";
                    }
                    if (file.endsWith("/") && !relative.endsWith("/")) {
                        relative += "/";
                    }
                    replacement = link.group(1) + "[" + link.group(2) + "](" + relative + anchor + ")";
                }
            }
            link.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        link.appendTail(out);
        return out.toString();
    }

    /** Where a file of the repository lands in the project, or null if it is not exported. */
    private Path map(Path inRepository) {
        if (inRepository.startsWith(step)) {
            Path inProject = target.resolve(step.relativize(inRepository).toString());
            return Files.exists(inProject) ? inProject : null; // the tree is copied first: a test left out is not there
        }
        Path chapter = chapter(number);
        if (inRepository.equals(chapter)) {
            return target.resolve("docs").resolve(chapter.getFileName());
        }
        if (inRepository.equals(repository.resolve("LICENSE"))) {
            return target.resolve("LICENSE");
        }
        return null;
    }

    // ---- the starter kit ---------------------------------------------------------------------------

    /**
     * The test class without its methods tagged {@code @Tag("fixed-in-stepMM")}; null if no test is
     * left (or if the class itself carries the tag).
     */
    private String withoutTestsFixedIn(String source, String next, String where) {
        String tag = "@Tag(\"fixed-in-step" + next + "\")";
        boolean[] code = codeMask(source);
        String result = source;
        int at = lastCode(source, code, tag, source.length());
        if (at < 0) {
            return source;
        }
        List<String> removed = new ArrayList<>();
        while (at >= 0) {
            int previous = at - 1;
            while (previous >= 0 && !(code[previous] && ";{}".indexOf(source.charAt(previous)) >= 0)) {
                previous--;
            }
            int start = source.indexOf('\n', previous) + 1;
            int body = -1;
            int depth = 0;
            for (int i = at; i < source.length(); i++) {
                if (!code[i]) {
                    continue;
                }
                char c = source.charAt(i);
                if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                } else if (c == '{' && depth == 0) {
                    body = i;
                    break;
                }
            }
            String declaration = source.substring(at, body);
            if (declaration.matches("(?s).*\\b(class|interface|record|enum)\\b.*")) {
                notes.add("  left out " + where + " (the class is tagged fixed-in-step" + next + ")");
                return null;
            }
            int end = matchingBrace(source, code, body);
            int stop = source.indexOf('\n', end);
            stop = stop < 0 ? source.length() : stop + 1;
            if (result.startsWith("\n", stop) && result.startsWith("\n\n", start - 2)) {
                stop++; // the blank line that separated it from the next member
            }
            Matcher name = Pattern.compile("void\\s+(\\w+)\\s*\\(").matcher(declaration);
            removed.add(0, name.find() ? name.group(1) : "?");
            result = result.substring(0, start) + result.substring(stop);
            at = lastCode(source, code, tag, at);
        }
        String className = where.replaceFirst("^.*/", "").replaceFirst("\\.java$", "");
        for (String method : removed) {
            notes.add("  left out " + className + "." + method + " (tagged fixed-in-step" + next + ")");
        }
        boolean[] left = codeMask(result);
        return lastCode(result, left, "@Test", result.length()) < 0 ? null : result;
    }

    /** Which characters are code, as opposed to comments, string and char literals, text blocks. */
    private static boolean[] codeMask(String s) {
        boolean[] code = new boolean[s.length()];
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith("//", i)) {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 2;
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                i = end < 0 ? s.length() : end + 3;
            } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
                char quote = s.charAt(i++);
                while (i < s.length() && s.charAt(i) != quote) {
                    i += s.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
            } else {
                code[i++] = true;
            }
        }
        return code;
    }

    /** The last index before {@code before} where {@code what} starts in code (its first character is code). */
    private static int lastCode(String s, boolean[] code, String what, int before) {
        int at = s.lastIndexOf(what, before - 1);
        while (at >= 0 && !code[at]) {
            at = s.lastIndexOf(what, at - 1);
        }
        return at;
    }

    private static int matchingBrace(String s, boolean[] code, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            if (code[i] && s.charAt(i) == '{') {
                depth++;
            } else if (code[i] && s.charAt(i) == '}' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalStateException("unbalanced braces after index " + open);
    }

    /** The checker's pom, less its test dependencies (on the steps of this repository): only its main code comes along. */
    private static String withoutTestDependencies(String pom) {
        return pom.replaceAll("(?s)\\s*<dependency>(?:(?!</dependency>).)*<scope>test</scope>(?:(?!</dependency>).)*</dependency>", "");
    }

    /** The default port of the step's server, as its main code says (DEFAULT_PORT = 5000), or 5000. */
    private String defaultPort() throws IOException {
        try (Stream<Path> walk = Files.walk(step.resolve("src/main"))) {
            for (Path file : walk.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Matcher port = Pattern.compile("DEFAULT_PORT\\s*=\\s*(\\d+)").matcher(read(file));
                if (port.find()) {
                    return port.group(1);
                }
            }
        }
        return "5000";
    }

    /**
     * What the checker says about step {@code number} as handed out, checked as step {@code next}:
     * which of the checks that {@code next} teaches fail (the work to do) and which pass already,
     * from the checker's table of every step against every check (docs/check-your-server.md).
     */
    private String beforeTheWork(String number, String next) throws IOException {
        Map<String, Boolean> checks = checksTaughtIn(next, number);
        List<String> failing = checks.entrySet().stream().filter(e -> !e.getValue()).map(e -> "`" + e.getKey() + "`").toList();
        List<String> passing = checks.entrySet().stream().filter(Map.Entry::getValue).map(e -> "`" + e.getKey() + "`").toList();
        if (checks.isEmpty()) {
            return "Run it before you change anything: the checks that fail are the work to do.";
        }
        if (failing.isEmpty()) {
            return "As handed out, step " + number + " already passes every check that step " + next + " teaches ("
                    + String.join(", ", passing) + "): the checker sees a server only from the wire, and there step "
                    + number + " already does what they ask. What step " + next + " changes is in the code described"
                    + " above: your own tests must show it.";
        }
        if (passing.isEmpty()) {
            return "As handed out, step " + number + " fails " + (failing.size() == 1 ? "the one check" : failing.size() == 2 ? "both checks"
                    : "all " + failing.size() + " checks") + " that step " + next + " teaches: that is the work to do.";
        }
        return "As handed out, step " + number + " fails " + failing.size() + " of the " + checks.size() + " checks that step "
                + next + " teaches (" + String.join(", ", failing) + "): that is the work to do; "
                + String.join(", ", passing) + (passing.size() == 1 ? " passes" : " pass") + " already.";
    }

    /** The checks taught in step {@code next}, in the table's order, each with whether step {@code number} passes it. */
    private Map<String, Boolean> checksTaughtIn(String next, String number) throws IOException {
        Map<String, Boolean> checks = new LinkedHashMap<>();
        Path chapter = repository.resolve("docs/check-your-server.md");
        if (!Files.isRegularFile(chapter)) {
            return checks;
        }
        String text = read(chapter);
        int begin = text.indexOf("<!-- checker-matrix:begin -->");
        int end = text.indexOf("<!-- checker-matrix:end -->");
        if (begin < 0 || end < begin) {
            return checks;
        }
        List<String> rows = text.substring(begin, end).lines().filter(l -> l.startsWith("|")).toList();
        if (rows.isEmpty()) {
            return checks;
        }
        List<String> header = cells(rows.get(0));
        int column = header.indexOf(number);
        for (String row : rows.subList(1, rows.size())) {
            List<String> cells = cells(row);
            if (column > 0 && cells.size() == header.size() && cells.get(1).equals(next)) {
                checks.put(cells.get(0).replace("`", ""), cells.get(column).equals("PASS"));
            }
        }
        return checks;
    }

    /** A paragraph in lines of at most 100 characters, as the rest of the docs. */
    private static String wrap(String paragraph) {
        StringBuilder out = new StringBuilder();
        int lineStart = 0;
        for (String word : paragraph.split(" ")) {
            if (out.length() > lineStart && out.length() - lineStart + 1 + word.length() > 100) {
                out.append('\n');
                lineStart = out.length();
            } else if (out.length() > lineStart) {
                out.append(' ');
            }
            out.append(word);
        }
        return out.toString();
    }

    private static List<String> cells(String row) {
        List<String> cells = new ArrayList<>();
        for (String cell : row.strip().replaceAll("^\\||\\|$", "").split("\\|")) {
            cells.add(cell.strip().replace("**", ""));
        }
        return cells;
    }

    private boolean hasChecker() {
        Path checker = repository.resolve("checker");
        return Files.isRegularFile(checker.resolve("pom.xml")) && Files.isDirectory(checker.resolve("src/main"));
    }

    /** The steps the checker grades, the first that speaks HTTP, and the first over TLS (MAX_VALUE: none). */
    private record CheckerSteps(int last, int firstHttp, int tls) {
    }

    /** What the checker's own code says it grades: Catalog's LAST_STEP and FIRST_HTTP_STEP. */
    private CheckerSteps checkerSteps() throws IOException {
        Path catalog = repository.resolve("checker/src/main/java/tutorial/checker/Catalog.java");
        String code = Files.isRegularFile(catalog) ? read(catalog) : "";
        Matcher last = Pattern.compile("LAST_STEP\\s*=\\s*(\\d+)").matcher(code);
        Matcher http = Pattern.compile("FIRST_HTTP_STEP\\s*=\\s*(\\d+)").matcher(code);
        if (!last.find() || !http.find()) {
            exit(1, "ExportStep: cannot tell which steps the checker grades (LAST_STEP and FIRST_HTTP_STEP in"
                    + " checker/src/main/java/tutorial/checker/Catalog.java); nothing was written");
        }
        Matcher tls = Pattern.compile("TLS_STEP\\s*=\\s*(\\d+)").matcher(code);
        return new CheckerSteps(Integer.parseInt(last.group(1)), Integer.parseInt(http.group(1)),
                tls.find() ? Integer.parseInt(tls.group(1)) : Integer.MAX_VALUE);
    }

    /** What a server at step {@code checked} is started with for the checks: the checker's site, and for TLS its key store. */
    private String serverArgs(int checked) throws IOException {
        String args = "--root target/checker-site/site";
        if (checked >= grades.tls()) {
            String make = certificateCommands().get(0);
            // The port too: the TLS step's server moves to another default port (8443), the step
            // handed out as its start keeps its own, where the checker command looks.
            args += " --port " + defaultPort() + " --keystore " + option(make, "-keystore") + " --storepass " + option(make, "-storepass");
        }
        return args;
    }

    /** The checker's arguments for a server at step {@code checked} on 127.0.0.1:PORT (with TLS, the certificate it trusts). */
    private String checkArgs(int checked, String port) throws IOException {
        return "--step " + String.format("%02d", checked)
                + (checked >= grades.tls() ? " --cacert " + option(certificateCommands().get(1), "-file") : "")
                + " 127.0.0.1:" + port;
    }

    /**
     * The two keytool commands that make the TLS step's certificate (a key store) and export its
     * public part as PEM, as that step's README shows them: a line that starts with
     * "keytool -genkeypair ...", then one with "keytool -exportcert ..." (a "$ " prompt before
     * them is allowed).
     */
    private List<String> certificateCommands() throws IOException {
        Path tlsStep = stepFolderOrNull(repository, String.format("%02d", grades.tls()));
        Path readme = tlsStep == null ? null : tlsStep.resolve("README.md");
        List<String> commands = new ArrayList<>();
        if (readme != null && Files.isRegularFile(readme)) {
            Matcher keytool = Pattern.compile("(?m)^(?:\\$ )?(keytool -(?:genkeypair|exportcert) .*)$").matcher(read(readme));
            while (keytool.find()) {
                commands.add(keytool.group(1).strip());
            }
        }
        if (commands.size() != 2 || !commands.get(0).contains("-genkeypair") || !commands.get(1).contains("-file ")) {
            exit(1, "ExportStep: the README of step " + String.format("%02d", grades.tls()) + " does not show the two keytool"
                    + " commands (-genkeypair, -exportcert ... -file) that the TLS checks need; nothing was written");
        }
        return commands;
    }

    private static String option(String command, String name) {
        Matcher value = Pattern.compile("\\s" + Pattern.quote(name) + "\\s+(\\S+)").matcher(command);
        return value.find() ? value.group(1) : "?";
    }

    /** A "## title" section of a chapter, its heading included, up to the next "## " heading. */
    private static String section(String chapter, String title) {
        Matcher start = Pattern.compile("(?m)^## " + Pattern.quote(title) + "\\s*$").matcher(chapter);
        if (!start.find()) {
            return null;
        }
        Matcher end = Pattern.compile("(?m)^## ").matcher(chapter);
        int stop = end.find(start.end()) ? end.start() : chapter.length();
        return chapter.substring(start.start(), stop);
    }

    // ---- finding things ----------------------------------------------------------------------------

    private static Path findRepository() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("tools/ExportStep.java")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        exit(2, "ExportStep: run me from the tutorial's repository (its top folder or a folder below it)");
        return null;
    }

    private static Path stepFolder(Path repository, String number) throws IOException {
        Path step = stepFolderOrNull(repository, number);
        if (step == null) {
            exit(2, USAGE + " (there is no step " + number + "; the steps are folders step01-... to step"
                    + lastStep(repository) + "-...)");
        }
        return step;
    }

    private static Path stepFolderOrNull(Path repository, String number) throws IOException {
        try (Stream<Path> list = Files.list(repository)) {
            return list.filter(Files::isDirectory)
                    .filter(p -> p.getFileName().toString().startsWith("step" + number + "-"))
                    .filter(p -> Files.isRegularFile(p.resolve("pom.xml")))
                    .findFirst().orElse(null);
        }
    }

    private static String lastStep(Path repository) throws IOException {
        try (Stream<Path> list = Files.list(repository)) {
            return list.map(p -> p.getFileName().toString()).filter(n -> n.matches("step\\d\\d-.*"))
                    .map(n -> n.substring(4, 6)).sorted().reduce((a, b) -> b).orElse("??");
        }
    }

    /**
     * The chapter of step NN, or null: the one that the index (docs/README.md) puts in the row of
     * the step's folder. Usually docs/NN-*.md, but not always: step 06's chapter is 07, after the
     * "what's next" chapter 06.
     */
    private Path chapter(String nn) {
        try {
            Matcher row = Pattern.compile("(?m)^\\|\\s*\\[[^\\]]*\\]\\((\\d\\d-[\\w-]+\\.md)\\)[^\\n]*\\(\\.\\./step" + nn + "-")
                    .matcher(read(repository.resolve("docs/README.md")));
            return row.find() ? repository.resolve("docs").resolve(row.group(1)) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.findAny().isEmpty();
        }
    }

    private static boolean isText(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return TEXT.stream().anyMatch(lower::endsWith);
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static String slashes(Path path) {
        return path.toString().replace(File.separatorChar, '/');
    }

    private static void exit(int status, String line) {
        System.err.println(line);
        System.exit(status);
    }
}
