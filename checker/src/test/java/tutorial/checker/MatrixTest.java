package tutorial.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The limitation chain in one table: every check run against every step's own server. Each
 * step passes the checks of its own chapter and of the chapters before, and fails exactly the
 * later checks its chapter says it fails. A change that breaks a lesson changes a cell, and this
 * test fails. The table in the README and in docs/check-your-server.md is this run's; with
 * {@code -Dchecker.updateDocs=true} the test writes it there. Step 06 is checked as
 * {@code --step 06 --cacert} checks it: every HTTP check over TLS; the TLS checks are run over
 * TLS against every step.
 */
@ExtendWith(ReferenceServers.class)
class MatrixTest {

    static final String BEGIN = "<!-- checker-matrix:begin -->";
    static final String END = "<!-- checker-matrix:end -->";
    static final List<String> DOCS_WITH_THE_MATRIX = List.of("README.md", "docs/check-your-server.md");
    private static final String PASS = "PASS";
    private static final String FAIL = "FAIL";
    private static final String NOT_APPLICABLE = "n/a";

    /** What the chapters say, step 01 to 06: echo checks do not apply to the HTTP steps. */
    private static final Map<String, List<String>> EXPECTED = new LinkedHashMap<>();

    static {
        // Steps 01 and 02 serve one client at a time (chapter 01, limitation (b); chapter 02).
        // Their blocking write never drops a byte: a slow reader just makes them wait.
        expect("echo-round-trip", PASS, PASS, PASS, PASS, NOT_APPLICABLE, NOT_APPLICABLE);
        expect("long-message-comes-back-whole", PASS, PASS, PASS, PASS, NOT_APPLICABLE, NOT_APPLICABLE);
        expect("message-in-pieces-comes-back-whole", PASS, PASS, PASS, PASS, NOT_APPLICABLE, NOT_APPLICABLE);
        expect("second-client-is-served-while-first-stays", FAIL, FAIL, PASS, PASS, NOT_APPLICABLE, NOT_APPLICABLE);
        expect("many-clients-at-once", FAIL, FAIL, PASS, PASS, NOT_APPLICABLE, NOT_APPLICABLE);
        // Step 03 writes once per read and drops what the socket does not take (chapter 03's limitation).
        expect("slow-reader-gets-every-byte", PASS, PASS, FAIL, PASS, NOT_APPLICABLE, NOT_APPLICABLE);
        expect("half-close-gets-the-whole-echo", PASS, PASS, FAIL, PASS, NOT_APPLICABLE, NOT_APPLICABLE);
        expect("client-that-never-reads-does-not-block-others", FAIL, FAIL, PASS, PASS, NOT_APPLICABLE, NOT_APPLICABLE);
        // Steps 01-04 are byte pipes: an HTTP request comes back as it was sent (chapter 04's limitation).
        // Step 06 passes every one of them over TLS.
        for (Check check : HttpChecks.all()) {
            expect(check.name(), FAIL, FAIL, FAIL, FAIL, PASS, PASS);
        }
        // A TLS client cannot talk to steps 01-05: an echo server sends its ClientHello back, step 05
        // answers it in plain HTTP (chapter 05's limitation), and both answer plain text in plain text.
        for (Check check : TlsChecks.all()) {
            expect(check.name(), FAIL, FAIL, FAIL, FAIL, FAIL, PASS);
        }
    }

    private static Map<String, List<String>> actual;
    private static final Map<String, String> EVIDENCE = new java.util.concurrent.ConcurrentHashMap<>();

    private static void expect(String check, String... steps) {
        EXPECTED.put(check, List.of(steps));
    }

