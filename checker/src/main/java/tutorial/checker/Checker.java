package tutorial.checker;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a running server, in any language, against what a step of the tutorial teaches: each
 * check prints one line, PASS or FAIL, with its evidence in numbers; a FAIL also names the chapter
 * section that teaches the fix and shows the last exchange on the wire.
 *
 * <p>Usage: {@code Checker --step NN [--only NAME] [--clients N] [--timeout S] [--idle-timeout-max S] [--cacert FILE] [HOST:PORT]},
 * {@code Checker --exercise NN.M [HOST:PORT]}, {@code Checker --list}, {@code Checker --make-site DIR}.
 * Exit status: 0 when every check of the step (or exercise) passes, 1 when one fails or nothing
 * listens at HOST:PORT, 2 for a bad argument. Step 06 is checked over TLS, trusting the
 * certificate given with {@code --cacert}.
 *
 * <p>Run it: {@code ./mvnw -q -pl checker compile exec:java -Dexec.args="--step 04 127.0.0.1:5000"}, or
 * {@code java -cp checker/target/classes tutorial.checker.Checker --step 04 127.0.0.1:5000}.
 */
public final class Checker {

    private final PrintStream out;
    private final CheckContext.Settings settings;

    private Checker(PrintStream out, CheckContext.Settings settings) {
        this.out = out;
        this.settings = settings;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Everything main does, but the exit status is returned: 0 pass, 1 fail, 2 bad arguments. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (Options.UsageException e) {
            err.println("usage: " + Options.USAGE + " (" + e.getMessage() + ")");
            return 2;
        }
        if (options.mode == Options.Mode.LIST) {
            list(out);
            return 0;
        }
        if (options.mode == Options.Mode.MAKE_SITE) {
            try {
                Site.make(options.siteFolder, out);
                return 0;
            } catch (IOException e) {
                err.println("could not write the site to " + options.siteFolder + ": " + e);
                return 1;
            }
        }
        CheckContext.Settings settings = new CheckContext.Settings(options.host, options.port, options.connector,
                options.timeout, options.clients, options.idleTimeoutMax);
        String absent = nobodyListens(settings);
        if (absent != null) {
            err.println(absent);
            return 1;
        }
        Checker checker = new Checker(out, settings);
        return switch (options.mode) {
            case ONLY -> checker.only(options.only, options.step);
            case EXERCISE -> checker.exercise(options.exercise);
            default -> checker.step(options.step);
        };
    }

    /** Null if something accepts connections at the address, or the one line that says why not. */
    private static String nobodyListens(CheckContext.Settings settings) {
        try (Socket probe = new Socket()) {
            probe.connect(settings.address(), (int) settings.timeout().toMillis());
            return null;
        } catch (ConnectException e) {
            return "nothing listens on " + settings.authority() + ": start your server first";
        } catch (SocketTimeoutException e) {
            return "no answer from " + settings.authority() + " in " + Wire.seconds(settings.timeout())
                    + ": is the address right, and is the server running?";
        } catch (IOException e) {
            return "cannot reach " + settings.authority() + ": " + e.getMessage();
        }
    }

    private int step(int step) {
        List<Check> mustPass = Catalog.mustPass(step);
        List<Check> next = Catalog.nextStep(step);
        out.println("Checking " + settings.authority() + " as a step " + two(step) + " server" + over() + ": " + count(mustPass.size())
                + " of " + steps(step) + (next.isEmpty() ? "" : ", then the " + next.size() + " of step " + two(step + 1)));
        List<Result> results = runAll(mustPass, width(mustPass, next), true);
        List<Result> nextResults = List.of();
        if (!next.isEmpty()) {
            out.println("Step " + two(step + 1) + ", the next step (a FAIL here is work ahead, not an error):");
            nextResults = runAll(next, width(mustPass, next), false);
        }
        List<String> failed = names(results, false);
        StringBuilder summary = new StringBuilder("Summary: ");
        summary.append(failed.isEmpty() ? "PASS: " + (results.size() == 1 ? "the one check of " + steps(step) + " passes."
                : "all " + count(results.size()) + " of " + steps(step) + " pass.")
                : "FAIL: " + failed.size() + " of " + count(results.size()) + " of " + steps(step) + " failed: "
                        + String.join(", ", failed) + ".");
        if (!next.isEmpty()) {
            List<String> passing = names(nextResults, true);
            summary.append(" Step ").append(two(step + 1)).append(": ").append(passing.isEmpty()
                    ? "none of its " + next.size() + " checks passes yet."
                    : passing.size() + " of " + next.size() + " pass already: " + String.join(", ", passing) + ".");
        }
        out.println(summary);
        return failed.isEmpty() ? 0 : 1;
    }

