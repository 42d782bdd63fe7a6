package tutorial.step04;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The optional command-line arguments {@code [host] [port] ...}, with the tutorial's defaults.
 * A bad argument prints a one-line usage message and ends the program with exit status 2.
 */
final class Arguments {

    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 5000;

    private final String[] args;
    private final String usage;

    Arguments(String[] args, int most, String usage) {
        this.args = args;
        this.usage = usage;
        if (args.length > most) {
            exitWithUsage("too many arguments");
        }
        for (String arg : args) {
            if (arg.startsWith("-")) {
                exitWithUsage("unknown option " + arg);
            }
        }
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

    /** The whole number at {@code index}, which must be at least 1. */
    int count(int index, String name, int byDefault) {
        if (args.length <= index) {
            return byDefault;
        }
        if (!args[index].matches("\\d{1,9}") || Integer.parseInt(args[index]) < 1) {
            exitWithUsage("not a number of " + name + ": " + args[index]);
        }
        return Integer.parseInt(args[index]);
    }

    private void exitWithUsage(String problem) {
        System.err.println("usage: " + usage + " (" + problem + ")");
        System.exit(2);
    }
}