    @BeforeAll
    static void runEveryCheckAgainstEveryStep(ReferenceServers.Servers servers) throws Exception {
        // Step 03 first and alone: its limitation shows only if the checker's writes do not stall
        // for half a second while the server still reads, so it gets the machine to itself. The
        // other five run side by side: steps 01 and 02 spend most of their time waiting for an
        // echo that does not come (the timeout, three times each).
        Map<Integer, Map<String, String>> columns = new LinkedHashMap<>();
        columns.put(3, column(servers, 3));
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            Map<Integer, Future<Map<String, String>>> running = new LinkedHashMap<>();
            for (int step : List.of(1, 2, 4, 5, 6)) {
                running.put(step, pool.submit(() -> column(servers, step)));
            }
            for (Map.Entry<Integer, Future<Map<String, String>>> entry : running.entrySet()) {
                columns.put(entry.getKey(), entry.getValue().get());
            }
        } finally {
            pool.shutdownNow();
        }
        actual = new LinkedHashMap<>();
        for (Check check : Catalog.checks()) {
            List<String> row = new ArrayList<>();
            for (int step = 1; step <= Catalog.LAST_STEP; step++) {
                row.add(columns.get(step).getOrDefault(check.name(), NOT_APPLICABLE));
            }
            actual.put(check.name(), row);
        }
    }

    /**
     * The results of every check that applies to a step's server, by check name: over TLS for
     * step 06 (as --step 06 runs them), and for the TLS checks against every step.
     */
    private static Map<String, String> column(ReferenceServers.Servers servers, int step) {
        Map<String, String> results = new LinkedHashMap<>();
        for (Check check : Catalog.checks()) {
            if (step >= Catalog.FIRST_HTTP_STEP && check.kind() == Check.Kind.ECHO) {
                continue;
            }
            boolean tls = step == Catalog.TLS_STEP || check.kind() == Check.Kind.TLS;
            CheckContext.Settings settings = new CheckContext.Settings("127.0.0.1", servers.port(step),
                    tls ? servers.tls() : Connector.PLAIN, Duration.ofSeconds(3), 100,
                    ReferenceServers.STEP05_IDLE_TIMEOUT.plusSeconds(4));
            Result result = Checker.run(check, settings);
            results.put(check.name(), result.passed() ? PASS : FAIL);
            EVIDENCE.put("step 0" + step + " " + check.name(), (result.passed() ? PASS : FAIL) + ": " + result.evidence());
        }
        return results;
    }

    @Test
    @DisplayName("every step passes its own checks and fails exactly the later ones its chapter names")
    void everyStepPassesItsChecksAndFailsTheLimitationsItsChapterNames() {
        assertThat(EXPECTED.keySet()).as("every check has its expected row").containsExactlyElementsOf(
                Catalog.checks().stream().map(Check::name).toList());
        List<String> surprises = new ArrayList<>();
        EXPECTED.forEach((check, expected) -> {
            for (int step = 1; step <= Catalog.LAST_STEP; step++) {
                if (!expected.get(step - 1).equals(actual.get(check).get(step - 1))) {
                    surprises.add("step 0" + step + " " + check + " " + EVIDENCE.get("step 0" + step + " " + check));
                }
            }
        });
        assertThat(actual).as("the cells that differ, with their evidence:%n%s", String.join("\n", surprises))
                .isEqualTo(EXPECTED);
    }

    @Test
    @DisplayName("the README and docs/check-your-server.md show the matrix of this run")
    void theDocsShowTheMatrixOfThisRun() throws IOException {
        String table = render(actual);
        boolean update = Boolean.getBoolean("checker.updateDocs");
        for (String name : DOCS_WITH_THE_MATRIX) {
            Path file = ReferenceServers.repositoryRoot().resolve(name);
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int begin = text.indexOf(BEGIN);
            int end = text.indexOf(END);
            assertThat(begin).as(name + " has " + BEGIN + " before " + END).isNotNegative().isLessThan(end);
            String shown = text.substring(begin + BEGIN.length(), end);
            if (update && !shown.equals(table)) {
                Files.writeString(file, text.substring(0, begin + BEGIN.length()) + table + text.substring(end), StandardCharsets.UTF_8);
                continue;
            }
            assertThat(shown).as(name + " shows the matrix of this run (rewrite it with -Dchecker.updateDocs=true)")
                    .isEqualTo(table);
        }
    }

    /** The matrix as a Markdown table: checks as rows, steps as columns; FAIL in bold. */
    static String render(Map<String, List<String>> matrix) {
        StringBuilder table = new StringBuilder("\n| check | taught in | 01 | 02 | 03 | 04 | 05 | 06 (TLS) |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        for (Check check : Catalog.checks()) {
            table.append("| `").append(check.name()).append("` | ").append(Options.twoDigits(check.step()));
            for (String cell : matrix.get(check.name())) {
                table.append(" | ").append(cell.equals(FAIL) ? "**FAIL**" : cell);
            }
            table.append(" |\n");
        }
        return table.toString();
    }
}
