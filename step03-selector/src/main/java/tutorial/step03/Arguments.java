package tutorial.step03;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The optional command-line arguments {@code [host] [port] [message]}, with the tutorial's defaults,
 * and the one-line answers to the slips a learner makes on the command line. A bad argument prints
 * a one-line usage message and ends the program with exit status 2.
 */
final class Arguments {

    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 5000;

    private final String[] args;
    private final String usage;

    Arguments(String[] args, int most, String usage) {
        this.usage = usage;
        if (args.length > most) {
            exitWithUsage("too many arguments");
        }
        for (String arg : args) {
            if (arg.startsWith("-")) {
                exitWithUsage("unknown option " + arg);
            }
        }
        // A number alone is a port. Taken as a host, "5000" would be the IPv4 address 0.0.19.136,
        // and the server would fail with "Cannot assign requested address".
        if (args.length == 1 && isNumber(args[0])) {
            args = new String[] {DEFAULT_HOST, args[0]};
        } else if (args.length > 1 && isNumber(args[0])) {
            exitWithUsage(args[0] + " is a port: give the host first, e.g. " + DEFAULT_HOST + " " + args[0]);
        }
        this.args = args;
    }

    String host() {
        String host = args.length > 0 ? args[0] : DEFAULT_HOST;
        try {
            InetAddress.getByName(host); // a name nobody can resolve is a usage error, not a stack trace
        } catch (UnknownHostException e) {
            exitWithUsage("unknown host " + host);
        }
        return host;
    }

    int port() {
        if (args.length < 2) {
            return DEFAULT_PORT;
        }
        if (!args[1].matches("\\d{1,5}") || Integer.parseInt(args[1]) > 65535) {
            exitWithUsage("not a port number: " + args[1]);
        }
        return Integer.parseInt(args[1]);
    }

    String message(String byDefault) {
        return args.length > 2 ? args[2] : byDefault;
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

    private void exitWithUsage(String problem) {
        System.err.println("usage: " + usage + " (" + problem + ")");
        System.exit(2);
    }
}
