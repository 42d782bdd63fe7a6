package tutorial.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each exercise check can fail and can pass: it fails against the tutorial's own step, which
 * does not do what the exercise asks (and for the reason the exercise is about), and it passes
 * against a small solution that lives here, in the test sources only.
 */
@ExtendWith(ReferenceServers.class)
class ExerciseChecksTest {

    private static ReferenceServers.Servers servers;
    private static ThreadPerConnectionServer threadPerConnection;
    private static ExerciseSolutionServer httpSolution;

    @BeforeAll
    static void startSolutions(ReferenceServers.Servers reference) throws IOException {
        servers = reference;
        threadPerConnection = new ThreadPerConnectionServer(ThreadPerConnectionServer.echo());
        httpSolution = new ExerciseSolutionServer(reference.siteRoot());
    }

    @AfterAll
    static void stopSolutions() throws IOException {
        threadPerConnection.close();
        httpSolution.close();
    }

    @ParameterizedTest(name = "exercise {0} fails against step {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "02.4 | 2 | B got 0 of 25 bytes back, then nothing for",
        "05.1 | 5 | GET /docs got 200 OK",
        "05.2 | 5 | without a Last-Modified header",
        "05.3 | 5 | POST /echo with 3000 bytes got 405 Method Not Allowed",
        "05.4 | 5 | PUT /checker-put.txt with 10000 bytes got 405 Method Not Allowed",
        "05.5 | 5 | with no Content-Encoding: not gzip",
    })
    void failsAgainstTheTutorialsOwnStep(String id, int step, String evidence) {
        // One second is plenty to see that B gets nothing: step 02 answers it only after A leaves.
        List<Result> results = run(id, servers.port(step), Duration.ofSeconds(1));

        assertThat(results).allSatisfy(result -> assertThat(result.passed()).as(result.evidence()).isFalse());
        assertThat(results.get(0).evidence()).contains(evidence);
    }

    @ParameterizedTest(name = "exercise {0} passes against a solution")
    @ValueSource(strings = {"02.4", "05.1", "05.2", "05.3", "05.4", "05.5"})
    void passesAgainstASolution(String id) {
        int port = id.startsWith("02.") ? threadPerConnection.port() : httpSolution.port();

        List<Result> results = run(id, port, Duration.ofSeconds(10));

        assertThat(results).allSatisfy(result -> assertThat(result.passed()).as(result.evidence()).isTrue());
    }

    private static List<Result> run(String id, int port, Duration timeout) {
        CheckContext.Settings settings = new CheckContext.Settings("127.0.0.1", port, Connector.PLAIN, timeout, 100,
                Duration.ofSeconds(5));
        return Catalog.exercise(id).checks().stream().map(check -> Checker.run(check, settings)).toList();
    }
}
