package tutorial.step06;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * The command-line arguments {@code [--host HOST] [--port PORT] [--root DIR]
 * [--idle-timeout SECONDS] --keystore FILE --storepass PASS}, with the tutorial's defaults. A bad
 * argument prints a one-line usage message and ends the program with exit status 2.
 */
final class Arguments {

    static final String USAGE = "HttpServer [--host HOST] [--port PORT] [--root DIR] [--idle-timeout SECONDS]"
            + " --keystore FILE --storepass PASS";
    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 8443;
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);

    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private Path root;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Path keyStore;
    private String storePassword;

    Arguments(String[] args) {
        for (int i = 0; i < args.length; i += 2) {
            String option = args[i];
            if (i + 1 >= args.length) {
                exitWithUsage("missing value after " + option);
            }
            String value = args[i + 1];
            switch (option) {
                case "--host" -> host = resolvable(value);
                case "--port" -> port = number(value, 65535, "not a port number: " + value);
                case "--root" -> root = directory(value);
                case "--idle-timeout" -> idleTimeout = Duration.ofSeconds(
                        number(value, 86_400, "not a number of seconds: " + value));
                case "--keystore" -> keyStore = Path.of(value);
                case "--storepass" -> storePassword = value;
                default -> exitWithUsage("unknown option " + option);
            }
        }
        if (idleTimeout.isZero()) {
            exitWithUsage("the idle timeout must be at least 1 second");
        }
        if (keyStore == null) {
            exitWithUsage("HTTPS needs a certificate; make a key store with: " + ServerCertificate.KEYTOOL_COMMAND);
        }
        if (storePassword == null) {
            exitWithUsage("missing --storepass for " + keyStore);
        }
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    /** The folder given with --root, or null for the built-in site. */
    Path root() {
        return root;
    }

    Duration idleTimeout() {
        return idleTimeout;
    }

    // tag::tls[]
    /** The key store, read: a missing file, a wrong password or no key in it is a usage error. */
    SSLContext tls() {
        try {
            return ServerCertificate.load(keyStore, storePassword.toCharArray());
        } catch (IOException | GeneralSecurityException e) {
            exitWithUsage("cannot use key store " + keyStore + ": " + e.getMessage());
            throw new IllegalStateException(e); // not reached: exitWithUsage ends the program
        }
    }
    // end::tls[]

    private static int number(String value, int most, String problem) {
        if (!value.matches("\\d{1,9}") || Integer.parseInt(value) > most) {
            exitWithUsage(problem);
        }
        return Integer.parseInt(value);
    }

    private static String resolvable(String host) {
        try {
            InetAddress.getByName(host); // a name nobody can resolve is a usage error, not a stack trace
        } catch (UnknownHostException e) {
            exitWithUsage("unknown host " + host);
        }
        return host;
    }

    private static Path directory(String value) {
        Path path = Path.of(value);
        if (!Files.isDirectory(path)) {
            exitWithUsage("not a directory: " + value);
        }
        return path;
    }

    static void exitWithUsage(String problem) {
        System.err.println("usage: " + USAGE + " (" + problem + ")");
        System.exit(2);
    }
}
