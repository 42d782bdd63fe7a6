package tutorial.checker;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The checks of an HTTP server, step 05 on: black-box, HTTP written by hand on raw sockets (the
 * bytes are exactly the ones each check writes), and once the JDK's {@code HttpClient}. Every
 * connection comes from the {@link Connector}, so the same checks can run over TLS.
 */
final class HttpChecks {

    static final int LONG_REQUEST_LINE_BYTES = 100_000;
    static final int HEADER_LINES = 200;
    // The reader's receive buffer while it reads slowly, and the pause before it reads at all.
    private static final int SMALL_RECEIVE_BUFFER = 64 * 1024;
    private static final Duration READ_NOTHING_FOR = Duration.ofMillis(500);
    private static final Duration HTTP10_CLOSE_WITHIN = Duration.ofSeconds(1);
    private static final String DOCS = "docs/05-http.md#";

    private HttpChecks() {
    }

    static List<Check> all() {
        return List.of(
                http("request-split-at-every-byte-boundary", "a request cut in two at every byte, and sent one byte per write, gets the answer of the whole one",
                        "parsing-across-partial-reads", HttpChecks::requestSplit),
                http("pipelined-requests-answered-in-order", "three requests in one write get three answers, in order",
                        "answering-in-order", HttpChecks::pipelined),
                http("keep-alive-serves-a-second-request", "an HTTP/1.1 connection stays open for a second request",
                        "answering-in-order", HttpChecks::keepAlive),
                http("http10-connection-closes-after-the-answer", "an HTTP/1.0 request gets its answer, then the server closes",
                        "answering-in-order", HttpChecks::http10),
                http("head-gets-the-get-headers-and-no-body", "HEAD gets the status and headers of GET, and not one body byte",
                        "answering-in-order", HttpChecks::head),
                http("missing-file-gets-404", "a file that does not exist gets 404",
                        "the-document-root-and-path-traversal", HttpChecks::notFound),
                http("other-method-gets-405-with-allow", "DELETE gets 405 Method Not Allowed with an Allow header",
                        "bad-requests-tried-by-hand", HttpChecks::methodNotAllowed),
                http("malformed-request-gets-400", "a malformed request line, and a header line without a colon, get 400",
                        "parsing-across-partial-reads", HttpChecks::malformed),
                http("long-request-line-gets-414", "a request line of 100000 bytes gets 414 URI Too Long",
                        "parsing-across-partial-reads", HttpChecks::longRequestLine),
                http("large-headers-get-431", "200 header lines of 1000 bytes get 431 Request Header Fields Too Large",
                        "parsing-across-partial-reads", HttpChecks::largeHeaders),
                http("traversal-attempts-are-refused", "'..' in every encoding gets 4xx, never a file outside the root",
                        "the-document-root-and-path-traversal", HttpChecks::traversal),
                http("idle-connection-is-closed", "a silent connection and an idle keep-alive one are closed (--idle-timeout-max)",
                        "the-idle-timeout", HttpChecks::idleConnection),
                http("large-file-read-slowly-arrives-whole", "a 16 MiB file read slowly arrives whole (needs --make-site)",
                        "large-files-a-chunk-at-a-time", HttpChecks::largeFileReadSlowly),
                http("unread-response-does-not-stall-others", "while client A does not read its 16 MiB, client B is answered (needs --make-site)",
                        "large-files-a-chunk-at-a-time", HttpChecks::unreadResponse),
                http("jdk-http-client-gets-a-page", "the JDK's HttpClient gets GET / with status 200",
                        "the-way-of-a-request-through-the-loop", HttpChecks::jdkHttpClient));
    }

    private static Check http(String name, String lesson, String anchor, Check.Body body) {
        return new Check(name, 5, Check.Kind.HTTP, lesson, DOCS + anchor, body);
    }

    // ---- the checks ----

