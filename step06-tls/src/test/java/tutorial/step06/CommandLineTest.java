package tutorial.step06;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The slips a learner makes on the command line, each answered in one line: the programs run in a
 * JVM of their own, as a learner runs them.
 */
class CommandLineTest {

    private static final String NL = System.lineSeparator();
    private static final String KEY_STORE = TestCertificate.localhost().keyStore.toString();
    // The server's key store as the client's trust store: its certificate is all the JDK needs.
    private static final List<String> TRUSTING_THE_TEST_CERTIFICATE = List.of("-Djavax.net.ssl.trustStore=" + KEY_STORE,
            "-Djavax.net.ssl.trustStorePassword=" + TestCertificate.PASSWORD);

    @TempDir
    Path folder;

    @Test
    @DisplayName("a port that is taken: one line that says so and how to pick another, exit status 1")
    void portInUseSaysSoInOneLine() throws Exception {
        try (ServerSocketChannel other = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int taken = ((InetSocketAddress) other.getLocalAddress()).getPort();
            try (JavaProcess server = JavaProcess.start(folder, HttpServer.class, withKeyStore("--port", String.valueOf(taken)))) {
                assertThat(server.exitStatus()).isEqualTo(1);
                assertThat(server.errorOutput()).isEqualTo("Port " + taken + " on 127.0.0.1 is already in use: pick"
                        + " another port, e.g. \"-Dexec.args=--port " + (taken + 1) + "\"" + NL);
                assertThat(server.outputLines()).isEmpty();
            }
        }
    }

    @Test
    @DisplayName("a number alone (\"-Dexec.args=8081\") is refused with the usage line, which says to give it with --port")
    void aNumberAloneSaysToUsePort() throws Exception {
        try (JavaProcess server = JavaProcess.start(folder, HttpServer.class, "8081")) {
            assertThat(server.exitStatus()).isEqualTo(2);
            assertThat(server.errorOutput()).startsWith("usage: HttpServer [--host HOST] [--port PORT] [--root DIR]")
                    .endsWith(" (8081 is a port: give it as --port 8081)" + NL).hasLineCount(1);
        }
    }

    @Test
    @DisplayName("a --root that does not exist, or is a file: one line that says so, exit status 1")
    void aRootThatIsNoFolderSaysSoInOneLine() throws Exception {
        Path file = Files.writeString(folder.resolve("page.html"), "<p>a file</p>");
        try (JavaProcess missing = JavaProcess.start(folder, HttpServer.class, withKeyStore("--port", "0", "--root", "no/such/folder"));
             JavaProcess notAFolder = JavaProcess.start(folder, HttpServer.class, withKeyStore("--port", "0", "--root", file.toString()))) {
            assertThat(missing.exitStatus()).isEqualTo(1);
            assertThat(missing.errorOutput()).isEqualTo("Cannot serve files from no/such/folder: there is no such folder"
                    + " (give --root a folder that exists)" + NL);
            assertThat(notAFolder.exitStatus()).isEqualTo(1);
            assertThat(notAFolder.errorOutput()).isEqualTo("Cannot serve files from " + file + ": it is not a folder"
                    + " (give --root a folder that exists)" + NL);
            assertThat(missing.outputLines()).isEmpty();
        }
    }

