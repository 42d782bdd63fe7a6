package tutorial.checker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The command line: what to check ({@code --step}, {@code --only}, {@code --exercise}, or
 * {@code --list} and {@code --make-site}), the limits, and HOST:PORT. A bad argument is a
 * {@link UsageException}: one line of usage, exit status 2.
 */
final class Options {

    static final String USAGE = "Checker --step NN [--only NAME] [--clients N] [--timeout S] [--idle-timeout-max S] [HOST:PORT]"
            + " | --exercise NN.M [HOST:PORT] | --list | --make-site DIR";

    enum Mode { STEP, ONLY, EXERCISE, LIST, MAKE_SITE }

    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String problem) {
            super(problem);
        }
    }

    Mode mode;
    int step;
    Check only;
    Exercise exercise;
    Path siteFolder;
    String host;
    int port;
    int clients = 100;
    Duration timeout = Duration.ofSeconds(5);
    Duration idleTimeoutMax = Duration.ofSeconds(15);

    static Options parse(String[] args) throws UsageException {
        Options options = new Options();
        String address = null;
        boolean list = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                if (address != null) {
                    throw new UsageException("more than one HOST:PORT: " + address + " and " + arg);
                }
                address = arg;
                continue;
            }
            if (arg.equals("--list")) {
                list = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new UsageException("missing value after " + arg);
            }
            String value = args[++i];
            switch (arg) {
                case "--step" -> options.step = step(value);
                case "--only" -> {
                    options.only = Catalog.check(value);
                    if (options.only == null) {
                        throw new UsageException("no check named " + value + " (--list shows them)");
                    }
                }
                case "--exercise" -> {
                    options.exercise = Catalog.exercise(value);
                    if (options.exercise == null) {
                        throw new UsageException("no exercise " + value + " (--list shows them)");
                    }
                }
                case "--make-site" -> options.siteFolder = Path.of(value);
                case "--clients" -> options.clients = number(arg, value, 1, 10_000);
                case "--timeout" -> options.timeout = Duration.ofSeconds(number(arg, value, 1, 600));
                case "--idle-timeout-max" -> options.idleTimeoutMax = Duration.ofSeconds(number(arg, value, 1, 3600));
                default -> throw new UsageException("unknown option " + arg);
            }
        }
        options.mode = mode(options.step > 0 || options.only != null, options.exercise != null, list,
                options.siteFolder != null, options.only != null);
        switch (options.mode) {
            case LIST, MAKE_SITE -> {
                if (address != null) {
                    throw new UsageException("no HOST:PORT with " + (list ? "--list" : "--make-site"));
                }
                return options;
            }
            case ONLY -> {
                if (options.step == 0) {
                    options.step = options.only.step(); // the step that teaches it
                }
                if (options.only.kind() != Catalog.kindOf(options.step) && options.only.step() != options.step + 1) {
                    throw new UsageException(options.only.name() + " is an " + options.only.kind() + " check, and a step "
                            + twoDigits(options.step) + " server is not an " + options.only.kind() + " server");
                }
            }
            case EXERCISE -> options.step = options.exercise.checks().get(0).step();
            default -> {
                // --step alone: its step is set
            }
        }
        options.setAddress(address != null ? address
                : Catalog.kindOf(options.step) == Check.Kind.HTTP ? "127.0.0.1:8080" : "127.0.0.1:5000");
        return options;
    }

    private static Mode mode(boolean check, boolean exercise, boolean list, boolean makeSite, boolean only)
            throws UsageException {
        int chosen = (check ? 1 : 0) + (exercise ? 1 : 0) + (list ? 1 : 0) + (makeSite ? 1 : 0);
        if (chosen == 0) {
            throw new UsageException("say what to do: --step NN, --exercise NN.M, --list or --make-site DIR");
        }
        if (chosen > 1) {
            throw new UsageException("choose one of --step (with --only), --exercise, --list and --make-site");
        }
        return check ? (only ? Mode.ONLY : Mode.STEP) : exercise ? Mode.EXERCISE : list ? Mode.LIST : Mode.MAKE_SITE;
    }

    private static int step(String value) throws UsageException {
        if (!value.matches("\\d{1,2}") || Integer.parseInt(value) < Catalog.FIRST_STEP
                || Integer.parseInt(value) > Catalog.LAST_STEP) {
            throw new UsageException("no step " + value + " (steps " + twoDigits(Catalog.FIRST_STEP) + " to "
                    + twoDigits(Catalog.LAST_STEP) + ")");
        }
        return Integer.parseInt(value);
    }

    private static int number(String option, String value, int least, int most) throws UsageException {
        if (!value.matches("\\d{1,9}") || Integer.parseInt(value) < least || Integer.parseInt(value) > most) {
            throw new UsageException(option + " takes a number from " + least + " to " + most + ", not " + value);
        }
        return Integer.parseInt(value);
    }

    private void setAddress(String address) throws UsageException {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || !address.substring(colon + 1).matches("\\d{1,5}")
                || Integer.parseInt(address.substring(colon + 1)) > 65535) {
            throw new UsageException("not HOST:PORT: " + address);
        }
        String name = address.substring(0, colon);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1); // [::1]:8080
        }
        try {
            InetAddress.getByName(name);
        } catch (UnknownHostException e) {
            throw new UsageException("unknown host " + name);
        }
        host = name;
        port = Integer.parseInt(address.substring(colon + 1));
    }

    static String twoDigits(int step) {
        return String.format("%02d", step);
    }
}