    static String requestSplit(CheckContext context) throws CheckFailed, InterruptedException {
        String whole = request(context, "GET", "/", "Connection: close");
        HttpResponse expected = requireStatus(exchange(context, "client", whole, "GET"), 200, "GET /");
        byte[] bytes = whole.getBytes(StandardCharsets.ISO_8859_1);
        for (int split = 1; split < bytes.length; split++) {
            try (HttpConnection connection = HttpConnection.open(context, "client")) {
                connection.send(Arrays.copyOfRange(bytes, 0, split));
                // A pause, so that the first piece arrives, and is read, on its own.
                Thread.sleep(2);
                connection.send(Arrays.copyOfRange(bytes, split, bytes.length));
                requireSame(expected, connection.read("GET"), "GET / cut after byte " + split + " ("
                        + Wire.quote(whole.substring(0, split), split) + " first)", connection.name());
            }
        }
        try (HttpConnection connection = HttpConnection.open(context, "client")) {
            for (byte b : bytes) {
                connection.send(new byte[] {b});
                Thread.sleep(1);
            }
            requireSame(expected, connection.read("GET"), "GET / sent one byte per write", connection.name());
        }
        return "GET / cut in two at each of its " + (bytes.length - 1) + " split points, then sent one byte per write: "
                + bytes.length + " answers equal to the whole request's (" + expected.summary() + ")";
    }

    static String pipelined(CheckContext context) throws CheckFailed {
        String missing = missingPath();
        List<String> targets = List.of("/", missing, "/");
        // What each request gets on its own: the pipelined answers must be these, in this order.
        List<HttpResponse> alone = new ArrayList<>();
        for (String target : targets) {
            alone.add(exchange(context, "client", request(context, "GET", target, "Connection: close"), "GET"));
        }
        HttpConnection connection = HttpConnection.open(context, "client");
        connection.send(request(context, "GET", "/") + request(context, "GET", missing)
                + request(context, "GET", "/", "Connection: close"));
        List<String> answers = new ArrayList<>();
        String sent = "3 requests in one write (GET /, GET " + missing + ", GET /)";
        for (int i = 0; i < targets.size(); i++) {
            HttpResponse response;
            try {
                response = connection.read("GET");
            } catch (CheckFailed e) {
                throw e.after(sent + "; answers before: " + (answers.isEmpty() ? "none" : answers));
            }
            answers.add(response.head().statusText());
            if (response.status() != alone.get(i).status() || !Arrays.equals(response.body(), alone.get(i).body())) {
                throw new CheckFailed(sent + " got " + answers + ", where request " + (i + 1) + " on its own got "
                        + alone.get(i).summary() + " (answers come in the order of the requests)", connection.name());
            }
        }
        return sent + ": answered " + answers + ", in that order, each as it is answered on its own";
    }

    static String keepAlive(CheckContext context) throws CheckFailed {
        HttpConnection connection = HttpConnection.open(context, "client");
        connection.send(request(context, "GET", "/"));
        HttpResponse first = requireStatus(connection.read("GET"), 200, "GET /");
        if (first.head().saysClose()) {
            throw new CheckFailed("the answer to an HTTP/1.1 GET / said \"Connection: close\": an HTTP/1.1 connection"
                    + " stays open unless the client asks to close it", connection.name());
        }
        connection.send(request(context, "GET", "/", "Connection: close"));
        HttpResponse.Head second = connection.readHeadOrEndOfStream();
        if (second == null) {
            throw new CheckFailed("after answering GET / (" + first.summary() + "), the server closed the connection:"
                    + " the second request got no answer", connection.name());
        }
        return "2 requests on one connection: " + first.head().statusText() + ", then " + second.statusText();
    }

    static String http10(CheckContext context) throws CheckFailed {
        HttpConnection connection = HttpConnection.open(context, "client");
        connection.send("GET / HTTP/1.0\r\nHost: " + context.settings().authority() + "\r\n\r\n");
        HttpResponse response = requireStatus(connection.read("GET"), 200, "GET / HTTP/1.0");
        String connectionHeader = response.header("Connection");
        if (connectionHeader != null && connectionHeader.toLowerCase(java.util.Locale.ROOT).contains("keep-alive")) {
            throw new CheckFailed("GET / HTTP/1.0, without \"Connection: keep-alive\", got " + response.summary()
                    + " with \"Connection: " + connectionHeader + "\": HTTP/1.0 closes unless the client asks", connection.name());
        }
        // At once, with the answer: a close that comes later is an idle timeout's.
        Duration closed = connection.awaitClose(HTTP10_CLOSE_WITHIN);
        if (closed == null) {
            throw new CheckFailed("GET / HTTP/1.0 got " + response.summary() + ", and the connection was still open "
                    + Wire.seconds(HTTP10_CLOSE_WITHIN) + " later (HTTP/1.0 closes after the answer unless the client"
                    + " asks for keep-alive)", connection.name());
        }
        return "GET / HTTP/1.0 got " + response.summary() + ", then the server closed the connection at once";
    }

