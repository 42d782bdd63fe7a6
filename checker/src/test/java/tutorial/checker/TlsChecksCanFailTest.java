package tutorial.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In the matrix, steps 01 to 05 fail the TLS checks because they speak no TLS at all, and step
 * 06 passes them: that does not show that each check catches the mistake it is named for. Here a
 * small TLS server of the tests makes one mistake at a time, and the check for it fails, saying
 * why; the same server without the mistake passes. And the checker checks the names on a
 * certificate as a browser does.
 */
class TlsChecksCanFailTest {

    @TempDir
    static Path folder;
    private static TestCertificate both;
    private static TestCertificate localhostOnly;

    @BeforeAll
    static void makeCertificates() throws IOException {
        both = TestCertificate.make(folder, "both", TestCertificate.LOCALHOST_AND_LOOPBACK);
        localhostOnly = TestCertificate.make(folder, "localhost-only", "san=dns:localhost");
    }

    @Test
    void aServerThatClosesWithABareFinFailsBothCloseNotifyChecks() throws Exception {
        try (TlsToyServer server = new TlsToyServer(both.serverContext(), TlsToyServer.Variant.BARE_FIN)) {
            Result answered = run("close-notify-is-answered-with-close-notify", "127.0.0.1", server.port(), both);
            Result first = run("server-sends-close-notify-before-its-fin", "127.0.0.1", server.port(), both);

            assertThat(answered.passed()).isFalse();
            assertThat(answered.evidence()).startsWith("after GET / (200 OK, 15 body bytes), A sent close_notify; then a bare"
                    + " FIN, with no close_notify before it");
            assertThat(answered.wire()).contains("A sent close_notify (and no FIN)",
                    "A got end of stream (FIN) with no close_notify before it");
            assertThat(first.passed()).isFalse();
            assertThat(first.evidence()).startsWith("GET / with Connection: close got 200 OK, 15 body bytes; then a bare FIN,"
                    + " with no close_notify before it");
        }
    }

    @Test
    void theSameServerWithCloseNotifyPassesThem() throws Exception {
        try (TlsToyServer server = new TlsToyServer(both.serverContext(), TlsToyServer.Variant.CORRECT)) {
            for (String check : new String[] {"close-notify-is-answered-with-close-notify", "server-sends-close-notify-before-its-fin"}) {
                Result result = run(check, "127.0.0.1", server.port(), both);

                assertThat(result.passed()).as(check + ": " + result.evidence()).isTrue();
            }
        }
    }

    @Test
    void aServerThatWantsTheClientHelloInOneReadFailsTheSplitCheck() throws Exception {
        try (TlsToyServer server = new TlsToyServer(both.serverContext(), TlsToyServer.Variant.CLIENT_HELLO_IN_ONE_READ)) {
            Result split = run("tls-records-split-at-every-byte-boundary", "127.0.0.1", server.port(), both);
            Result close = run("server-sends-close-notify-before-its-fin", "127.0.0.1", server.port(), both);

            assertThat(split.passed()).isFalse();
            // After byte 1 as a rule; later if the server's thread woke up only after both pieces had come.
            assertThat(split.evidence()).matches("the ClientHello \\(\\d+ bytes\\) cut after byte \\d+ \\(\\d+ \\+ \\d+ bytes,"
                    + " 2 ms apart\\) (got nothing \\(end of stream\\)|: the connection failed).*");
            assertThat(close.passed()).as("a hello in one piece is served: " + close.evidence()).isTrue();
        }
    }

    @Test
    void aServerThatLeavesPlainTextOpenFailsThePlainHttpCheck() throws Exception {
        try (TlsToyServer server = new TlsToyServer(both.serverContext(), TlsToyServer.Variant.PLAIN_TEXT_LEFT_OPEN)) {
            // (Step 05, which answers plain text with a plain "HTTP/1.1 400", fails it in the matrix.)
            Result result = run("plain-http-to-the-tls-port-is-refused", "127.0.0.1", server.port(), both, Duration.ofSeconds(1));

            assertThat(result.passed()).isFalse();
            assertThat(result.evidence()).isEqualTo("GET / in plain text got nothing, and the connection was still open 1.0 s"
                    + " later (a TLS server closes a connection whose first bytes are not TLS)");
        }
    }

    @Test
    void aRedirectToHttpsInPlainTextPassesThePlainHttpCheck() throws Exception {
        // Chapter 07's exercise 2 answers plain HTTP on the TLS port: with a redirect, then the close.
        try (TlsToyServer server = new TlsToyServer(both.serverContext(), TlsToyServer.Variant.PLAIN_TEXT_REDIRECTED)) {
            Result result = run("plain-http-to-the-tls-port-is-refused", "127.0.0.1", server.port(), both);

            assertThat(result.passed()).as(result.evidence()).isTrue();
            assertThat(result.evidence()).matches("GET / in plain text got \\d+ bytes in plain text: \"HTTP/1\\.1 301 Moved.*")
                    .contains(", then end of stream, in ").endsWith("(chapter 07's exercise 2: a redirect to https is fine)");
        }
    }

    @Test
    void theCertificateMustNameTheHostTheCheckerWasGiven() throws Exception {
        try (TlsToyServer server = new TlsToyServer(localhostOnly.serverContext(), TlsToyServer.Variant.CORRECT)) {
            for (String check : new String[] {"keep-alive-serves-a-second-request", "jdk-http-client-gets-a-page"}) {
                Result byAddress = run(check, "127.0.0.1", server.port(), localhostOnly);
                Result byName = run(check, "localhost", server.port(), localhostOnly);

                assertThat(byAddress.passed()).isFalse();
                assertThat(byAddress.evidence()).contains("No subject alternative names matching IP address 127.0.0.1 found");
                assertThat(byAddress.fix()).isEqualTo(TlsConnector.CERTIFICATE_DOCS);
                assertThat(byName.passed()).as(check + " at localhost: " + byName.evidence()).isTrue();
            }
        }
    }

    private static Result run(String check, String host, int port, TestCertificate trusted)
            throws IOException, GeneralSecurityException {
        return run(check, host, port, trusted, Duration.ofSeconds(10));
    }

    private static Result run(String check, String host, int port, TestCertificate trusted, Duration timeout)
            throws IOException, GeneralSecurityException {
        CheckContext.Settings settings = new CheckContext.Settings(host, port, TlsConnector.trusting(trusted.pem),
                timeout, 100, Duration.ofSeconds(5));
        return Checker.run(Catalog.check(check), settings);
    }
}
