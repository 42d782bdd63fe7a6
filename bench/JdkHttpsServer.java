import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The comparison server for step 06 in bench/run: the JDK's built-in
 * com.sun.net.httpserver.HttpsServer with bench/JdkHttpServer.java's handler (the same static
 * files, read once and served from memory), the same key store as step 06 (PKCS12, the key's
 * password the store's) and TLS 1.3 only, as step 06.
 *
 * Set up as JdkHttpServer: bench/run starts it with -Dsun.net.httpserver.nodelay=true (Nagle off)
 * and room for 1,000 idle keep-alive connections. With no executor (the default) each exchange runs
 * on the server's dispatcher thread, its TLS handshake included, in blocking mode: while it waits
 * for one client's handshake message, every other connection waits too. --threads N hands the
 * exchanges to a pool of N threads instead; bench/run measures both.
 *
 * Usage: java bench/JdkHttpsServer.java [--host HOST] [--port PORT] [--root DIR] [--threads N]
 *        --keystore FILE --storepass PASS
 */
public class JdkHttpsServer {

    private static final String USAGE =
            "usage: JdkHttpsServer [--host HOST] [--port PORT] [--root DIR] [--threads N] --keystore FILE --storepass PASS";

    public static void main(String[] args) throws IOException {
        String host = "127.0.0.1";
        int port = 8444;
        Path root = Path.of(".");
        int threads = 0;
        Path keyStore = null;
        char[] password = null;
        try {
            for (int i = 0; i < args.length; i += 2) {
                String value = args[i + 1];
                switch (args[i]) {
                    case "--host" -> host = value;
                    case "--port" -> port = Integer.parseInt(value);
                    case "--root" -> root = Path.of(value);
                    case "--threads" -> threads = Integer.parseInt(value);
                    case "--keystore" -> keyStore = Path.of(value);
                    case "--storepass" -> password = value.toCharArray();
                    default -> throw new IllegalArgumentException(args[i]);
                }
            }
            if (keyStore == null || password == null) {
                throw new IllegalArgumentException("--keystore and --storepass are required");
            }
        } catch (RuntimeException e) {
            System.err.println(USAGE);
            System.exit(2);
        }
        SSLContext context;
        try {
            context = tls13(keyStore, password);
        } catch (IOException | GeneralSecurityException e) {
            System.err.println(USAGE + " (cannot use the key store " + keyStore + ": " + e.getMessage() + ")");
            System.exit(2);
            return;
        }
        Path documentRoot = root.toAbsolutePath().normalize();
        Map<String, byte[]> cache = new ConcurrentHashMap<>();

        HttpsServer server = HttpsServer.create(new InetSocketAddress(host, port), 1024);
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
                parameters.setProtocols(new String[] {"TLSv1.3"}); // as step 06: no TLS 1.2
                params.setSSLParameters(parameters);
            }
        });
        server.createContext("/", exchange -> JdkHttpServer.serve(exchange, documentRoot, cache));
        if (threads > 0) {
            server.setExecutor(Executors.newFixedThreadPool(threads));
        }
        server.start();
        System.out.println("Listening on https://" + host + ":" + server.getAddress().getPort() + "/");
        System.out.println("nodelay=" + System.getProperty("sun.net.httpserver.nodelay", "false")
                + " threads=" + (threads > 0 ? threads : "dispatcher") + " protocols=TLSv1.3");
    }

    /** Step 06's ServerCertificate.load, in short: the key and certificate of a PKCS12 store, TLS 1.3. */
    private static SSLContext tls13(Path keyStoreFile, char[] password) throws IOException, GeneralSecurityException {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStoreFile)) {
            keyStore.load(in, password);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, password);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }
}