    static String head(CheckContext context) throws CheckFailed {
        HttpResponse get = requireStatus(exchange(context, "client", request(context, "GET", "/", "Connection: close"), "GET"),
                200, "GET /");
        HttpConnection connection = HttpConnection.open(context, "client");
        connection.send(request(context, "HEAD", "/"));
        HttpResponse.Head head = connection.readHead();
        if (head.status() != 200) {
            throw new CheckFailed("HEAD / got " + head.statusText() + " where GET / got " + get.head().statusText(),
                    connection.name());
        }
        for (String name : List.of("Content-Type", "Content-Length")) {
            if (get.header(name) != null && !get.header(name).equals(head.header(name))) {
                throw new CheckFailed("HEAD / said " + name + ": " + head.header(name) + " where GET / said "
                        + get.header(name) + " (HEAD gets the headers GET would get)", connection.name());
            }
        }
        // The next bytes must be the next answer: any body bytes of HEAD would come first.
        String missing = missingPath();
        connection.send(request(context, "GET", missing, "Connection: close"));
        HttpResponse.Head next = connection.readHeadOrEndOfStream();
        String after = next == null ? "the server closed the connection right after the head"
                : "the next request's answer (" + next.statusText() + ") came right after the head";
        return "HEAD / got " + head.statusText() + " with Content-Type and Content-Length as for GET ("
                + get.header("Content-Length") + "), and no body: " + after;
    }

    static String notFound(CheckContext context) throws CheckFailed {
        String missing = missingPath();
        HttpResponse response = exchange(context, "client", request(context, "GET", missing, "Connection: close"), "GET");
        requireStatus(response, 404, "GET " + missing);
        return "GET " + missing + " got " + response.summary();
    }

    static String methodNotAllowed(CheckContext context) throws CheckFailed {
        // On a path that does not exist: a server that does implement DELETE deletes nothing.
        String missing = missingPath();
        HttpResponse response = exchange(context, "client", request(context, "DELETE", missing, "Connection: close"), "DELETE");
        requireStatus(response, 405, "DELETE " + missing);
        String allow = response.header("Allow");
        if (allow == null) {
            throw new CheckFailed("DELETE " + missing + " got 405 without an Allow header (a 405 says which methods are allowed)");
        }
        return "DELETE " + missing + " got " + response.head().statusText() + " with Allow: " + allow;
    }

    static String malformed(CheckContext context) throws CheckFailed {
        HttpResponse line = exchange(context, "bad-line", "hello\r\n\r\n", "GET");
        requireStatus(line, 400, "the request line \"hello\"");
        HttpResponse header = exchange(context, "bad-header", "GET / HTTP/1.1\r\nHost: " + context.settings().authority()
                + "\r\nthis line has no colon\r\n\r\n", "GET");
        requireStatus(header, 400, "a request with the header line \"this line has no colon\"");
        return "the request line \"hello\" got " + line.head().statusText() + "; a header line without a colon got "
                + header.head().statusText();
    }

    static String longRequestLine(CheckContext context) throws CheckFailed {
        String target = "/" + "a".repeat(LONG_REQUEST_LINE_BYTES - "GET / HTTP/1.1".length());
        return tooLarge(context, "GET " + target + " HTTP/1.1\r\nHost: " + context.settings().authority() + "\r\n\r\n",
                414, "a request line of " + LONG_REQUEST_LINE_BYTES + " bytes");
    }

    static String largeHeaders(CheckContext context) throws CheckFailed {
        StringBuilder request = new StringBuilder("GET / HTTP/1.1\r\nHost: ").append(context.settings().authority()).append("\r\n");
        for (int i = 0; i < HEADER_LINES; i++) {
            String name = "X-Filler-" + i + ": ";
            request.append(name).append("b".repeat(1000 - name.length() - 2)).append("\r\n");
        }
        return tooLarge(context, request.append("\r\n").toString(), 431,
                HEADER_LINES + " header lines of 1000 bytes (" + HEADER_LINES * 1000 + " bytes)");
    }

