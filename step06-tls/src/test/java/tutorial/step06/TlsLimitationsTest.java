package tutorial.step06;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** What step 06 does not do, shown: each is what a real server does next (docs/07-tls.md). */
class TlsLimitationsTest {

    private static final Path SITE = RunningServer.builtInSite();
    private static final Duration SLOW_KEY = Duration.ofMillis(500);

    @Test
    @Tag("limitation") // what real servers do next; no step of this tutorial does
    @DisplayName("limitation: the handshake's crypto runs on the loop thread, so a slow key (500 ms) delays every other client by as much")
    void aSlowHandshakeDelaysARequestOnAnotherConnection() throws Exception {
        SlowKeyManager keys = new SlowKeyManager();
        SSLContext serverContext = SSLContext.getInstance("TLSv1.3");
        serverContext.init(new javax.net.ssl.KeyManager[] {keys}, null, null);
        try (RunningServer running = new RunningServer(SITE, serverContext);
                RawClient first = running.connect()) { // its handshake is quick: the key is not slow yet
            keys.slowFromNow();
            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> connectWithANewSession(running));
            assertThat(keys.entered.await(20, TimeUnit.SECONDS)).isTrue(); // the loop is in the slow task now

            first.send("GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(first.readResponse().status()).isEqualTo(200);
            long waited = System.nanoTime() - keys.enteredAt.get();

            assertThat(Duration.ofNanos(waited)).as("the first client waited for the second one's key")
                    .isGreaterThanOrEqualTo(SLOW_KEY);
            second.get(20, TimeUnit.SECONDS);
            assertThat(running.log()).containsPattern("TLS handshake work for /127.0.0.1:\\d+ took \\d{3,} ms on the loop thread");
        }
    }

    @Test
    @Tag("limitation") // what real servers do next; no step of this tutorial does
    @DisplayName("limitation: an idle connection keeps its two record buffers, 33,418 bytes in the memory budget"
            + " (step 05's idle connection: none), about 42 KiB of heap with its SSLEngine")
    void anIdleConnectionKeepsTwoBuffersOfAWholeRecord() throws IOException {
        int connections = 10;
        List<RawClient> idle = new ArrayList<>();
        try (RunningServer running = new RunningServer(SITE)) {
            try {
                for (int i = 0; i < connections; i++) {
                    RawClient client = running.connect();
                    idle.add(client);
                    // A request answered (a 404: no file kept in memory), and then nothing: keep-alive, idle.
                    assertThat(client.send("GET /no-such-page HTTP/1.1\r\nHost: x\r\n\r\n").readResponse().status())
                            .isEqualTo(404);
                }

                // The loop counts a response as sent just after the socket took it: the client may
                // have read the last one a moment before.
                long eachIdle = 2L * TestCertificate.packetBufferSize();
                await().atMost(Duration.ofSeconds(10)).until(() -> running.server().stats().bufferedBytes() == connections * eachIdle);

                // 16,709 bytes of records in, 16,709 out, on JDK 17 and 25: whole records, from accept to close
                assertThat(eachIdle).isEqualTo(33_418);
            } finally {
                for (RawClient client : idle) {
                    client.close();
                }
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> running.server().openConnections() == 0);
            assertThat(running.server().stats().bufferedBytes()).as("given back at the close").isZero();
        }
    }

    @Test
    @Tag("limitation") // what real servers do next; no step of this tutorial does
    @DisplayName("limitation: HTTP/1.1 only: a client that offers h2 by ALPN gets HTTP/1.1")
    void aClientOfferingHttp2GetsHttp11() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .sslContext(TestCertificate.localhost().clientContext()).build();
        try (RunningServer running = new RunningServer(SITE)) {
            HttpRequest request = HttpRequest.newBuilder(running.uri("/")).timeout(Duration.ofSeconds(20)).build();

            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        } finally {
            if (client instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
        try (RunningServer running = new RunningServer(SITE);
                SSLSocket socket = (SSLSocket) TestCertificate.localhost().clientContext().getSocketFactory()
                        .createSocket("127.0.0.1", running.server().port())) {
            socket.setSoTimeout(20_000);
            var parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            socket.setSSLParameters(parameters);

            socket.startHandshake();

            assertThat(socket.getApplicationProtocol()).as("the server's choice, by ALPN").isEqualTo("http/1.1");
        }
    }

    /** A fresh client context: no session ticket to resume with, so the server does the whole handshake. */
    private static void connectWithANewSession(RunningServer running) {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", running.server().port()), 20_000);
            plain.setSoTimeout(20_000);
            SSLContext fresh = TestCertificate.localhost().newClientContext();
            try (SSLSocket socket = (SSLSocket) fresh.getSocketFactory().createSocket(plain, "localhost", 0, false)) {
                socket.startHandshake();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The test certificate's key, handed out after a pause, as a slow disk or a hardware key would. */
    private static final class SlowKeyManager extends X509ExtendedKeyManager {

        private final X509ExtendedKeyManager real;
        private volatile boolean slow;
        final CountDownLatch entered = new CountDownLatch(1);
        final AtomicLong enteredAt = new AtomicLong();

        SlowKeyManager() throws Exception {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            try (var in = java.nio.file.Files.newInputStream(TestCertificate.localhost().keyStore)) {
                store.load(in, TestCertificate.PASSWORD.toCharArray());
            }
            factory.init(store, TestCertificate.PASSWORD.toCharArray());
            real = (X509ExtendedKeyManager) factory.getKeyManagers()[0];
        }

        void slowFromNow() {
            slow = true;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            if (slow) {
                enteredAt.set(System.nanoTime());
                entered.countDown();
                try {
                    // The slow key's work itself, on the loop's thread, as a hardware key's 500 ms would
                    // be: nothing synchronizes on it (the test waits on `entered`, then measures).
                    Thread.sleep(SLOW_KEY.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return real.chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return real.getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return real.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return real.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return real.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return real.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return real.getPrivateKey(alias);
        }
    }
}
