package tutorial.checker;

import java.util.List;

/**
 * What one check found: PASS or FAIL, the evidence, and for a FAIL the last exchange on the wire
 * and the chapter section to learn from ({@code learn}: null for the check's own).
 */
record Result(Check check, boolean passed, String evidence, List<String> wire, String learn) {

    /** The chapter section shown with a FAIL. */
    String fix() {
        return learn != null ? learn : check.fix();
    }
}