    private int only(Check check, int step) {
        out.println("Checking " + settings.authority() + " as a step " + two(step) + " server" + over() + ": " + check.name()
                + " (taught in step " + two(check.step()) + ")");
        Result result = runAll(List.of(check), check.name().length(), true).get(0);
        out.println("Summary: " + (result.passed() ? "PASS" : "FAIL") + ": " + check.name() + ".");
        return result.passed() ? 0 : 1;
    }

    private int exercise(Exercise exercise) {
        out.println("Checking " + settings.authority() + " for exercise " + exercise.id() + " (" + exercise.title() + ", "
                + exercise.where() + "): " + count(exercise.checks().size()));
        List<Result> results = new ArrayList<>();
        for (Check check : exercise.checks()) {
            // A FAIL points at the exercise, whichever chapter teaches the check's lesson.
            Check asExercise = new Check(check.name(), check.step(), check.kind(), check.lesson(), exercise.where(), check.body());
            results.addAll(runAll(List.of(asExercise), width(exercise.checks(), List.of()), true));
        }
        List<String> failed = names(results, false);
        out.println("Summary: exercise " + exercise.id() + ": " + (failed.isEmpty() ? "PASS" : "FAIL: "
                + String.join(", ", failed) + " failed") + ".");
        return failed.isEmpty() ? 0 : 1;
    }

    /** Runs the checks and prints each result as it comes; {@code showWire}: the wire of a FAIL too. */
    private List<Result> runAll(List<Check> checks, int width, boolean showWire) {
        List<Result> results = new ArrayList<>();
        for (Check check : checks) {
            Result result = run(check, settings);
            print(result, width, showWire);
            results.add(result);
        }
        return results;
    }

    /** Runs one check; whatever happens, every connection it opened is closed when it returns. */
    static Result run(Check check, CheckContext.Settings settings) {
        try (CheckContext context = new CheckContext(settings)) {
            try {
                return new Result(check, true, check.body().run(context), List.of(), null);
            } catch (CheckFailed e) {
                List<String> wire = context.wire().lastLines(e.who(), 4);
                return new Result(check, false, e.getMessage(), wire.isEmpty() ? context.wire().lastLines(null, 4) : wire,
                        e.learn());
            } catch (IOException e) {
                return new Result(check, false, "connection error: " + e, context.wire().lastLines(null, 4), null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(check, false, "interrupted", List.of(), null);
            } catch (Exception e) {
                return new Result(check, false, "the check itself broke (a bug in the checker): " + e, List.of(), null);
            }
        }
    }

    private void print(Result result, int width, boolean showWire) {
        Check check = result.check();
        out.println((result.passed() ? "PASS  " : "FAIL  ") + pad(check.name(), width) + "  " + result.evidence());
        if (!result.passed()) {
            String indent = " ".repeat(6);
            out.println(indent + "learn: " + result.fix());
            for (int i = 0; showWire && i < result.wire().size(); i++) {
                out.println(indent + (i == 0 ? "wire:  " : "       ") + result.wire().get(i));
            }
        }
        out.flush();
    }

    private static void list(PrintStream out) {
        int width = width(Catalog.checks(), List.of());
        out.println("Checks: the step that teaches each, its name, what a server must do (--only NAME runs one):");
        for (Check check : Catalog.checks()) {
            out.println(two(check.step()) + "  " + pad(check.name(), width) + "  " + check.lesson());
        }
        out.println("Exercises (--exercise NN.M), with the checks a solution passes:");
        for (Exercise exercise : Catalog.exercises()) {
            List<String> names = exercise.checks().stream().map(Check::name).toList();
            out.println(exercise.id() + "  " + exercise.title() + " (" + exercise.where() + "): " + String.join(", ", names));
        }
    }

    private static List<String> names(List<Result> results, boolean passed) {
        return results.stream().filter(r -> r.passed() == passed).map(r -> r.check().name()).toList();
    }

    private static int width(List<Check> first, List<Check> second) {
        int width = 0;
        for (Check check : first) {
            width = Math.max(width, check.name().length());
        }
        for (Check check : second) {
            width = Math.max(width, check.name().length());
        }
        return width;
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }

    private static String count(int checks) {
        return checks == 1 ? "1 check" : checks + " checks";
    }

    /** ", over TLS 1.3, trusting localhost.pem (CN=localhost)" for a TLS server; nothing otherwise. */
    private String over() {
        return settings.connector() instanceof TlsConnector tls ? ", over " + tls.describe() : "";
    }

    private static String steps(int step) {
        int first = step >= Catalog.FIRST_HTTP_STEP ? Catalog.FIRST_HTTP_STEP : Catalog.FIRST_STEP;
        return first == step ? "step " + two(step) : "steps " + two(first) + "-" + two(step);
    }

    private static String two(int step) {
        return Options.twoDigits(step);
    }
}
