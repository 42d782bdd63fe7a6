package tutorial.step06;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The server's certificate and private key, read from a PKCS12 key store file, as the
 * {@link SSLContext} that every connection's {@link javax.net.ssl.SSLEngine} comes from.
 */
final class ServerCertificate {

    // tag::keytool[]
    /** How to make a key store for this server with the JDK alone (the README explains each part). */
    static final String KEYTOOL_COMMAND = "keytool -genkeypair -alias localhost -keyalg EC -groupname secp256r1"
            + " -dname CN=localhost -ext san=dns:localhost,ip:127.0.0.1 -validity 365"
            + " -storetype PKCS12 -keystore localhost.p12 -storepass changeit";
    // end::keytool[]

    private ServerCertificate() {
    }

    // tag::load[]
    static SSLContext load(Path keyStoreFile, char[] password) throws IOException, GeneralSecurityException {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStoreFile)) {
            keyStore.load(in, password); // a wrong password fails here
        }
        if (!keyStore.aliases().hasMoreElements() || !keyStore.isKeyEntry(keyStore.aliases().nextElement())) {
            throw new GeneralSecurityException("no private key in it"); // a certificate alone cannot sign
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, password); // keytool gives the key the store's password
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        // No trust managers: we ask no client for a certificate. Default randomness.
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }
    // end::load[]
}
