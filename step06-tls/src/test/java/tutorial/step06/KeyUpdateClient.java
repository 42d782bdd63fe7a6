package tutorial.step06;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.Security;
import java.security.cert.CertificateFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A client JVM of its own whose keys wear out after 4 KiB: after a few responses its engine sends
 * a KeyUpdate that asks for the server's, in the middle of the connection. The limit is a
 * security property that the JDK reads once, so it needs a fresh JVM.
 *
 * <p>Usage: {@code KeyUpdateClient PORT PEM PATH REQUESTS}; prints each response's status line.
 */
public final class KeyUpdateClient {

    private KeyUpdateClient() {
    }

    public static void main(String[] args) throws Exception {
        Security.setProperty("jdk.tls.keyLimits", "AES/GCM/NoPadding KeyUpdate 2^12, ChaCha20-Poly1305 KeyUpdate 2^12");
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream pem = Files.newInputStream(Path.of(args[1]))) {
            trusted.setCertificateEntry("localhost", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 20_000);
        plain.setSoTimeout(20_000);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", 0, true)) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            for (int i = 0; i < Integer.parseInt(args[3]); i++) {
                out.write(("GET " + args[2] + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b == -1) {
                        throw new IllegalStateException("end of stream in a response head");
                    }
                    head.append((char) b);
                }
                int length = Integer.parseInt(head.toString().replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
                if (in.readNBytes(length).length != length) {
                    throw new IllegalStateException("end of stream in a response body");
                }
                System.out.println(head.substring(0, head.indexOf("\r\n")));
            }
        }
    }
}
