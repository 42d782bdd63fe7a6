package tutorial.checker;

import java.util.List;

/** What one check found: PASS or FAIL, the evidence, and for a FAIL the last exchange on the wire. */
record Result(Check check, boolean passed, String evidence, List<String> wire) {
}
