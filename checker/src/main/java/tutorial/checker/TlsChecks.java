package tutorial.checker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * The checks of a TLS server, step 06: what lies under HTTP once TLS is there. The records a
 * server must put back together however they are cut, the close_notify each side owes the other,
 * and plain text refused. Step 06 also passes step 05's HTTP checks, run over TLS.
 */
final class TlsChecks {

    private static final String DOCS = "docs/07-tls.md#";
    // How long the server's FIN may take to follow its close_notify before the client answers
    // with its own: a server that closes at once sends both together.
    private static final Duration FIN_ON_ITS_OWN = Duration.ofSeconds(1);
    // A TLS record starts with its content type (20 to 24) and the major version 3.
    private static final int FIRST_CONTENT_TYPE = 20;
    private static final int LAST_CONTENT_TYPE = 24;
    private static final int HANDSHAKE = 22;
    private static final int ALERT = 21;
    private static final int SERVER_HELLO = 2;
    private static final Map<Integer, String> ALERTS = Map.ofEntries(Map.entry(0, "close_notify"),
            Map.entry(10, "unexpected_message"), Map.entry(20, "bad_record_mac"), Map.entry(22, "record_overflow"),
            Map.entry(40, "handshake_failure"), Map.entry(42, "bad_certificate"), Map.entry(46, "certificate_unknown"),
            Map.entry(47, "illegal_parameter"), Map.entry(50, "decode_error"), Map.entry(51, "decrypt_error"),
            Map.entry(70, "protocol_version"), Map.entry(80, "internal_error"), Map.entry(90, "user_canceled"),
            Map.entry(109, "missing_extension"), Map.entry(110, "unsupported_extension"),
            Map.entry(112, "unrecognized_name"), Map.entry(120, "no_application_protocol"));

    private TlsChecks() {
    }

    static List<Check> all() {
        return List.of(
                tls("tls-records-split-at-every-byte-boundary", "a ClientHello cut in two at every byte, and a handshake and"
                        + " request sent one byte per write, are put back together",
                        "read-unwrap-while-anything-moves", TlsChecks::recordsSplit),
                tls("close-notify-is-answered-with-close-notify", "a client's close_notify (after a request, or right behind"
                        + " one) gets the answer, the server's close_notify, then its FIN", "the-close",
                        TlsChecks::closeNotifyAnswered),
                tls("server-sends-close-notify-before-its-fin", "after Connection: close, the server's close_notify comes"
                        + " before its FIN", "the-close", TlsChecks::closeNotifyBeforeFin),
                tls("plain-http-to-the-tls-port-is-refused", "plain HTTP to the TLS port gets no answer in plain text, then a"
                        + " clean close", "the-close", TlsChecks::plainHttpRefused));
    }

    private static Check tls(String name, String lesson, String anchor, Check.Body body) {
        return new Check(name, Catalog.TLS_STEP, Check.Kind.TLS, lesson, DOCS + anchor, body);
    }

    /** The TLS connector of the run: a TLS check is only run with one (--cacert). */
    static TlsConnector connector(CheckContext context) {
        if (context.settings().connector() instanceof TlsConnector tls) {
            return tls;
        }
        throw new IllegalStateException("a TLS check runs only with a TLS connector (--cacert)");
    }

    // ---- the checks ----

    static String recordsSplit(CheckContext context) throws CheckFailed, IOException, InterruptedException {
        String request = HttpChecks.request(context, "GET", "/", "Connection: close");
        HttpResponse expected = HttpChecks.requireStatus(HttpChecks.exchange(context, "client", request, "GET"), 200, "GET /");
        // The first record of every handshake: one ClientHello, sent again on every connection.
        byte[] hello = clientHello(context);
        for (int split = 1; split < hello.length; split++) {
            requireServerHello(context, hello, split);
        }
        // Then a whole conversation, every byte of every record in a write of its own.
        TlsPeer peer;
        try {
            peer = TlsPeer.connect(context, "client", TlsPeer.Pace.ONE_BYTE_PER_WRITE);
        } catch (CheckFailed e) {
            throw e.after("the ClientHello cut anywhere got a ServerHello; the handshake sent one byte per write failed");
        }
        long handshakeBytes = peer.bytesSent();
        HttpConnection connection = HttpConnection.over(peer, context);
        connection.send(request);
        HttpChecks.requireSame(expected, connection.read("GET"), "GET / sent one byte per write, after a handshake sent"
                + " the same way", connection.name());
        return "the ClientHello (" + hello.length + " bytes) cut in two at each of its " + (hello.length - 1) + " split points,"
                + " a connection each: " + (hello.length - 1) + " ServerHellos; then the handshake (" + handshakeBytes
                + " bytes) and GET / (" + (peer.bytesSent() - handshakeBytes) + " bytes of records) sent one byte per write:"
                + " the answer equal to the whole request's (" + expected.summary() + ")";
    }

