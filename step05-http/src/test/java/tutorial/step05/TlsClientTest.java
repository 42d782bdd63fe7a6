package tutorial.step05;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Limitation: step 05 speaks plain HTTP only. A client that starts with a TLS handshake gets a
 * plain-text HTTP answer to its hello, which it cannot read as TLS. Step 06 adds TLS.
 */
class TlsClientTest {

    // Short, so that a hello with no line feed in it (the server then waits for the rest of the
    // "request line") is answered soon, with 408.
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);

    private RunningServer running;

    @BeforeEach
    void start() throws IOException {
        running = new RunningServer(RunningServer.builtInSite(), IDLE_TIMEOUT);
    }

    @AfterEach
    void stop() {
        running.close();
    }

    @Test
    @Tag("limitation")
    @Tag("fixed-in-step06")
    @DisplayName("limitation: the JDK's HttpClient on https:// fails, 'Unrecognized SSL message, plaintext connection?' (TLS in step 06)")
    void theJdkHttpClientOnHttpsFindsPlainText() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + running.server().port() + "/"))
                    .timeout(Duration.ofSeconds(20)).build();

            // The client reads the first bytes of our answer, "HTTP/1.1 4", as a TLS record
            // header: type 'H' (72) is no TLS content type (20 to 24), so it gives up.
            assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.discarding()))
                    .isInstanceOf(SSLException.class)
                    .hasMessageContaining("Unrecognized SSL message, plaintext connection?");
        } finally {
            if (client instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
        // Its hello got an HTTP error: 400 if a byte of it was a line feed, else 408 at the timeout.
        await().atMost(Duration.ofSeconds(20)).until(() -> running.log().matches("(?s).*\"-\" 40[08] \\d+.*"));
    }

    @Test
    @Tag("limitation")
    @Tag("fixed-in-step06")
    @DisplayName("limitation: bytes that are not HTTP, such as the start of a TLS hello, get 400 (TLS in step 06)")
    void theStartOfATlsHelloIsABadRequestHere() throws IOException {
        try (RawClient client = running.connect()) {
            // A handshake record's header (type 22, version 3.1, length 512), the hello's first
            // bytes, and a line feed, which a hello's random bytes contain more often than not.
            client.send(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03, 0x0a});

            RawClient.RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.bodyText()).isEqualTo("400 Bad Request: control character in the request\n");
            assertThat(client.closedByServer()).isTrue();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> running.log().contains("\"-\" 400 "));
    }

    @Test
    @Tag("limitation")
    @Tag("fixed-in-step06")
    @DisplayName("limitation: curl on https:// exits 35, 'wrong version number' (TLS in step 06)")
    void curlOnHttpsExits35() throws Exception {
        assumeTrue(curlInstalled(), "curl is not installed here");
        Process curl = new ProcessBuilder("curl", "-sS", "https://127.0.0.1:" + running.server().port() + "/")
                .redirectErrorStream(true).start();

        String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as(output).isEqualTo(35); // CURLE_SSL_CONNECT_ERROR
        assertThat(output).contains("wrong version number"); // OpenSSL's words for "this is not TLS"
    }

    private static boolean curlInstalled() {
        try {
            Process process = new ProcessBuilder("curl", "--version").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(20, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
