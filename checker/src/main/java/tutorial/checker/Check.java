package tutorial.checker;

/**
 * One lesson of the tutorial as a black-box check on a running server.
 *
 * @param name   what the server must do, as a name (`slow-reader-gets-every-byte`)
 * @param step   the step whose chapter teaches it: a server at that step or later must pass it
 * @param kind   an echo check (steps 01-04), an HTTP check (step 05 on), or a TLS check (step 06)
 * @param lesson one line for {@code --list}
 * @param fix    the chapter section that teaches it, {@code docs/NN-name.md#anchor}, shown with a FAIL
 * @param body   the check itself: returns the evidence of a PASS, throws {@link CheckFailed} for a FAIL
 */
record Check(String name, int step, Kind kind, String lesson, String fix, Body body) {

    enum Kind {
        ECHO("an echo"), HTTP("an HTTP"), TLS("a TLS");

        private final String withArticle;

        Kind(String withArticle) {
            this.withArticle = withArticle;
        }

        /** "an echo", "an HTTP", "a TLS": as in "a TLS check", "a TLS server". */
        String withArticle() {
            return withArticle;
        }
    }

    @FunctionalInterface
    interface Body {
        String run(CheckContext context) throws Exception;
    }
}
