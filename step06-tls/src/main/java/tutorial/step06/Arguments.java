package tutorial.step06;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

/**
 * The command-line arguments {@code [--host HOST] [--port PORT] [--root DIR]
 * [--idle-timeout SECONDS] [--head-timeout SECONDS] [--max-connections N] [--quiet | --log FILE]
 * --keystore FILE --storepass PASS},
 * with the tutorial's defaults (for the root: the built-in site), and the one-line answers to the
 * slips a learner makes on the command line. A bad argument prints a one-line usage message and
 * ends the program with exit status 2; a folder that is not there, a port that is taken and a
 * server that does not answer get one line and exit status 1.
 */
final class Arguments {

    static final String USAGE = "HttpServer [--host HOST] [--port PORT] [--root DIR] [--idle-timeout SECONDS]"
            + " [--head-timeout SECONDS] [--max-connections N] [--quiet | --log FILE] --keystore FILE --storepass PASS";
    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 8443;
    // The options there may be, as the usage shows them: "--quiet" alone, "--log FILE" with a value.
    private static final List<String> KNOWN = List.of("--host HOST", "--port PORT", "--root DIR",
            "--idle-timeout SECONDS", "--head-timeout SECONDS", "--max-connections N", "--quiet", "--log FILE",
            "--keystore FILE", "--storepass PASS");
    // Where the sources keep the built-in site, from the two folders a learner starts in: the
    // repository's top folder, and the step's own folder (or a copy of it).
    private static final List<String> SITE_SOURCES = List.of("step06-tls/src/main/resources/site", "src/main/resources/site");

    private final Map<String, String> options = new HashMap<>();

