package tutorial.checker;

import java.util.List;

/**
 * A chapter exercise that changes what a server does, with the checks that tell whether a
 * learner's solution does it: {@code --exercise 05.2} runs them against a running server.
 *
 * @param id      chapter and number, "05.2"
 * @param title   what the exercise asks for, in a few words
 * @param where   the chapter's exercises, {@code docs/NN-name.md#exercises}
 * @param checks  what a solution passes (and the unmodified step fails)
 */
record Exercise(String id, String title, String where, List<Check> checks) {
}
