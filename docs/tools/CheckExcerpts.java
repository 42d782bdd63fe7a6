import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Keeps the code quoted in the docs equal to the code in the steps.
 *
 * <p>In a source file, a region is marked with two comment lines:
 * <pre>
 *     // tag::accept-loop[]
 *     ...
 *     // end::accept-loop[]
 * </pre>
 * In a Markdown file, a quote names its region in an HTML comment (GitHub does not show it),
 * and the fenced code block right after it must hold exactly the region's lines
 * (marker lines of other regions left out, common indentation removed):
 * <pre>
 *     &lt;!-- include: step01-blocking-echo/src/main/java/tutorial/step01/EchoServer.java#accept-loop --&gt;
 *     ```java
 *     ...
 *     ```
 * </pre>
 * Without {@code #region} the whole file is quoted. Links to local files in the docs must point
 * at files that exist, and a link's {@code #anchor} at a heading of the Markdown file it names.
 *
 * <p>Run from the repository's top folder: {@code java docs/tools/CheckExcerpts.java} checks
 * (the build runs it in the test phase); {@code java docs/tools/CheckExcerpts.java --update}
 * rewrites every quote from its source, for authors who changed the code on purpose.
 */
public class CheckExcerpts {

    private static final Pattern INCLUDE = Pattern.compile("^<!-- include: (\\S+?)(?:#(\\S+))? -->\\s*$");
    private static final Pattern MARKER = Pattern.compile("^\\s*(?://|#|<!--)\\s*(tag|end)::([\\w.-]+)\\[\\]\\s*(?:-->)?\\s*$");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a (?:id|name)=\"([^\"]+)\"");
    private static final Map<Path, Set<String>> ANCHORS = new HashMap<>();

    public static void main(String[] args) throws IOException {
        boolean update = args.length > 0 && args[0].equals("--update");
        Path top = Path.of("").toAbsolutePath();
        List<Path> markdown = new ArrayList<>();
        try (Stream<Path> files = Files.walk(top)) {
            files.filter(p -> p.toString().endsWith(".md"))
                 .filter(p -> !top.relativize(p).toString().contains("target"))
                 .filter(p -> !top.relativize(p).startsWith(".git"))
                 .sorted()
                 .forEach(markdown::add);
        }
        List<String> problems = new ArrayList<>();
        int quotes = 0;
        for (Path md : markdown) {
            quotes += checkFile(top, md, update, problems);
        }
        if (problems.isEmpty()) {
            System.out.printf("Docs check: %d quoted excerpts in %d Markdown files match the source%s.%n",
                    quotes, markdown.size(), update ? " (updated)" : "");
            return;
        }
        System.out.println("Docs check FAILED: the docs no longer match the code.");
        problems.forEach(p -> System.out.println("  " + p));
        System.out.println("If the code changed on purpose: java docs/tools/CheckExcerpts.java --update, then read the prose around each quote again.");
        System.exit(1);
    }

    private static int checkFile(Path top, Path md, boolean update, List<String> problems) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(md, StandardCharsets.UTF_8));
        String where = top.relativize(md).toString();
        int quotes = 0;
        boolean changed = false;
        boolean inFence = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("```")) {
                inFence = !inFence;
                continue;
            }
            if (!inFence) {
                checkLinks(md, where, i + 1, line, problems);
            }
            Matcher include = INCLUDE.matcher(line);
            if (inFence || !include.matches()) {
                continue;
            }
            quotes++;
            String label = where + ":" + (i + 1);
            Path source = top.resolve(include.group(1));
            if (!Files.isRegularFile(source)) {
                problems.add(label + ": no such file " + include.group(1));
                continue;
            }
            List<String> expected = region(source, include.group(2));
            if (expected == null) {
                problems.add(label + ": no region '" + include.group(2) + "' in " + include.group(1));
                continue;
            }
            int open = i + 1;
            if (open >= lines.size() || !lines.get(open).startsWith("```")) {
                problems.add(label + ": the include comment must be followed by a fenced code block");
                continue;
            }
            int close = open + 1;
            while (close < lines.size() && !lines.get(close).startsWith("```")) {
                close++;
            }
            if (close >= lines.size()) {
                problems.add(label + ": the code block is never closed");
                continue;
            }
            List<String> actual = lines.subList(open + 1, close);
            if (!actual.equals(expected)) {
                if (update) {
                    actual.clear();
                    actual.addAll(expected);
                    close = open + 1 + expected.size();
                    changed = true;
                } else {
                    problems.add(label + ": quote of " + include.group(1)
                            + (include.group(2) == null ? "" : "#" + include.group(2))
                            + " differs from the source" + firstDifference(actual, expected));
                }
            }
            i = close;
        }
        if (changed) {
            Files.write(md, lines, StandardCharsets.UTF_8);
        }
        return quotes;
    }

    /** The lines of a marked region (or of the whole file), without marker lines, dedented. */
    private static List<String> region(Path source, String name) throws IOException {
        List<String> all = Files.readAllLines(source, StandardCharsets.UTF_8);
        List<String> picked = new ArrayList<>();
        boolean inside = name == null;
        boolean found = name == null;
        for (String line : all) {
            Matcher marker = MARKER.matcher(line);
            if (marker.matches()) {
                if (marker.group(2).equals(name)) {
                    inside = marker.group(1).equals("tag");
                    found = true;
                }
                continue;
            }
            if (inside) {
                picked.add(line.stripTrailing());
            }
        }
        if (!found) {
            return null;
        }
        int indent = picked.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        List<String> dedented = new ArrayList<>();
        for (String line : picked) {
            dedented.add(line.isBlank() ? "" : line.substring(indent));
        }
        return dedented;
    }

    private static void checkLinks(Path md, String where, int lineNumber, String line, List<String> problems) {
        Matcher link = LINK.matcher(line);
        while (link.find()) {
            String target = link.group(1);
            if (target.contains("://") || target.startsWith("mailto:")) {
                continue;
            }
            String file = target.replaceFirst("#.*$", "");
            Path linked = file.isEmpty() ? md : md.getParent().resolve(file);
            if (!Files.exists(linked)) {
                problems.add(where + ":" + lineNumber + ": broken link to " + target);
            } else if (target.contains("#") && linked.toString().endsWith(".md")
                    && !anchors(linked).contains(target.substring(target.indexOf('#') + 1))) {
                problems.add(where + ":" + lineNumber + ": no heading for the anchor in " + target);
            }
        }
    }

    /**
     * The anchors GitHub gives the headings of a Markdown file: the heading's text in lower case,
     * links reduced to their text, punctuation dropped (hyphens and underscores kept), spaces
     * turned into hyphens, and "-1", "-2" added to repeated ones.
     */
    private static Set<String> anchors(Path md) {
        return ANCHORS.computeIfAbsent(md.toAbsolutePath().normalize(), file -> {
            Set<String> anchors = new HashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            boolean inFence = false;
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return anchors;
            }
            for (String line : lines) {
                if (line.startsWith("```")) {
                    inFence = !inFence;
                }
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
        });
    }

    private static String firstDifference(List<String> actual, List<String> expected) {
        for (int i = 0; i < Math.max(actual.size(), expected.size()); i++) {
            String a = i < actual.size() ? actual.get(i) : "<nothing>";
            String e = i < expected.size() ? expected.get(i) : "<nothing>";
            if (!a.equals(e)) {
                return " (line " + (i + 1) + " of the quote: docs have \"" + a + "\", source has \"" + e + "\")";
            }
        }
        return "";
    }
}
