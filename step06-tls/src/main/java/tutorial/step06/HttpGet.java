package tutorial.step06;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * What curl does for one page, by hand, over TLS: send a GET as text, read until the server
 * closes, print what came back. A blocking {@link SSLSocket} does the TLS: a client has no loop to
 * share, so it needs no {@code SSLEngine}. It trusts what the JDK trusts, or what
 * {@code -Djavax.net.ssl.trustStore=FILE} names (the server's own key store will do). The request
 * asks for {@code Connection: close}, so the end of the response is
 * simply the end of the stream; a client that keeps the connection would have to count
 * Content-Length bytes instead, as browsers do.
 *
 * <p>Usage: {@code HttpGet [host] [port] [path]}, defaults 127.0.0.1 8443 /; a number alone is
 * the port. With no server there, one line says so and the exit status is 1.
 */
public final class HttpGet {

    private HttpGet() {
    }

    public static void main(String[] args) {
        // A number alone is the port. Taken as a host, "8443" would be the IPv4 address 0.0.32.251.
        if (args.length == 1 && args[0].matches("\\d+")) {
            args = new String[] {Arguments.DEFAULT_HOST, args[0]};
        }
        if (args.length > 3) {
            exitWithUsage("too many arguments");
        }
        if (args.length > 1 && args[0].matches("\\d+")) {
            exitWithUsage(args[0] + " is a port: give the host first, e.g. " + Arguments.DEFAULT_HOST + " " + args[0]);
        }
        if (args.length > 1 && (!args[1].matches("\\d{1,5}") || Integer.parseInt(args[1]) > 65535)) {
            exitWithUsage("not a port number: " + args[1]);
        }
        String host = args.length > 0 ? args[0] : Arguments.DEFAULT_HOST;
        int port = args.length > 1 ? Integer.parseInt(args[1]) : Arguments.DEFAULT_PORT;
        String path = args.length > 2 ? args[2] : "/";
        InetSocketAddress server = new InetSocketAddress(host, port);
        if (server.isUnresolved()) {
            exitWithUsage("unknown host " + host);
        }
        try {
            get(server, host + ":" + port, path);
        } catch (IOException e) {
            System.err.println(Arguments.cannotTalk(host, port, e));
            System.exit(1);
        }
    }

    private static void get(InetSocketAddress server, String hostAndPort, String path) throws IOException {
        SSLSocketFactory tls = (SSLSocketFactory) SSLSocketFactory.getDefault();
        try (SSLSocket socket = (SSLSocket) tls.createSocket(server.getHostString(), server.getPort())) {
            // An SSLSocket checks the certificate's chain, but not that it names this host,
            // unless asked: without this line any trusted certificate would do, a stranger's too.
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + hostAndPort + "\r\nConnection: close\r\n\r\n";
            SocketAddress peer = socket.getRemoteSocketAddress();
            byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
            socket.getOutputStream().write(bytes); // the handshake happens here, before the first byte
            Trace.wrote(bytes.length, peer);
            System.out.print(printable(readUntilClosed(socket.getInputStream(), peer)));
        }
    }

    private static void exitWithUsage(String problem) {
        System.err.println("usage: HttpGet [host] [port] [path] (" + problem + ")");
        System.exit(2);
    }

    private static byte[] readUntilClosed(InputStream in, SocketAddress peer) throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int count;
        while ((count = in.read(buffer)) != -1) {
            Trace.read(count, peer);
            response.write(buffer, 0, count);
        }
        return response.toByteArray();
    }

    /** The response as ASCII text: a byte that is not printable (an image, UTF-8) shows as '.'. */
    private static String printable(byte[] response) {
        StringBuilder text = new StringBuilder(response.length);
        for (byte b : response) {
            boolean printable = (b >= ' ' && b < 0x7F) || b == '\r' || b == '\n' || b == '\t';
            text.append(printable ? (char) b : '.');
        }
        return text.toString();
    }
}
