package tutorial.checker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A key store and its certificate as PEM, made at test time with the JDK's keytool the way step
 * 06's README makes them (about 0.4 s): the key store for a TLS server, the PEM for the checker's
 * {@code --cacert}.
 */
final class TestCertificate {

    static final String PASSWORD = "changeit";
    /** The names of step 06's README: a client may call the server localhost or 127.0.0.1. */
    static final String LOCALHOST_AND_LOOPBACK = "san=dns:localhost,ip:127.0.0.1";

    final Path keyStore;
    final Path pem;

    private TestCertificate(Path keyStore, Path pem) {
        this.keyStore = keyStore;
        this.pem = pem;
    }

    /** Makes {@code folder/NAME.p12} and {@code folder/NAME.pem} for CN=localhost with the names {@code san}. */
    static TestCertificate make(Path folder, String name, String san) throws IOException {
        Path keyStore = folder.resolve(name + ".p12");
        Path pem = folder.resolve(name + ".pem");
        keytool(List.of("-genkeypair", "-alias", "localhost", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", san, "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", PASSWORD));
        keytool(List.of("-exportcert", "-rfc", "-alias", "localhost", "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-file", pem.toString()));
        return new TestCertificate(keyStore, pem);
    }

    /** What a TLS server in the tests serves with: this key and certificate, TLS 1.3. */
    SSLContext serverContext() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keys.getKeyManagers(), null, null);
        return context;
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
}