    /** Sends a request too large to be read whole (on a thread of its own) and reads the answer meanwhile. */
    private static String tooLarge(CheckContext context, String request, int status, String what) throws CheckFailed {
        HttpConnection connection = HttpConnection.open(context, "client");
        long start = System.nanoTime();
        connection.sendInBackground(request.getBytes(StandardCharsets.ISO_8859_1));
        HttpResponse.Head head = connection.readHead();
        if (head.status() != status) {
            throw new CheckFailed(what + " got " + head.statusText() + " where " + status + " was due (a server"
                    + " bounds what it keeps of a request head)", connection.name());
        }
        return what + " got " + head.statusText() + " after " + EchoChecks.millisSince(start);
    }

    static String traversal(CheckContext context) throws CheckFailed {
        String passwd = "etc/passwd";
        String up = "../".repeat(12);
        List<String> targets = List.of(
                "/../secret.txt",
                "/%2e%2e/secret.txt",
                "/%2E%2E/secret.txt",
                "/.%2e/secret.txt",
                "/%252e%252e/secret.txt",
                "/..%2fsecret.txt",
                "/%2e%2e%2fsecret.txt",
                "/..%5csecret.txt",
                "/..\\secret.txt",
                "/docs/../../secret.txt",
                "/index.html%00/../../secret.txt",
                "/" + up + passwd,
                "/" + up.replace("..", "%2e%2e") + passwd,
                "/" + up.replace("../", "..%2f") + passwd,
                "//" + passwd,
                "/%2f" + passwd.replace("/", "%2f"),
                context.settings().connector().scheme() + "://" + context.settings().authority() + "/../secret.txt");
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (String target : targets) {
            HttpResponse response = exchange(context, "client", request(context, "GET", target, "Connection: close"), "GET");
            String body = new String(response.body(), StandardCharsets.ISO_8859_1);
            if (body.contains(Site.SECRET) || body.contains("root:")) {
                throw new CheckFailed("GET " + target + " got " + response.summary() + ": a file from outside the root", "client");
            }
            if (response.status() / 100 != 4) {
                throw new CheckFailed("GET " + target + " got " + response.summary() + " (a 4xx was due: 400, 403 or 404)",
                        "client");
            }
            statuses.merge(response.status(), 1, Integer::sum);
        }
        StringBuilder counts = new StringBuilder();
        statuses.forEach((status, count) -> counts.append(counts.length() == 0 ? "" : ", ").append(count)
                .append(" got ").append(status));
        return targets.size() + " attempts (\"..\" plain, percent-encoded, encoded twice, with %2f and %5c, NUL,"
                + " absolute form): " + counts + "; none got a file from outside the root";
    }

