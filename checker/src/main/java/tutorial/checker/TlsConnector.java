package tutorial.checker;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS under the HTTP checks, as a careful client does it: TLS 1.3 only, the server's certificate
 * trusted only if it is (or is signed by) one given with {@code --cacert}, and its names checked
 * against the host the checker was told to connect to, as a browser checks them ("HTTPS"
 * endpoint identification: a certificate for {@code localhost} does not do for
 * {@code 127.0.0.1} unless it names that address too). The HTTP checks get an {@link SSLSocket};
 * the TLS checks an {@link SSLEngine} that trusts the same ({@link #clientEngine}).
 */
final class TlsConnector implements Connector {

    /** How to get the PEM file from step 06's key store (the command of its README). */
    static final String KEYTOOL_EXPORT = "keytool -exportcert -rfc -alias localhost -keystore localhost.p12"
            + " -storepass changeit -file localhost.pem";
    static final String PROTOCOL = "TLSv1.3";
    /** Where a FAIL sends the learner when the handshake fails: the certificate, or TLS itself. */
    static final String CERTIFICATE_DOCS = "docs/07-tls.md#a-certificate";
    static final String HANDSHAKE_DOCS = "docs/07-tls.md#the-handshake-as-the-loop-sees-it";

    /** A TLS handshake that failed, said in one line, with the chapter section that helps. */
    static final class HandshakeFailed extends SSLException {
        private static final long serialVersionUID = 1L;
        private final String learn;

        HandshakeFailed(String message, Throwable cause, String learn) {
            super(message, cause);
            this.learn = learn;
        }

        String learn() {
            return learn;
        }
    }

    private final TrustManager[] trustManagers;
    private final SSLContext context;
    private final String trusted;

    private TlsConnector(TrustManager[] trustManagers, String trusted) throws GeneralSecurityException {
        this.trustManagers = trustManagers;
        this.context = newContext(trustManagers);
        this.trusted = trusted;
    }

    /** A connector that trusts the certificates of a PEM (or DER) file and nothing else. */
    static TlsConnector trusting(Path certificates) throws IOException, GeneralSecurityException {
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        Collection<? extends Certificate> found;
        try (InputStream in = Files.newInputStream(certificates)) {
            found = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (found.isEmpty()) {
            throw new GeneralSecurityException("no certificate in it");
        }
        int i = 0;
        String subject = null;
        for (Certificate certificate : found) {
            anchors.setCertificateEntry("trusted-" + i++, certificate);
            if (subject == null && certificate instanceof X509Certificate x509) {
                subject = x509.getSubjectX500Principal().getName();
            }
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(anchors);
        return new TlsConnector(trust.getTrustManagers(), certificates.getFileName() + (subject == null ? "" : " (" + subject + ")"));
    }

    private static SSLContext newContext(TrustManager[] trustManagers) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers, null); // no client certificate
        return context;
    }

    @Override
    public Link open(InetSocketAddress address, Duration timeout, int receiveBufferBytes, Wire wire, String who)
            throws IOException {
        TappedSocket tcp = new TappedSocket(who);
        try {
            Connector.connect(tcp, address, timeout, receiveBufferBytes);
            tcp.setSoTimeout((int) timeout.toMillis()); // for the handshake's reads too
            // Layered on our TCP socket, which we close ourselves (autoClose false: a failed handshake
            // leaves it open, and what the server said is still there to show). The host name as
            // given: it is what the certificate must name.
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, address.getHostString(),
                    address.getPort(), false);
            tls.setSSLParameters(parameters(tls.getSSLParameters()));
            try {
                tls.startHandshake();
            } catch (IOException e) {
                tcp.tapWhatIsLeft(); // the server's answer, when it is no TLS, is all here already
                tcp.tap.copyTo(wire); // a failed handshake: show what went to and fro
                throw handshakeFailed(e, address, timeout);
            }
            tcp.tapping = false; // from here on, the checks record the plaintext
            return new Link(tls, tcp);
        } catch (IOException e) {
            tcp.close();
            throw e;
        }
    }

    /**
     * The client side of a TLS connection to {@code address}, configured as the sockets are, from a
     * context of its own: it has no session to resume, so its handshake is a whole one every time
     * (the sockets' context resumes sessions, as a browser does).
     */
    SSLEngine clientEngine(InetSocketAddress address) throws SSLException {
        SSLContext fresh;
        try {
            fresh = newContext(trustManagers);
        } catch (GeneralSecurityException e) {
            throw new SSLException(e);
        }
        SSLEngine engine = fresh.createSSLEngine(address.getHostString(), address.getPort());
        engine.setUseClientMode(true);
        engine.setSSLParameters(parameters(engine.getSSLParameters()));
        return engine;
    }

    /** Why a handshake failed, in one line, with a hint where the cause is a usual one. */
    HandshakeFailed handshakeFailed(IOException e, InetSocketAddress address, Duration timeout) {
        if (e instanceof SocketTimeoutException) {
            return new HandshakeFailed("no answer to the TLS handshake in " + Wire.seconds(timeout)
                    + " (is the server busy with another connection, or does it speak no TLS on this port?)", e,
                    HANDSHAKE_DOCS);
        }
        String message = String.valueOf(e.getMessage());
        String hint = "";
        if (message.contains("PKIX path")) {
            hint = " (the server's certificate is not the one in --cacert " + trusted + ", nor signed by it)";
        } else if (message.contains("subject alternative name")) {
            hint = " (the certificate does not name " + address.getHostString() + ": connect by a name it has, or make"
                    + " it with keytool -ext san=dns:localhost,ip:127.0.0.1)";
        } else if (message.contains("nrecognized SSL message")) {
            hint = " (the server did not answer in TLS: does it speak TLS on this port?)";
        } else if (message.contains("client_hello")) {
            hint = " (our own ClientHello came back: an echo server?)";
        }
        return new HandshakeFailed("TLS handshake failed: " + message + hint, e, learnFor(e));
    }

    /** The chapter section for a TLS failure: the certificate's, or the handshake's. */
    static String learnFor(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause()) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("PKIX path") || message.contains("subject alternative name")
                    || e instanceof java.security.cert.CertificateException) {
                return CERTIFICATE_DOCS;
            }
        }
        return HANDSHAKE_DOCS;
    }

    private static SSLParameters parameters(SSLParameters parameters) {
        parameters.setProtocols(new String[] {PROTOCOL});
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // check the server's names as a browser does
        return parameters;
    }

    /** "TLS 1.3, trusting localhost.pem (CN=localhost)" */
    String describe() {
        return "TLS 1.3, trusting " + trusted;
    }

    @Override
    public String scheme() {
        return "https";
    }

    @Override
    public HttpClient.Builder httpClient() {
        // HttpClient checks the names on the certificate against the host of the URL by itself.
        SSLParameters parameters = new SSLParameters();
        parameters.setProtocols(new String[] {PROTOCOL});
        return HttpClient.newBuilder().sslContext(context).sslParameters(parameters);
    }

    /**
     * A TCP socket that puts what passes through it on a wire log of its own while {@code tapping}
     * is on: the handshake. If the handshake fails, that log shows what the server answered (step
     * 05's "HTTP/1.1 400", an echo of our ClientHello...). An SSLSocket layered on a socket reads
     * and writes through that socket's streams, so it reads through these.
     */
    private static final class TappedSocket extends Socket {
        private final String who;
        private final Wire tap = new Wire();
        private volatile boolean tapping = true;

        TappedSocket(String who) {
            this.who = who;
        }

        /** Puts on the tap what has arrived and is not read yet (without waiting for more). */
        void tapWhatIsLeft() {
            try {
                InputStream in = super.getInputStream();
                int waiting = Math.min(in.available(), 8192);
                byte[] left = in.readNBytes(waiting);
                tap.received(who, left, 0, left.length);
            } catch (IOException e) {
                // closed already: nothing more to show
            }
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return new FilterInputStream(super.getInputStream()) {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) == -1 ? -1 : one[0] & 0xFF;
                }

                @Override
                public int read(byte[] bytes, int offset, int length) throws IOException {
                    int read = in.read(bytes, offset, length);
                    if (tapping) {
                        if (read > 0) {
                            tap.received(who, bytes, offset, read);
                        } else if (read == -1) {
                            tap.note(who, "got end of stream");
                        }
                    }
                    return read;
                }
            };
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            return new FilterOutputStream(super.getOutputStream()) {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    if (tapping) {
                        tap.sent(who, bytes, offset, length);
                    }
                    out.write(bytes, offset, length); // whole: FilterOutputStream would write byte by byte
                }
            };
        }
    }
}
