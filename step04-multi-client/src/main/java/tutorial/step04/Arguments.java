package tutorial.step04;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The command-line arguments {@code [host] [port] ... [--option ...]}, with the tutorial's
 * defaults: the positional ones first, then the named options; and the one-line answers to the
 * slips a learner makes on the command line. A bad argument prints a one-line usage message and
 * ends the program with exit status 2.
 */
final class Arguments {

    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 5000;

    private final List<String> args = new ArrayList<>();
    private final Map<String, String> options = new HashMap<>();
    private final String usage;

    /**
     * @param most    how many positional arguments there may be
     * @param known   the options there may be, as the usage shows them: "--quiet" alone, or
     *                "--log FILE" when the option takes a value
     */
    Arguments(String[] args, int most, String usage, String... known) {
        this.usage = usage;
        Map<String, Boolean> takesValue = new HashMap<>();
        for (String option : known) {
            takesValue.put(option.split(" ")[0], option.contains(" "));
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-")) {
                if (!options.isEmpty()) {
                    exitWithUsage(arg + " must come before the options");
                }
                this.args.add(arg);
            } else if (!takesValue.containsKey(arg)) {
                exitWithUsage("unknown option " + arg);
            } else if (!takesValue.get(arg)) {
                options.put(arg, "");
            } else if (i + 1 == args.length) {
                exitWithUsage("missing value after " + arg);
            } else {
                options.put(arg, args[++i]);
            }
        }
        if (this.args.size() > most) {
            exitWithUsage("too many arguments");
        }
        // A number alone is a port. Taken as a host, "5000" would be the IPv4 address 0.0.19.136,
        // and the server would fail with "Cannot assign requested address".
        if (this.args.size() == 1 && isNumber(this.args.get(0))) {
            this.args.add(0, DEFAULT_HOST);
        } else if (this.args.size() > 1 && isNumber(this.args.get(0))) {
            exitWithUsage(this.args.get(0) + " is a port: give the host first, e.g. " + DEFAULT_HOST + " " + this.args.get(0));
        }
    }

    String host() {
        String host = args.size() > 0 ? args.get(0) : DEFAULT_HOST;
        try {
            InetAddress.getByName(host); // a name nobody can resolve is a usage error, not a stack trace
        } catch (UnknownHostException e) {
            exitWithUsage("unknown host " + host);
        }
        return host;
    }

    int port() {
        if (args.size() < 2) {
            return DEFAULT_PORT;
        }
        if (!args.get(1).matches("\\d{1,5}") || Integer.parseInt(args.get(1)) > 65535) {
            exitWithUsage("not a port number: " + args.get(1));
        }
        return Integer.parseInt(args.get(1));
    }

    /** The whole number at {@code index}, which must be at least 1. */
    int count(int index, String name, int byDefault) {
        if (args.size() <= index) {
            return byDefault;
        }
        return atLeastOne(args.get(index), name);
    }

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
        return has(option) ? atLeastOne(value(option), name) : byDefault;
    }

    private int atLeastOne(String value, String name) {
        if (!value.matches("\\d{1,9}") || Integer.parseInt(value) < 1) {
            exitWithUsage("not a number of " + name + ": " + value);
        }
        return Integer.parseInt(value);
    }

    /** The server's limits: those that fit this process, with what the two options change. */
    Limits limits() {
        Limits machine = Limits.forThisProcess();
        return machine
                .withMaxConnections(count("--max-connections", "connections", machine.maxConnections()))
                .withIdleTimeout(Duration.ofSeconds(count("--idle-timeout", "seconds",
                        (int) machine.idleTimeout().toSeconds())));
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

    /**
     * What a server says in one line when it cannot bind. A port that is taken is the usual case:
     * another server, the same one started twice, or on macOS 12 and newer the AirPlay Receiver,
     * which listens on 5000, this tutorial's default.
     */
    static String cannotListen(String host, int port, BindException e) {
        String message = String.valueOf(e.getMessage());
        if (!message.toLowerCase().contains("in use")) {
            return "Cannot listen on " + host + ":" + port + ": " + message;
        }
        int another = port == 65535 ? port - 1 : port + 1;
        return "Port " + port + " on " + host + " is already in use"
                + (port == 5000 ? " (on macOS 12 and newer, the AirPlay Receiver listens there)" : "")
                + ": pick another port, e.g. \"-Dexec.args=" + host + " " + another + "\"";
    }

    /** What a client says in one line when it cannot talk to the server. */
    static String cannotTalk(String host, int port, Exception e) {
        return "Could not talk to " + host + ":" + port + ": " + e.getMessage()
                + (e instanceof ConnectException ? " (is the server running, on that port?)" : "");
    }

    private static boolean isNumber(String arg) {
        return arg.matches("\\d+");
    }

    void exitWithUsage(String problem) {
        System.err.println("usage: " + usage + " (" + problem + ")");
        System.exit(2);
    }
}
