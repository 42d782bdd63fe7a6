package tutorial.checker;

import java.util.ArrayList;
import java.util.List;

/** Every check and every exercise, in the order they run and are listed. */
final class Catalog {

    static final int FIRST_STEP = 1;
    static final int LAST_STEP = 5;
    // Steps 01-04 are echo servers; step 05 on speaks HTTP.
    static final int FIRST_HTTP_STEP = 5;

    private static final List<Check> CHECKS = concat(EchoChecks.all(), HttpChecks.all());
    private static final List<Exercise> EXERCISES = ExerciseChecks.all();

    private Catalog() {
    }

    static List<Check> checks() {
        return CHECKS;
    }

    static List<Exercise> exercises() {
        return EXERCISES;
    }

    static Check.Kind kindOf(int step) {
        return step >= FIRST_HTTP_STEP ? Check.Kind.HTTP : Check.Kind.ECHO;
    }

    /** What a server at {@code step} must pass: the checks of its kind taught up to that step. */
    static List<Check> mustPass(int step) {
        return CHECKS.stream().filter(c -> c.kind() == kindOf(step) && c.step() <= step).toList();
    }

    /** The checks the next step adds: a server at {@code step} may already pass some. */
    static List<Check> nextStep(int step) {
        return CHECKS.stream().filter(c -> c.step() == step + 1).toList();
    }

    static Check check(String name) {
        return CHECKS.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }

    static Exercise exercise(String id) {
        return EXERCISES.stream().filter(e -> e.id().equals(id)).findFirst().orElse(null);
    }

    private static List<Check> concat(List<Check> first, List<Check> second) {
        List<Check> all = new ArrayList<>(first);
        all.addAll(second);
        return List.copyOf(all);
    }
}