    /** The first bytes a client sends: its ClientHello record, from an engine of the same configuration. */
    private static byte[] clientHello(CheckContext context) throws SSLException {
        SSLEngine engine = connector(context).clientEngine(context.settings().address());
        ByteBuffer record = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), record);
        return Arrays.copyOf(record.array(), record.position());
    }

    /** Sends {@code hello} in two pieces, cut after byte {@code split}, and FAILs unless a ServerHello comes back. */
    private static void requireServerHello(CheckContext context, byte[] hello, int split)
            throws CheckFailed, InterruptedException {
        String who = "split";
        String sent = "the ClientHello (" + hello.length + " bytes) cut after byte " + split + " (" + split + " + "
                + (hello.length - split) + " bytes, 2 ms apart)";
        try (Socket socket = plainSocket(context, who)) {
            socket.getOutputStream().write(hello, 0, split);
            context.wire().sent(who, hello, 0, split);
            // A pause, so that the first piece arrives, and is read, on its own.
            Thread.sleep(2);
            context.wire().note(who, "paused 2 ms");
            socket.getOutputStream().write(hello, split, hello.length - split);
            context.wire().sent(who, hello, split, hello.length - split);
            byte[] answer = readAtLeast(socket, 6, context, who);
            if (answer.length >= 6 && answer[0] == HANDSHAKE && answer[1] == 3 && answer[5] == SERVER_HELLO) {
                return;
            }
            throw new CheckFailed(sent + " got " + describe(answer) + " where a ServerHello was due (a record that"
                    + " arrives in pieces is kept until it is whole, like half a request line)", who);
        } catch (SocketTimeoutException e) {
            context.wire().silence(who, context.timeout());
            throw new CheckFailed(sent + " got no answer in " + Wire.seconds(context.timeout()) + " (a record that arrives"
                    + " in pieces is kept until it is whole, and then read)", who);
        } catch (IOException e) {
            context.wire().note(who, "got an error: " + e.getMessage());
            throw new CheckFailed(sent + ": the connection failed: " + e.getMessage(), who);
        }
    }

    static String closeNotifyAnswered(CheckContext context) throws CheckFailed, IOException {
        TlsPeer first = TlsPeer.connect(context, "A", TlsPeer.Pace.WHOLE);
        HttpConnection a = HttpConnection.over(first, context);
        a.send(HttpChecks.request(context, "GET", "/"));
        HttpResponse answer = HttpChecks.requireStatus(a.read("GET"), 200, "GET /");
        first.sendCloseNotify();
        String end = requireCloseNotifyThenFin(context, first, a, "after GET / (" + answer.summary() + "), A sent close_notify");
        // The last request and the close_notify in one read: the request is owed its answer all the same.
        TlsPeer second = TlsPeer.connect(context, "B", TlsPeer.Pace.WHOLE);
        HttpConnection b = HttpConnection.over(second, context);
        second.sendWithCloseNotify(HttpChecks.request(context, "GET", "/").getBytes(StandardCharsets.ISO_8859_1));
        String both = "B sent GET / and close_notify right behind it, in one write";
        HttpResponse last;
        try {
            last = HttpChecks.requireStatus(b.read("GET"), 200, "GET /");
        } catch (CheckFailed e) {
            throw e.after(end + "; then " + both + " (close_notify ends the client's side only: the request before it"
                    + " is owed its answer)");
        }
        return end + "; " + requireCloseNotifyThenFin(context, second, b, both + ", got " + last.summary());
    }

    static String closeNotifyBeforeFin(CheckContext context) throws CheckFailed, IOException {
        TlsPeer peer = TlsPeer.connect(context, "client", TlsPeer.Pace.WHOLE);
        HttpConnection connection = HttpConnection.over(peer, context);
        connection.send(HttpChecks.request(context, "GET", "/", "Connection: close"));
        HttpResponse answer = HttpChecks.requireStatus(connection.read("GET"), 200, "GET / with Connection: close");
        return requireCloseNotifyThenFin(context, peer, connection, "GET / with Connection: close got " + answer.summary());
    }

    /** After the answers: the server's close_notify, then its FIN; FAILs on a bare FIN, a reset, or silence. */
    private static String requireCloseNotifyThenFin(CheckContext context, TlsPeer peer, HttpConnection connection,
            String before) throws CheckFailed, IOException {
        long start = System.nanoTime();
        int next;
        try {
            next = connection.input().read(); // the server's plaintext: -1 at its end, whichever end that is
        } catch (SocketTimeoutException e) {
            context.wire().silence(peer.name(), context.timeout());
            throw new CheckFailed(before + "; then nothing for " + Wire.seconds(context.timeout())
                    + ": no close_notify, and the connection still open", peer.name());
        } catch (IOException e) {
            throw new CheckFailed(before + "; then the connection failed (" + e.getMessage() + ") where close_notify"
                    + " was due", peer.name());
        }
        if (next != -1) {
            throw new CheckFailed(before + "; then more bytes came where close_notify was due", peer.name());
        }
        if (!peer.closeNotifyReceived()) {
            throw new CheckFailed(before + "; then a bare FIN, with no close_notify before it (the client cannot tell"
                    + " this end from a connection cut by someone else)", peer.name());
        }
        String came = "the server's close_notify came in " + EchoChecks.millisSince(start);
        if (peer.awaitEndOfStream(FIN_ON_ITS_OWN)) {
            return before + ": " + came + ", then its FIN";
        }
        if (!peer.closeNotifySent()) {
            // Some servers (OpenSSL's s_server) wait for the client's close_notify before their
            // FIN; a client such as curl sends it: so do we.
            peer.sendCloseNotify();
            if (peer.awaitEndOfStream(context.timeout())) {
                return before + ": " + came + "; its FIN once the client had answered with its own close_notify";
            }
        }
        context.wire().silence(peer.name(), context.timeout());
        throw new CheckFailed(before + "; " + came + ", but then no FIN for " + Wire.seconds(context.timeout())
                + " (after its close_notify, the server closes the connection)", peer.name());
    }

    static String plainHttpRefused(CheckContext context) throws CheckFailed {
        String who = "client";
        String request = HttpChecks.request(context, "GET", "/");
        long start = System.nanoTime();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        try (Socket socket = plainSocket(context, who)) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            context.wire().sent(who, request.getBytes(StandardCharsets.ISO_8859_1), 0, request.length());
            InputStream in = socket.getInputStream();
            byte[] piece = new byte[8192];
            // Bytes that come on and on, each within the timeout, must not hold the check for ever.
            long giveUp = start + context.timeout().multipliedBy(2).toNanos();
            int read;
            while ((read = in.read(piece)) != -1) {
                if (System.nanoTime() - giveUp > 0) {
                    throw new SocketTimeoutException("still sending");
                }
                answer.write(piece, 0, read);
                context.wire().received(who, piece, 0, read);
                String refusal = refusalSoFar(answer.toByteArray(), request);
                if (refusal != null) {
                    throw new CheckFailed("GET / in plain text got " + refusal, who);
                }
            }
            context.wire().note(who, "got end of stream");
        } catch (SocketTimeoutException e) {
            context.wire().silence(who, context.timeout());
            throw new CheckFailed("GET / in plain text got " + (answer.size() == 0 ? "nothing" : describe(answer.toByteArray()))
                    + ", and the connection was still open " + Wire.seconds(context.timeout()) + " later (a TLS server closes"
                    + " a connection whose first bytes are not TLS)", who);
        } catch (IOException e) {
            context.wire().note(who, "got an error: " + e.getMessage());
            throw new CheckFailed("GET / in plain text got " + (answer.size() == 0 ? "nothing" : describe(answer.toByteArray()))
                    + ", then the connection failed (" + e.getMessage() + "), where a clean close (FIN) was due", who);
        }
        byte[] got = answer.toByteArray();
        return "GET / in plain text got " + (got.length == 0 ? "no byte back" : describe(got)) + ", then end of stream, in "
                + EchoChecks.millisSince(start) + (isHttp(got) ? " (chapter 07's exercise 2: a redirect to https is fine)" : "");
    }

    /** Null while what came can still be a clean refusal; otherwise what makes it none. */
    private static String refusalSoFar(byte[] got, String request) {
        if (isHttp(got)) {
            HttpResponse.Head head = headOf(got);
            if (head == null) {
                return null; // the head is not all here yet
            }
            String location = head.header("Location");
            boolean redirect = head.status() / 100 == 3 && location != null && location.startsWith("https://");
            return redirect ? null : describe(got) + ": an HTTP answer in plain text (a TLS server speaks no plain HTTP;"
                    + " a redirect to https:// would do)";
        }
        if (got.length < 5 && "HTTP/".startsWith(new String(got, StandardCharsets.ISO_8859_1))) {
            return null; // may yet become "HTTP/"
        }
        boolean tls = (got[0] & 0xFF) >= FIRST_CONTENT_TYPE && (got[0] & 0xFF) <= LAST_CONTENT_TYPE
                && (got.length < 2 || got[1] == 3);
        String text = new String(got, StandardCharsets.ISO_8859_1);
        return tls ? null : describe(got) + ": neither TLS nor HTTP" + (request.startsWith(text) ? " (our own request, echoed)" : "");
    }

    private static boolean isHttp(byte[] got) {
        return got.length >= 5 && new String(got, 0, 5, StandardCharsets.ISO_8859_1).equals("HTTP/");
    }

    /** The status line and headers of a plain-text answer, once they are all there; else null. */
    private static HttpResponse.Head headOf(byte[] got) {
        String text = new String(got, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return null;
        }
        String[] lines = text.substring(0, end).split("\r\n");
        String[] status = lines[0].split(" ", 3);
        int code = status.length > 1 && status[1].matches("\\d{3}") ? Integer.parseInt(status[1]) : 0;
        Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new java.util.ArrayList<>())
                        .add(lines[i].substring(colon + 1).trim());
            }
        }
        return new HttpResponse.Head(lines[0], code, headers, end + 4);
    }

    /** What came back, said for a FAIL line: "a TLS alert (fatal, decode_error)", "7 bytes in plain text: ...". */
    static String describe(byte[] got) {
        if (got.length == 0) {
            return "nothing (end of stream)";
        }
        int type = got[0] & 0xFF;
        if (type == ALERT && got.length >= 7 && got[1] == 3) {
            int description = got[6] & 0xFF;
            return "a TLS alert (" + (got[5] == 2 ? "fatal" : "warning") + ", " + ALERTS.getOrDefault(description,
                    "number " + description) + ")";
        }
        if (type == HANDSHAKE && got.length >= 6 && got[1] == 3) {
            return "a TLS handshake record of type " + (got[5] & 0xFF) + (got[5] == 1 ? " (a ClientHello: our own, echoed?)" : "");
        }
        if (type >= FIRST_CONTENT_TYPE && type <= LAST_CONTENT_TYPE && got.length >= 2 && got[1] == 3) {
            return got.length + " bytes of TLS records";
        }
        String text = new String(got, StandardCharsets.ISO_8859_1);
        return got.length + (got.length == 1 ? " byte" : " bytes") + " in plain text: " + Wire.quote(text, got.length);
    }

    /** Reads until {@code count} bytes have come, or end of stream: what came. */
    private static byte[] readAtLeast(Socket socket, int count, CheckContext context, String who) throws IOException {
        byte[] got = socket.getInputStream().readNBytes(count);
        context.wire().received(who, got, 0, got.length);
        if (got.length < count) {
            context.wire().note(who, "got end of stream");
        }
        if (got.length >= count && got[0] == ALERT) {
            byte[] more = socket.getInputStream().readNBytes(1); // the alert's description is byte 7
            got = Arrays.copyOf(got, got.length + more.length);
            System.arraycopy(more, 0, got, count, more.length);
        }
        return got;
    }

    private static Socket plainSocket(CheckContext context, String who) throws CheckFailed {
        try {
            Socket socket = Connector.PLAIN.open(context.settings().address(), context.timeout(), 0, context.wire(), who).tcp();
            socket.setSoTimeout((int) context.timeout().toMillis());
            return socket;
        } catch (IOException e) {
            throw new CheckFailed(who + " could not connect: " + e.getMessage(), who);
        }
    }
}
