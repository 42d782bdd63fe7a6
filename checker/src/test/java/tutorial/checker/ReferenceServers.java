package tutorial.checker;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The tutorial's six reference servers, started once for every test class that asks for them
 * (a {@link Servers} parameter) and stopped when the whole test run ends, even after a failure:
 * JUnit closes what its root store holds. Steps 05 and 06 serve the checker's own site with a
 * two-second idle timeout; step 06 with a certificate made by keytool as its README says.
 */
final class ReferenceServers implements ParameterResolver {

    static final Duration STEP05_IDLE_TIMEOUT = Duration.ofSeconds(2);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ReferenceServers.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Servers.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Servers.class, key -> Servers.start(), Servers.class);
    }

    /** Steps 01 to 06, running; the folder of the checker's site; step 06's certificate. */
    static final class Servers implements AutoCloseable {

        private final Path folder;
        private final Map<Integer, ChildServer> steps = new LinkedHashMap<>();
        private TestCertificate certificate;
        private TlsConnector tls;

        private Servers(Path folder) {
            this.folder = folder;
        }

        static Servers start() {
            try {
                Path folder = Files.createTempDirectory("checker-test");
                Servers servers = new Servers(folder);
                try {
                    Site.make(folder, new PrintStream(PrintStream.nullOutputStream()));
                    Path logs = Files.createDirectories(folder.resolve("logs"));
                    Path root = repositoryRoot();
                    Pattern echo = Pattern.compile("Listening on 127\\.0\\.0\\.1:(\\d+)");
                    // All six JVMs start together (step 06 once keytool has made its key store);
                    // then we wait for each.
                    for (int step = 1; step <= 4; step++) {
                        servers.steps.put(step, ChildServer.start(classes(root, step), "tutorial.step0" + step + ".EchoServer",
                                echo, logs, List.of("127.0.0.1", "0")));
                    }
                    List<String> http = List.of("--host", "127.0.0.1", "--port", "0", "--root", servers.siteRoot().toString(),
                            "--idle-timeout", Long.toString(STEP05_IDLE_TIMEOUT.toSeconds()));
                    servers.steps.put(5, ChildServer.start(classes(root, 5), "tutorial.step05.HttpServer",
                            Pattern.compile("Listening on http://127\\.0\\.0\\.1:(\\d+)/"), logs, http));
                    servers.certificate = TestCertificate.make(folder, "localhost", TestCertificate.LOCALHOST_AND_LOOPBACK);
                    List<String> https = new ArrayList<>(http);
                    https.addAll(List.of("--keystore", servers.certificate.keyStore.toString(),
                            "--storepass", TestCertificate.PASSWORD));
                    servers.steps.put(6, ChildServer.start(classes(root, 6), "tutorial.step06.HttpServer",
                            Pattern.compile("Listening on https://127\\.0\\.0\\.1:(\\d+)/"), logs, https));
                    servers.tls = TlsConnector.trusting(servers.certificate.pem);
                    servers.steps.values().forEach(ChildServer::awaitPort);
                    return servers;
                } catch (RuntimeException | IOException | GeneralSecurityException e) {
                    servers.close();
                    throw e;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the test certificate cannot be read", e);
            }
        }

        int port(int step) {
            return steps.get(step).port();
        }

        /** Step 06's certificate, as PEM: what --cacert gives the checker. */
        Path pem() {
            return certificate.pem;
        }

        /** TLS trusting step 06's certificate: the connector of --step 06 --cacert. */
        TlsConnector tls() {
            return tls;
        }

        /** The document root step 05 serves: the checker's site. */
        Path siteRoot() {
            return folder.resolve("site");
        }

        @Override
        public void close() throws IOException {
            steps.values().forEach(ChildServer::close);
            try (Stream<Path> files = Files.walk(folder)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    /** The repository's top folder: the checker module's parent (Surefire runs tests in the module's folder). */
    static Path repositoryRoot() {
        Path root = Path.of("").toAbsolutePath().getParent();
        if (root == null || !Files.isRegularFile(root.resolve("docs").resolve("README.md"))) {
            throw new IllegalStateException("run the checker's tests from its module folder inside the repository");
        }
        return root;
    }

    /** A step's compiled classes, built earlier in the same reactor run (the checker comes after the steps). */
    static Path classes(Path root, int step) {
        List<Path> modules = new ArrayList<>();
        try (Stream<Path> children = Files.list(root)) {
            children.filter(p -> p.getFileName().toString().startsWith("step0" + step + "-")).forEach(modules::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (modules.size() != 1) {
            throw new IllegalStateException("expected one folder step0" + step + "-* in " + root + ", found " + modules);
        }
        Path classes = modules.get(0).resolve("target").resolve("classes");
        if (!Files.isDirectory(classes.resolve("tutorial").resolve("step0" + step))) {
            throw new IllegalStateException("no compiled classes in " + classes + ": build the steps first"
                    + " (./mvnw -B -ntp test from the top folder compiles them before the checker)");
        }
        return classes;
    }
}
