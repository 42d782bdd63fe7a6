package tutorial.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every FAIL line names the chapter section that teaches the fix, as {@code docs/NN-name.md#anchor}.
 * The chapters are rewritten now and then: this test keeps those links alive (the file exists,
 * and it has a heading with that anchor, as GitHub makes anchors), and checks that each
 * chapter's exercises name the checks of their exercise.
 */
class DocsLinksTest {

    static Stream<String> linksShownWithAFail() {
        Set<String> links = new LinkedHashSet<>(List.of(TlsConnector.CERTIFICATE_DOCS, TlsConnector.HANDSHAKE_DOCS));
        Catalog.checks().forEach(check -> links.add(check.fix()));
        Catalog.exercises().forEach(exercise -> {
            links.add(exercise.where());
            exercise.checks().forEach(check -> links.add(check.fix()));
        });
        return links.stream();
    }

    @ParameterizedTest
    @MethodSource("linksShownWithAFail")
    void everyLinkShownWithAFailNamesAnExistingHeading(String link) throws IOException {
        String file = link.substring(0, link.indexOf('#'));
        String anchor = link.substring(link.indexOf('#') + 1);
        Path chapter = ReferenceServers.repositoryRoot().resolve(file);

        assertThat(chapter).as(file).isRegularFile();
        assertThat(anchors(chapter)).as("the headings of " + file).contains(anchor);
    }

    @Test
    void everyExerciseIsNamedWithItsChecksInItsChaptersExercises() throws IOException {
        for (Exercise exercise : Catalog.exercises()) {
            Path chapter = ReferenceServers.repositoryRoot().resolve(exercise.where().substring(0, exercise.where().indexOf('#')));
            String text = Files.readString(chapter, StandardCharsets.UTF_8);
            String exercises = text.substring(text.indexOf("\n## Exercises"));
            assertThat(exercises).as(chapter + ", exercises").contains("`--exercise " + exercise.id() + "`");
            for (Check check : exercise.checks()) {
                assertThat(exercises).as(chapter + ", exercises").contains("`" + check.name() + "`");
            }
        }
    }

    @ParameterizedTest(name = "\"{0}\" -> #{1}")
    @CsvSource(delimiter = '|', value = {
        "### (b) One client at a time (fixed in step 03)                       | b-one-client-at-a-time-fixed-in-step-03",
        "### Interest follows state: OP_WRITE only while needed, backpressure  | interest-follows-state-op_write-only-while-needed-backpressure",
        "### Read, write, and the `ByteBuffer`                                  | read-write-and-the-bytebuffer",
        "## The built-in `com.sun.net.httpserver`                               | the-built-in-comsunnethttpserver",
    })
    void anchorsAreMadeAsGitHubMakesThem(String heading, String anchor) {
        assertThat(anchors(List.of(heading))).containsExactly(anchor);
    }

    /** The anchors GitHub gives the headings of a Markdown file (not counting fenced code). */
    static Set<String> anchors(Path markdown) throws IOException {
        return anchors(Files.readAllLines(markdown, StandardCharsets.UTF_8));
    }

    private static Set<String> anchors(List<String> lines) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean inFence = false;
        for (String line : lines) {
            if (line.startsWith("```")) {
                inFence = !inFence;
                continue;
            }
            if (inFence || !line.matches("#{1,6} .*")) {
                continue;
            }
            // GitHub: lower case, drop what is not a letter, digit, space, hyphen or underscore,
            // spaces become hyphens, and a repeated anchor gets -1, -2...
            String text = line.replaceFirst("#+ ", "").strip().toLowerCase(Locale.ROOT);
            String anchor = text.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
            int count = seen.merge(anchor, 1, Integer::sum);
            anchors.add(count == 1 ? anchor : anchor + "-" + (count - 1));
        }
        return anchors;
    }
}