    @ParameterizedTest(name = "started in {0}")
    @ValueSource(strings = {"the repository's top folder", "the step's folder"})
    @DisplayName("compiled without Maven (no site next to the classes), the server finds the site in the sources"
            + " from the folders a learner starts in")
    void withoutTheSiteNextToTheClassesTheSourcesCopyIsServed(String where) throws Exception {
        Path classes = classesWithoutTheSite();
        Path top = Files.createDirectories(folder.resolve("tutorial"));
        Path step = top.resolve("step06-tls");
        Path site = Files.createDirectories(step.resolve("src/main/resources/site"));
        Files.writeString(site.resolve("index.html"), "<p>the sources' copy</p>\n");
        Path start = where.startsWith("the repository") ? top : step;

        try (JavaProcess server = JavaProcess.start(folder, List.of(), classes, start, HttpServer.class, withKeyStore("--port", "0"))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> server.outputLines().size() >= 2);
            assertThat(server.outputLines().get(0)).isEqualTo("Serving files from " + site.toRealPath());
            Matcher listening = Pattern.compile("Listening on https://127\\.0\\.0\\.1:(\\d+)/").matcher(server.outputLines().get(1));
            assertThat(listening.matches()).isTrue();
            try (RawClient client = new RawClient(Integer.parseInt(listening.group(1)))) {
                client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(client.readResponse().bodyText()).isEqualTo("<p>the sources' copy</p>\n");
            }
        }
    }

    @Test
    @DisplayName("no site next to the classes and none in the sources here: one line that says what to do, exit status 1")
    void withoutAnySiteTheServerSaysWhatToPass() throws Exception {
        Path classes = classesWithoutTheSite();
        Path elsewhere = Files.createDirectories(folder.resolve("elsewhere"));

        try (JavaProcess server = JavaProcess.start(folder, List.of(), classes, elsewhere, HttpServer.class,
                withKeyStore("--port", "0"))) {
            assertThat(server.exitStatus()).isEqualTo(1);
            assertThat(server.errorOutput()).isEqualTo("Cannot find the built-in site: it is not next to the classes,"
                    + " and this folder has no step06-tls/src/main/resources/site or src/main/resources/site (start"
                    + " from the repository's top folder or the step's, or give a folder with --root DIR)" + NL);
        }
    }

    @Test
    @DisplayName("HttpGet with no server: one line that asks whether the server runs, exit status 1")
    void clientWithNoServerSaysSoInOneLine() throws Exception {
        // A socket bound but not listening keeps the port ours, and refuses every connection to it.
        try (SocketChannel placeholder = SocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = ((InetSocketAddress) placeholder.getLocalAddress()).getPort();
            try (JavaProcess client = JavaProcess.start(folder, HttpGet.class, "127.0.0.1", String.valueOf(port))) {
                assertThat(client.exitStatus()).isEqualTo(1);
                assertThat(client.errorOutput()).isEqualTo("Could not talk to 127.0.0.1:" + port
                        + ": Connection refused (is the server running, on that port?)" + NL);
                assertThat(client.outputLines()).isEmpty();
            }
        }
    }

    @Test
    @DisplayName("HttpGet PORT: a number alone is the port, not a host name")
    void aNumberAloneIsThePortOfHttpGet() throws Exception {
        try (RunningServer running = new RunningServer(RunningServer.builtInSite());
             JavaProcess client = JavaProcess.start(folder, TRUSTING_THE_TEST_CERTIFICATE, JavaProcess.classesOf(HttpGet.class),
                     null, HttpGet.class, String.valueOf(running.server().port()))) {
            assertThat(client.exitStatus()).isZero();
            assertThat(client.outputLines()).first().isEqualTo("HTTP/1.1 200 OK");
        }
    }

    @Test
    @DisplayName("HttpGet with a bad argument: the usage line and the problem, exit status 2")
    void httpGetBadArgumentsGetTheUsageLine() throws Exception {
        try (JavaProcess notAPort = JavaProcess.start(folder, HttpGet.class, "127.0.0.1", "port");
             JavaProcess unknownHost = JavaProcess.start(folder, HttpGet.class, "no-such-host.invalid", "8080");
             JavaProcess portFirst = JavaProcess.start(folder, HttpGet.class, "8080", "/about.html")) {
            assertThat(notAPort.exitStatus()).isEqualTo(2);
            assertThat(notAPort.errorOutput()).isEqualTo("usage: HttpGet [host] [port] [path] (not a port number: port)" + NL);
            assertThat(unknownHost.exitStatus()).isEqualTo(2);
            assertThat(unknownHost.errorOutput())
                    .isEqualTo("usage: HttpGet [host] [port] [path] (unknown host no-such-host.invalid)" + NL);
            assertThat(portFirst.exitStatus()).isEqualTo(2);
            assertThat(portFirst.errorOutput()).isEqualTo("usage: HttpGet [host] [port] [path]"
                    + " (8080 is a port: give the host first, e.g. 127.0.0.1 8080)" + NL);
        }
    }

    @Test
    @DisplayName("a key store that is not there, or with another password, or not a key store: one line that says"
            + " so, exit status 1")
    void aKeyStoreThatCannotBeUsedSaysSoInOneLine() throws Exception {
        Path notAKeyStore = Files.writeString(folder.resolve("notes.txt"), "not a key store");
        try (JavaProcess missing = JavaProcess.start(folder, HttpServer.class, "--port", "0", "--keystore", "no-such.p12",
                     "--storepass", "changeit");
             JavaProcess wrongPassword = JavaProcess.start(folder, HttpServer.class, "--port", "0", "--keystore", KEY_STORE,
                     "--storepass", "wrong");
             JavaProcess notOne = JavaProcess.start(folder, HttpServer.class, "--port", "0", "--keystore",
                     notAKeyStore.toString(), "--storepass", "changeit")) {
            assertThat(missing.exitStatus()).isEqualTo(1);
            assertThat(missing.errorOutput()).isEqualTo("Cannot use key store no-such.p12: there is no such file (make one"
                    + " with: " + ServerCertificate.KEYTOOL_COMMAND + ")" + NL);
            assertThat(wrongPassword.exitStatus()).isEqualTo(1);
            assertThat(wrongPassword.errorOutput()).startsWith("Cannot use key store " + KEY_STORE + ": ")
                    .contains("password").hasLineCount(1);
            assertThat(notOne.exitStatus()).isEqualTo(1);
            assertThat(notOne.errorOutput()).startsWith("Cannot use key store " + notAKeyStore + ": ").hasLineCount(1);
            assertThat(missing.outputLines()).isEmpty();
        }
    }

    @Test
    @DisplayName("HttpGet against a server whose certificate its JVM does not trust: one line that says how to trust it,"
            + " exit status 1")
    void httpGetThatDoesNotTrustTheCertificateSaysWhatToAdd() throws Exception {
        try (RunningServer running = new RunningServer(RunningServer.builtInSite());
             JavaProcess client = JavaProcess.start(folder, HttpGet.class, "localhost", String.valueOf(running.server().port()))) {
            assertThat(client.exitStatus()).isEqualTo(1);
            assertThat(client.errorOutput()).startsWith("Could not talk to localhost:" + running.server().port() + ": ")
                    .endsWith(" (does this JVM trust the server's certificate? Add -Djavax.net.ssl.trustStore=localhost.p12"
                            + " -Djavax.net.ssl.trustStorePassword=changeit)" + NL)
                    .hasLineCount(1);
        }
    }

    /** The arguments, then the test certificate's key store. */
    private static String[] withKeyStore(String... arguments) {
        List<String> all = new ArrayList<>(List.of(arguments));
        all.addAll(List.of("--keystore", KEY_STORE, "--storepass", TestCertificate.PASSWORD));
        return all.toArray(String[]::new);
    }

    /** This step's classes copied without the site, as javac alone (or an IDE that copies no resources) leaves them. */
    private Path classesWithoutTheSite() throws IOException {
        Path from = JavaProcess.classesOf(HttpServer.class);
        Path to = folder.resolve("classes");
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                Path copy = to.resolve(from.relativize(file).toString());
                Files.createDirectories(copy.getParent());
                Files.copy(file, copy);
            }
        }
        assertThat(to.resolve("site")).doesNotExist();
        return to;
    }
}