    static String idleConnection(CheckContext context) throws CheckFailed, InterruptedException {
        Duration max = context.settings().idleTimeoutMax();
        // B first: a server that serves one connection at a time answers it before A blocks it.
        HttpConnection idle = HttpConnection.open(context, "B");
        idle.send(request(context, "GET", "/"));
        HttpResponse answer = requireStatus(idle.read("GET"), 200, "GET /");
        HttpConnection silent = HttpConnection.open(context, "A");
        long silentSince = System.nanoTime();
        FutureTask<Duration> silentClosed = new FutureTask<>(() -> silent.awaitClose(max));
        Thread watcher = new Thread(silentClosed, "checker-idle-watch");
        watcher.setDaemon(true);
        long watchedFrom = System.nanoTime();
        watcher.start();
        Duration idleClosed = idle.awaitClose(max);
        Duration silentAfter;
        try {
            silentAfter = silentClosed.get(max.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            silentAfter = null;
        }
        // Over TLS, A's connection starts with a handshake: silent means no byte of HTTP.
        boolean tls = context.settings().connector().scheme().equals("https");
        if (silentAfter == null || idleClosed == null) {
            String who = silentAfter == null ? "A" : "B";
            context.wire().note(who, "was still open after " + Wire.seconds(max));
            throw new CheckFailed((silentAfter == null ? (tls ? "A, which sent nothing after its TLS handshake,"
                    : "A, which never sent a byte,") : "B, idle after its answer ("
                    + answer.summary() + "),") + " was still open after " + Wire.seconds(max)
                    + " (give the server's idle timeout, and a little more, with --idle-timeout-max)", who);
        }
        return "the server closed B " + Wire.seconds(idleClosed) + " after its answer, and A, silent "
                + (tls ? "after its TLS handshake, " : "from the start, ") + Wire.seconds(silentAfter.plusNanos(watchedFrom - silentSince))
                + " after it " + (tls ? "finished it" : "connected") + " (waited at most " + Wire.seconds(max) + ")";
    }

    static String largeFileReadSlowly(CheckContext context) throws CheckFailed, InterruptedException {
        HttpConnection connection = HttpConnection.open(context, "client", SMALL_RECEIVE_BUFFER);
        long start = System.nanoTime();
        connection.send(request(context, "GET", Site.LARGE_FILE));
        // Read nothing for a while: the server's writes soon find the socket full.
        Thread.sleep(READ_NOTHING_FOR.toMillis());
        HttpResponse.Head head = requireLargeFile(connection.readHead());
        BytePattern.Verifier verifier = new BytePattern.Verifier();
        byte[] piece = new byte[64 * 1024];
        InputStream in = connection.input();
        try {
            long nextPause = 4L * 1024 * 1024;
            while (verifier.received() < Site.LARGE_FILE_BYTES) {
                int read = in.read(piece, 0, (int) Math.min(piece.length, Site.LARGE_FILE_BYTES - verifier.received()));
                if (read == -1) {
                    throw new CheckFailed("GET " + Site.LARGE_FILE + ": got " + verifier.received() + " of "
                            + Site.LARGE_FILE_BYTES + " body bytes, then end of stream", connection.name());
                }
                verifier.accept(ByteBuffer.wrap(piece, 0, read));
                if (!verifier.allRight()) {
                    throw new CheckFailed("GET " + Site.LARGE_FILE + ": " + verifier.firstDifference(), connection.name());
                }
                if (verifier.received() >= nextPause) {
                    Thread.sleep(100); // slowly: at most 4 MiB per tenth of a second
                    nextPause += 4L * 1024 * 1024;
                }
            }
        } catch (SocketTimeoutException e) {
            context.wire().silence(connection.name(), context.timeout());
            throw new CheckFailed("GET " + Site.LARGE_FILE + ": got " + verifier.received() + " of " + Site.LARGE_FILE_BYTES
                    + " body bytes, then nothing for " + Wire.seconds(context.timeout()), connection.name());
        } catch (IOException e) {
            throw connection.failure(e, "after " + verifier.received() + " body bytes");
        }
        return "GET " + Site.LARGE_FILE + " got " + head.statusText() + ", then, read nothing for "
                + Wire.seconds(READ_NOTHING_FOR) + " and then at most 4 MiB a tenth of a second, all "
                + Site.LARGE_FILE_BYTES + " bytes, every one right, in " + EchoChecks.millisSince(start);
    }

    static String unreadResponse(CheckContext context) throws CheckFailed, InterruptedException {
        requireStatus(exchange(context, "B", request(context, "GET", "/", "Connection: close"), "GET"), 200, "GET /");
        HttpConnection greedy = HttpConnection.open(context, "A", SMALL_RECEIVE_BUFFER);
        greedy.send(request(context, "GET", Site.LARGE_FILE));
        // A reads nothing: its answer fills the socket buffers, and the server must not wait for it.
        Thread.sleep(READ_NOTHING_FOR.toMillis());
        long start = System.nanoTime();
        HttpResponse other;
        try {
            other = requireStatus(exchange(context, "B", request(context, "GET", "/", "Connection: close"), "GET"), 200, "GET /");
        } catch (CheckFailed e) {
            throw e.after("A asked for " + Site.LARGE_FILE + " and read nothing");
        }
        String waited = EchoChecks.millisSince(start);
        requireLargeFile(greedy.readHead());
        return "A asked for " + Site.LARGE_FILE + " (" + Site.LARGE_FILE_BYTES + " bytes) and read nothing for "
                + Wire.seconds(READ_NOTHING_FOR) + "; then B's GET / got " + other.summary() + " in " + waited;
    }

    static String jdkHttpClient(CheckContext context) throws CheckFailed, InterruptedException, IOException {
        CheckContext.Settings settings = context.settings();
        URI uri = URI.create(settings.connector().scheme() + "://" + settings.authority() + "/");
        // The client talks to the server through a relay of ours, so that its connection ends
        // with the check (see Relay). Plain HTTP: it asks the relay, and its Host header names the
        // relay's port. TLS: it asks the server's own URL through the relay as a proxy (CONNECT),
        // so that it checks the certificate against the server's name, as any client would.
        boolean tls = settings.connector().scheme().equals("https");
        Relay relay = context.track(new Relay(context, "HttpClient", tls ? Relay.Mode.TUNNEL : Relay.Mode.TRANSPARENT));
        URI target = tls ? uri : URI.create("http://127.0.0.1:" + relay.port() + "/");
        HttpClient.Builder builder = settings.connector().httpClient().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(context.timeout());
        if (tls) {
            builder.proxy(ProxySelector.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), relay.port())));
        }
        HttpClient client = builder.build();
        // The request's timeout ends when the status line and headers are in: a body that never
        // ends would hold the check for ever. So the whole exchange gets twice the timeout.
        Duration most = context.timeout().multipliedBy(2);
        AtomicReference<java.net.http.HttpResponse.ResponseInfo> head = new AtomicReference<>();
        try {
            HttpRequest request = HttpRequest.newBuilder(target).timeout(context.timeout()).GET().build();
            CompletableFuture<java.net.http.HttpResponse<byte[]>> pending = client.sendAsync(request, info -> {
                head.set(info);
                return java.net.http.HttpResponse.BodySubscribers.ofByteArray();
            });
            java.net.http.HttpResponse<byte[]> response;
            try {
                response = pending.get(most.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                pending.cancel(true);
                context.wire().note("HttpClient", "had no whole answer after " + Wire.seconds(most));
                throw new CheckFailed("the JDK's HttpClient: GET " + uri + (head.get() == null ? " got no answer in "
                        + Wire.seconds(most) : " got status " + head.get().statusCode() + " and its headers, then the body"
                        + " did not end in " + Wire.seconds(most) + (head.get().headers().firstValue("Content-Length").isEmpty()
                        ? " (no Content-Length: the body ends when the connection does)" : "")));
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException failure ? failure : new IOException(e.getCause());
            }
            if (response.statusCode() != 200) {
                throw new CheckFailed("the JDK's HttpClient: GET " + uri + " got status " + response.statusCode() + ", not 200");
            }
            return "the JDK's HttpClient: GET " + uri + " got 200 with " + response.body().length + " body bytes, Content-Type: "
                    + response.headers().firstValue("Content-Type").orElse("(none)");
        } catch (IOException e) {
            context.wire().note("HttpClient", "failed: " + e);
            CheckFailed failed = new CheckFailed("the JDK's HttpClient: GET " + uri + " failed: " + e);
            throw e instanceof javax.net.ssl.SSLException ? failed.learning(TlsConnector.learnFor(e)) : failed;
        } finally {
            relay.close(); // first: the client's connection ends, and nothing is left for close() to wait for
            if (client instanceof AutoCloseable closeable) { // JDK 21 on
                try {
                    closeable.close();
                } catch (Exception e) {
                    // the relay has closed its connection anyway
                }
            }
        }
    }

    // ---- helpers ----

    /** A request with a Host header: {@code METHOD target HTTP/1.1}, the extra header lines, a blank line. */
    static String request(CheckContext context, String method, String target, String... headers) {
        StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(context.settings().authority()).append("\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        return request.append("\r\n").toString();
    }

    /** One request on a connection of its own, and its whole answer. */
    static HttpResponse exchange(CheckContext context, String who, String request, String method) throws CheckFailed {
        try (HttpConnection connection = HttpConnection.open(context, who)) {
            connection.send(request);
            return connection.read(method);
        }
    }

    static HttpResponse requireStatus(HttpResponse response, int status, String what) throws CheckFailed {
        if (response.status() != status) {
            throw new CheckFailed(what + " got " + response.summary() + " where " + status + " was due");
        }
        return response;
    }

    static void requireSame(HttpResponse expected, HttpResponse actual, String what, String who) throws CheckFailed {
        if (actual.status() != expected.status() || !Arrays.equals(actual.body(), expected.body())) {
            throw new CheckFailed(what + " got " + actual.summary() + ", where the whole request got "
                    + expected.summary(), who);
        }
    }

    private static HttpResponse.Head requireLargeFile(HttpResponse.Head head) throws CheckFailed {
        if (head.status() != 200 || head.contentLength() != Site.LARGE_FILE_BYTES) {
            throw new CheckFailed("GET " + Site.LARGE_FILE + " got " + head.statusText() + " with Content-Length "
                    + head.contentLength() + ": this check needs the checker's site (--make-site DIR, then serve DIR/site),"
                    + " whose " + Site.LARGE_FILE + " has " + Site.LARGE_FILE_BYTES + " bytes");
        }
        return head;
    }

    /** A path that surely does not exist, a new one each time. */
    static String missingPath() {
        return "/checker-no-such-file-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    }
}
