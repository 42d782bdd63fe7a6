package tutorial.step06;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real TLS clients that are not Java: curl, and openssl's own test client. Each test is skipped,
 * with the reason, on a machine without the tool.
 */
class ExternalClientsTest {

    private static final Path SITE = RunningServer.builtInSite();

    @TempDir
    Path temp;
    private RunningServer running;

    @BeforeEach
    void start() throws IOException {
        running = new RunningServer(SITE);
    }

    @AfterEach
    void stop() {
        running.close();
    }

    @Test
    void curlLoadsTheBuiltInSiteByteForByteOnOneConnection() throws Exception {
        assumeTrue(installed("curl"), "curl is not installed here");
        Path page = temp.resolve("index.html");
        Path picture = temp.resolve("packets.png");

        Result curl = run("curl", "-sS", "-v", "--cacert", pem(), url("/"), "-o", page.toString(),
                url("/img/packets.png"), "-o", picture.toString());

        assertThat(curl.exitCode()).as(curl.output()).isZero();
        assertThat(curl.output()).contains("SSL connection using TLSv1.3", "ALPN: server accepted http/1.1",
                "Re-using existing connection");
        assertThat(Files.readAllBytes(page)).isEqualTo(Files.readAllBytes(SITE.resolve("index.html")));
        assertThat(Files.readAllBytes(picture)).isEqualTo(Files.readAllBytes(SITE.resolve("img/packets.png")));
        assertThat(running.logLines("Got connection from")).isEqualTo(1);
    }

    @Test
    void plainHttpFromCurlGetsAnEmptyReply() throws Exception {
        assumeTrue(installed("curl"), "curl is not installed here");

        Result curl = run("curl", "-sS", "http://127.0.0.1:" + running.server().port() + "/");

        assertThat(curl.exitCode()).as(curl.output()).isEqualTo(52);
        assertThat(curl.output()).contains("Empty reply from server");
    }

    @Test
    void aCertificateWithoutTheAddressInItIsRefusedByCurlAndTheJdk() throws Exception {
        // keytool without "-ext san=...": the certificate names CN=localhost only, and clients
        // today look at the subject alternative names alone.
        TestCertificate noNames = TestCertificate.make();
        try (RunningServer bare = new RunningServer(SITE, noNames.serverContext())) {
            String address = "https://127.0.0.1:" + bare.server().port() + "/";
            HttpClient client = HttpClient.newBuilder().sslContext(noNames.clientContext()).build();
            try {
                HttpRequest request = HttpRequest.newBuilder(URI.create(address)).timeout(Duration.ofSeconds(20)).build();
                assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.discarding()))
                        .isInstanceOf(SSLHandshakeException.class)
                        .hasMessageContaining("No subject alternative names present");
            } finally {
                if (client instanceof AutoCloseable closeable) {
                    closeable.close();
                }
            }
            if (installed("curl")) {
                Result curl = run("curl", "-sS", "--cacert", noNames.pem.toString(), address);
                assertThat(curl.exitCode()).as(curl.output()).isEqualTo(60);
            }
        }
    }

    @Test
    void aKeyUpdateFromOpensslIsAnsweredAtOnceAndTheConnectionGoesOn() throws Exception {
        assumeTrue(installed("openssl"), "openssl is not installed here");
        Process openssl = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + running.server().port(),
                "-servername", "localhost", "-CAfile", pem(), "-tls1_3", "-msg")
                .redirectErrorStream(true).start();
        StringBuffer output = new StringBuffer();
        Thread reader = readAll(openssl.getInputStream(), output);
        try (OutputStream keyboard = openssl.getOutputStream()) {
            type(keyboard, "GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> count(output, "HTTP/1.1 200 OK") == 1);

            type(keyboard, "K\n"); // s_client's command: send a KeyUpdate that asks for ours
            // The server's own KeyUpdate comes at once, not with its next data, nor at the idle
            // timeout's close (10 s): the engine asked for a wrap, and the read path did it.
            await().atMost(Duration.ofSeconds(5)).until(() -> count(output, "KeyUpdate") == 2);
            assertThat(output.toString()).contains(">>> TLS 1.3, Handshake [length 0005], KeyUpdate",
                    "<<< TLS 1.3, Handshake [length 0005], KeyUpdate");

            type(keyboard, "GET /about.html HTTP/1.1\r\nHost: x\r\n\r\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> count(output, "HTTP/1.1 200 OK") == 2);
            type(keyboard, "Q\n"); // close_notify, and s_client ends
        }
        assertThat(openssl.waitFor(20, TimeUnit.SECONDS)).isTrue();
        reader.join(20_000);
        assertThat(running.log()).contains("\"GET /style.css HTTP/1.1\" 200", "\"GET /about.html HTTP/1.1\" 200");
        assertThat(running.logLines("Got connection from")).isEqualTo(1);
    }

    private String pem() {
        return TestCertificate.localhost().pem.toString();
    }

    private String url(String path) {
        return "https://localhost:" + running.server().port() + path;
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private static boolean installed(String tool) {
        try {
            // "curl --version", "openssl version": a tool that answers is there
            Process process = new ProcessBuilder(tool, tool.equals("curl") ? "--version" : "version")
                    .redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(20, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static Thread readAll(InputStream in, StringBuffer into) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try {
                int count;
                while ((count = in.read(buffer)) != -1) {
                    into.append(new String(buffer, 0, count, StandardCharsets.ISO_8859_1));
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "openssl-output");
        thread.start();
        return thread;
    }

    private static void type(OutputStream keyboard, String text) throws IOException {
        keyboard.write(text.getBytes(StandardCharsets.US_ASCII));
        keyboard.flush();
    }

    private static int count(StringBuffer text, String part) {
        String all = text.toString();
        int count = 0;
        for (int from = all.indexOf(part); from >= 0; from = all.indexOf(part, from + part.length())) {
            count++;
        }
        return count;
    }
}
