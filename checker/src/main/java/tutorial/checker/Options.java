package tutorial.checker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;

/**
 * The command line: what to check ({@code --step}, {@code --only}, {@code --exercise}, or
 * {@code --list} and {@code --make-site}), the limits, the certificate of a TLS server
 * ({@code --cacert}), and HOST:PORT. A bad argument is a {@link UsageException}: one line of
 * usage, exit status 2.
 */
final class Options {

    static final String USAGE = "Checker --step NN [--only NAME] [--clients N] [--timeout S] [--idle-timeout-max S] [--cacert FILE] [HOST:PORT]"
            + " | --exercise NN.M [HOST:PORT] | --list | --make-site DIR";

    enum Mode { STEP, ONLY, EXERCISE, LIST, MAKE_SITE }

    /** What --step 06 without --cacert says: where the certificate comes from. */
    static final String CACERT_MISSING = "--step 06 checks a TLS server: give the certificate it presents, a PEM file,"
            + " with --cacert FILE; from step 06's key store: " + TlsConnector.KEYTOOL_EXPORT;

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
    Path caCertificate;
    Connector connector = Connector.PLAIN;
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
                case "--cacert" -> options.caCertificate = Path.of(value);
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
                if (address != null || options.caCertificate != null) {
                    throw new UsageException("no " + (address != null ? "HOST:PORT" : "--cacert") + " with "
                            + (list ? "--list" : "--make-site"));
                }
                return options;
            }
            case ONLY -> {
                if (options.step == 0) {
                    options.step = options.only.step(); // the step that teaches it
                }
                if (!Catalog.applies(options.only, options.step) && !Catalog.nextStep(options.step).contains(options.only)) {
                    throw new UsageException(options.only.name() + " is " + options.only.kind().withArticle()
                            + " check, and a step " + twoDigits(options.step) + " server is not "
                            + options.only.kind().withArticle() + " server");
                }
            }
            case EXERCISE -> options.step = options.exercise.checks().get(0).step();
            default -> {
                // --step alone: its step is set
            }
        }
        options.setAddress(address != null ? address : switch (Catalog.kindOf(options.step)) {
            case ECHO -> "127.0.0.1:5000";
            case HTTP -> "127.0.0.1:8080";
            case TLS -> "127.0.0.1:8443";
        });
        options.connector = connector(options.caCertificate, options.mode != Mode.EXERCISE
                && Catalog.kindOf(options.step) == Check.Kind.TLS);
        return options;
    }

    /** TLS, trusting the certificate given, for a TLS server; plain TCP otherwise. */
    private static Connector connector(Path caCertificate, boolean tls) throws UsageException {
        if (!tls) {
            if (caCertificate != null) {
                throw new UsageException("--cacert goes with --step 06, a TLS server");
            }
            return Connector.PLAIN;
        }
        if (caCertificate == null) {
            throw new UsageException(CACERT_MISSING);
        }
        if (!Files.isRegularFile(caCertificate)) {
            throw new UsageException("--cacert " + caCertificate + ": no such file; from step 06's key store: "
                    + TlsConnector.KEYTOOL_EXPORT);
        }
        try {
            return TlsConnector.trusting(caCertificate);
        } catch (IOException | GeneralSecurityException e) {
            throw new UsageException("--cacert " + caCertificate + ": not a certificate in PEM (" + e.getMessage()
                    + "); give the server's certificate, as keytool -exportcert -rfc writes it");
        }
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
