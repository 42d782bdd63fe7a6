package tutorial.step06;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A key store made with keytool, once per test run, the way the README says to make one, and its
 * certificate as PEM for {@code curl --cacert}. Clients in the tests trust this certificate and
 * nothing else.
 */
final class TestCertificate {

    static final String PASSWORD = "changeit";
    /** The names the certificate is valid for: what a client checks against the host in the URL. */
    static final String NAMES = "san=dns:localhost,ip:127.0.0.1";

    private static TestCertificate localhost;

    final Path keyStore;
    final Path pem;
    private SSLContext clientContext;

    private TestCertificate(Path keyStore, Path pem) {
        this.keyStore = keyStore;
        this.pem = pem;
    }

    /** The certificate for localhost and 127.0.0.1 (about 0.4 s the first time, then shared). */
    static synchronized TestCertificate localhost() {
        if (localhost == null) {
            localhost = make("-ext", NAMES);
        }
        return localhost;
    }

    /** A certificate made with keytool and these extra options. */
    static TestCertificate make(String... extraOptions) {
        try {
            Path folder = Files.createTempDirectory("step06-cert");
            Path keyStore = folder.resolve("localhost.p12");
            Path pem = folder.resolve("localhost.pem");
            folder.toFile().deleteOnExit(); // deleted last: files registered later go first
            keyStore.toFile().deleteOnExit();
            pem.toFile().deleteOnExit();
            List<String> generate = new ArrayList<>(List.of("-genkeypair", "-alias", "localhost", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=localhost", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", PASSWORD));
            generate.addAll(List.of(extraOptions));
            keytool(generate);
            keytool(List.of("-exportcert", "-rfc", "-alias", "localhost", "-keystore", keyStore.toString(),
                    "-storepass", PASSWORD, "-file", pem.toString()));
            return new TestCertificate(keyStore, pem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void keytool(List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(arguments);
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
                throw new IOException("keytool failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            keytool.destroy();
        }
    }

    /** What the server runs with: the key store read by the server's own code. */
    SSLContext serverContext() {
        try {
            return ServerCertificate.load(keyStore, PASSWORD.toCharArray());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The size of a whole TLS record, as the server's engine says: netIn's and netOut's (16,709 bytes). */
    static int packetBufferSize() {
        return localhost().serverContext().createSSLEngine().getSession().getPacketBufferSize();
    }

    /** The plaintext a whole record holds, as the server's engine says (16,704 bytes). */
    static int applicationBufferSize() {
        return localhost().serverContext().createSSLEngine().getSession().getApplicationBufferSize();
    }

    /** What a client needs to trust this server: the certificate as its only trust anchor. */
    synchronized SSLContext clientContext() {
        if (clientContext == null) {
            clientContext = newClientContext(); // one for all clients: it also keeps their session tickets
        }
        return clientContext;
    }

    /** The same trust in a context of its own: no session ticket to resume, a whole handshake. */
    SSLContext newClientContext() {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            try (InputStream in = Files.newInputStream(pem)) {
                trusted.setCertificateEntry("localhost", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
