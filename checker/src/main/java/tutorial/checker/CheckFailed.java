package tutorial.checker;

/**
 * A check found what it looks for missing: the message is the evidence, said in numbers
 * ("B got 0 of 6 bytes back, then nothing for 5.0 s"). {@code who} names the connection whose
 * exchange the FAIL line shows, or is null for the last exchange of any.
 */
final class CheckFailed extends Exception {

    private static final long serialVersionUID = 1L;

    private final String who;

    CheckFailed(String evidence) {
        this(evidence, null);
    }

    CheckFailed(String evidence, String who) {
        super(evidence, null, false, false); // evidence, not a bug: no stack trace needed
        this.who = who;
    }

    String who() {
        return who;
    }

    /** The same failure, its evidence followed by a remark ("(the connects took 1.2 s: ...)"). */
    CheckFailed adding(String remark) {
        return new CheckFailed(getMessage() + " " + remark, who);
    }

    /** The same failure, its evidence preceded by what the check had done so far. */
    CheckFailed after(String context) {
        return new CheckFailed(context + "; " + getMessage(), who);
    }
}
