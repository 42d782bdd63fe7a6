package tutorial.checker;

/**
 * A check found what it looks for missing: the message is the evidence, said in numbers
 * ("B got 0 of 6 bytes back, then nothing for 5.0 s"). {@code who} names the connection whose
 * exchange the FAIL line shows, or is null for the last exchange of any. {@code learn}, if not
 * null, is the chapter section to show instead of the check's own: a TLS handshake that fails
 * is chapter 07's lesson, whichever HTTP check it stopped.
 */
final class CheckFailed extends Exception {

    private static final long serialVersionUID = 1L;

    private final String who;
    private final String learn;

    CheckFailed(String evidence) {
        this(evidence, null);
    }

    CheckFailed(String evidence, String who) {
        this(evidence, who, null);
    }

    private CheckFailed(String evidence, String who, String learn) {
        super(evidence, null, false, false); // evidence, not a bug: no stack trace needed
        this.who = who;
        this.learn = learn;
    }

    String who() {
        return who;
    }

    /** The chapter section that teaches the fix, if not the check's own; else null. */
    String learn() {
        return learn;
    }

    /** The same failure, shown with the chapter section {@code link} ({@code docs/NN-name.md#anchor}). */
    CheckFailed learning(String link) {
        return new CheckFailed(getMessage(), who, link);
    }

    /** The same failure, its evidence followed by a remark ("(the connects took 1.2 s: ...)"). */
    CheckFailed adding(String remark) {
        return new CheckFailed(getMessage() + " " + remark, who, learn);
    }

    /** The same failure, its evidence preceded by what the check had done so far. */
    CheckFailed after(String context) {
        return new CheckFailed(context + "; " + getMessage(), who, learn);
    }
}
