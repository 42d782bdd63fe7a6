package tutorial.checker;

import java.util.ArrayList;
import java.util.List;

/** Every check and every exercise, in the order they run and are listed. */
final class Catalog {

    static final int FIRST_STEP = 1;
    static final int LAST_STEP = 6;
    // Steps 01-04 are echo servers; step 05 on speaks HTTP; step 06, optional, speaks it over TLS.
    static final int FIRST_HTTP_STEP = 5;
    static final int TLS_STEP = 6;

    private static final List<Check> CHECKS = concat(EchoChecks.all(), HttpChecks.all(), TlsChecks.all());
    private static final List<Exercise> EXERCISES = ExerciseChecks.all();

    private Catalog() {
    }

    static List<Check> checks() {
        return CHECKS;
    }

    static List<Exercise> exercises() {
        return EXERCISES;
    }

    /** What a server at {@code step} is: echo, HTTP, or HTTP over TLS. */
    static Check.Kind kindOf(int step) {
        return step >= TLS_STEP ? Check.Kind.TLS : step >= FIRST_HTTP_STEP ? Check.Kind.HTTP : Check.Kind.ECHO;
    }

    /** True if a server at {@code step} is checked with {@code check}: a TLS server gets the HTTP checks too, over TLS. */
    static boolean applies(Check check, int step) {
        return switch (kindOf(step)) {
            case ECHO -> check.kind() == Check.Kind.ECHO;
            case HTTP -> check.kind() == Check.Kind.HTTP;
            case TLS -> check.kind() == Check.Kind.HTTP || check.kind() == Check.Kind.TLS;
        };
    }

    /** What a server at {@code step} must pass: the checks that apply to it, taught up to that step. */
    static List<Check> mustPass(int step) {
        return CHECKS.stream().filter(c -> applies(c, step) && c.step() <= step).toList();
    }

    /**
     * The checks the next step adds: a server at {@code step} may already pass some. None after
     * step 05: step 06 is optional, and its checks need the server's certificate (--cacert).
     */
    static List<Check> nextStep(int step) {
        if (step + 1 == TLS_STEP) {
            return List.of();
        }
        return CHECKS.stream().filter(c -> c.step() == step + 1).toList();
    }

    static Check check(String name) {
        return CHECKS.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }

    static Exercise exercise(String id) {
        return EXERCISES.stream().filter(e -> e.id().equals(id)).findFirst().orElse(null);
    }

    @SafeVarargs
    private static List<Check> concat(List<Check>... lists) {
        List<Check> all = new ArrayList<>();
        for (List<Check> list : lists) {
            all.addAll(list);
        }
        return List.copyOf(all);
    }
}