    Arguments(String[] args) {
        Map<String, Boolean> takesValue = new HashMap<>();
        for (String option : KNOWN) {
            takesValue.put(option.split(" ")[0], option.contains(" "));
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!takesValue.containsKey(arg) && arg.matches("\\d+")) {
                exitWithUsage(arg + " is a port: give it as --port " + arg);
            } else if (!takesValue.containsKey(arg)) {
                exitWithUsage(arg.startsWith("-") ? "unknown option " + arg : "unexpected argument " + arg);
            } else if (!takesValue.get(arg)) {
                options.put(arg, "");
            } else if (i + 1 == args.length) {
                exitWithUsage("missing value after " + arg);
            } else {
                options.put(arg, args[++i]);
            }
        }
        if (!has("--keystore")) {
            exitWithUsage("HTTPS needs a certificate; make a key store with: " + ServerCertificate.KEYTOOL_COMMAND);
        }
        if (!has("--storepass")) {
            exitWithUsage("missing --storepass for " + value("--keystore"));
        }
    }

    String host() {
        String host = options.getOrDefault("--host", DEFAULT_HOST);
        try {
            InetAddress.getByName(host); // a name nobody can resolve is a usage error, not a stack trace
        } catch (UnknownHostException e) {
            exitWithUsage("unknown host " + host);
        }
        return host;
    }

    int port() {
        String port = options.get("--port");
        if (port == null) {
            return DEFAULT_PORT;
        }
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
            exitWithUsage("not a port number: " + port);
        }
        return Integer.parseInt(port);
    }

    /** The folder given with --root, or else the built-in site. */
    Path root() {
        String root = options.get("--root");
        if (root == null) {
            return builtInSite();
        }
        Path folder = Path.of(root);
        if (!Files.isDirectory(folder)) {
            exitWith("Cannot serve files from " + root + ": " + (Files.exists(folder) ? "it is not a folder"
                    : "there is no such folder") + " (give --root a folder that exists)");
        }
        return folder;
    }

    // tag::tls[]
    /** The key store, read: a file that is not there, a wrong password or no key in it gets one line. */
    SSLContext tls() {
        String keyStore = value("--keystore");
        try {
            return ServerCertificate.load(Path.of(keyStore), value("--storepass").toCharArray());
        } catch (NoSuchFileException e) {
            exitWith("Cannot use key store " + keyStore + ": there is no such file (make one with: "
                    + ServerCertificate.KEYTOOL_COMMAND + ")");
        } catch (IOException | GeneralSecurityException e) {
            exitWith("Cannot use key store " + keyStore + ": " + e.getMessage());
        }
        return null; // not reached: exitWith ends the program
    }
    // end::tls[]

    /** Whether the option (one without a value) was given. */
    boolean has(String option) {
        return options.containsKey(option);
    }

    /** The value given after the option, or null. */
    String value(String option) {
        return options.get(option);
    }

    /** The whole number given after the option, which must be at least 1, or {@code byDefault}. */
    int count(String option, String name, int byDefault) {
        if (!has(option)) {
            return byDefault;
        }
        String value = value(option);
        if (!value.matches("\\d{1,9}") || Integer.parseInt(value) < 1) {
            exitWithUsage("not a number of " + name + ": " + value);
        }
        return Integer.parseInt(value);
    }

    /** The number of seconds given after the option, at least 1 and at most a day, or {@code byDefault}. */
    Duration seconds(String option, Duration byDefault) {
        int seconds = count(option, "seconds", (int) byDefault.toSeconds());
        if (seconds > 86_400) {
            exitWithUsage("more than a day: " + option + " " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    /** The limits that fit this process, with what --max-connections and the two timeouts change. */
    Limits limits() {
        Limits machine = Limits.forThisProcess();
        return machine
                .withMaxConnections(count("--max-connections", "connections", machine.maxConnections()))
                .withIdleTimeout(seconds("--idle-timeout", machine.idleTimeout()))
                .withHeadTimeout(seconds("--head-timeout", machine.headTimeout()));
    }

    /**
     * The log on standard output, buffered: the log's own thread writes a burst of lines at once.
     * With --quiet, only the notices; with --log FILE, every line to the file and the notices here.
     */
    Log log() {
        PrintStream console = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out),
                1 << 16), false, StandardCharsets.US_ASCII);
        if (has("--quiet") && has("--log")) {
            exitWithUsage("--quiet or --log, not both");
        }
        if (has("--quiet")) {
            return Log.quiet(console);
        }
        if (has("--log")) {
            try {
                return Log.toFile(console, new PrintStream(new FileOutputStream(value("--log"), true),
                        false, StandardCharsets.US_ASCII));
            } catch (FileNotFoundException e) {
                exitWithUsage("cannot write to " + value("--log"));
            }
        }
        return Log.to(console);
    }

    // tag::built-in-site[]
    /**
     * The site shipped in src/main/resources/site. Maven copies it to target/classes/site, a
     * folder on disk, and we serve it from there. Compiled without Maven (javac alone, some IDEs),
     * the classes come without it: then we serve the sources' copy, found from the repository's
     * top folder or the step's. From inside a jar it would not be a folder: then the server asks
     * for --root.
     */
    private static Path builtInSite() {
        URL index = Arguments.class.getResource("/site/index.html");
        if (index != null && index.getProtocol().equals("file")) {
            try {
                return Path.of(index.toURI()).getParent();
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        for (String sources : SITE_SOURCES) {
            if (Files.isRegularFile(Path.of(sources, "index.html"))) {
                return Path.of(sources);
            }
        }
        exitWith("Cannot find the built-in site: it is not next to the classes, and this folder has no "
                + String.join(" or ", SITE_SOURCES) + " (start from the repository's top folder or the step's,"
                + " or give a folder with --root DIR)");
        return null; // not reached: exitWith ends the program
    }
    // end::built-in-site[]

    /**
     * What the server says in one line when it cannot bind. A port that is taken is the usual case:
     * another server, or the same one started twice.
     */
    static String cannotListen(String host, int port, BindException e) {
        String message = String.valueOf(e.getMessage());
        if (!message.toLowerCase(Locale.ROOT).contains("in use")) {
            return "Cannot listen on " + host + ":" + port + ": " + message;
        }
        int another = port == 65535 ? port - 1 : port + 1;
        String hostOption = host.equals(DEFAULT_HOST) ? "" : "--host " + host + " ";
        return "Port " + port + " on " + host + " is already in use: pick another port, e.g. \"-Dexec.args="
                + hostOption + "--port " + another + "\"";
    }

    /** What a client says in one line when it cannot talk to the server. */
    static String cannotTalk(String host, int port, Exception e) {
        return "Could not talk to " + host + ":" + port + ": " + e.getMessage()
                + (e instanceof ConnectException ? " (is the server running, on that port?)" : "")
                + (e instanceof SSLHandshakeException ? " (does this JVM trust the server's certificate? Add"
                        + " -Djavax.net.ssl.trustStore=localhost.p12 -Djavax.net.ssl.trustStorePassword=changeit)" : "");
    }

    /** One line that says what went wrong and what to do, then exit status 1. */
    static void exitWith(String line) {
        System.err.println(line);
        System.exit(1);
    }

    static void exitWithUsage(String problem) {
        System.err.println("usage: " + USAGE + " (" + problem + ")");
        System.exit(2);
    }
}
