package tutorial.checker;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * The checks of the chapter exercises that change behaviour. Each one fails against the
 * tutorial's own step (which does not do it) and passes against a server that does.
 */
final class ExerciseChecks {

    static final int ECHO_BODY_BYTES = 3000;
    static final int ECHO_BODY_LIMIT = 64 * 1024;
    static final String PUT_PATH = "/checker-put.txt";
    private static final String OLD_DATE = "Sat, 01 Jan 2000 00:00:00 GMT";

    private ExerciseChecks() {
    }

    static List<Exercise> all() {
        List<Check> echo = EchoChecks.all();
        return List.of(
                new Exercise("02.4", "a thread per connection: step 02 serves many clients at once", "docs/02-sendall.md#exercises",
                        List.of(named(echo, "second-client-is-served-while-first-stays"), named(echo, "many-clients-at-once"))),
                exercise("05.1", "directory redirect: /docs answers 301 with Location: /docs/",
                        "directory-redirects-to-its-slash-form", "GET /docs gets 301 Moved Permanently with Location: /docs/",
                        ExerciseChecks::directoryRedirect),
                exercise("05.2", "conditional GET: Last-Modified, and 304 for If-Modified-Since",
                        "conditional-get-gets-304", "If-Modified-Since the file's Last-Modified gets 304 and no body",
                        ExerciseChecks::conditionalGet),
                exercise("05.3", "read a body: POST /echo answers with the bytes it got",
                        "post-echo-returns-the-body", "POST /echo with a Content-Length body gets the same bytes back",
                        ExerciseChecks::postEcho),
                exercise("05.4", "store a file: PUT /NAME, then GET /NAME",
                        "put-stores-a-file", "PUT /checker-put.txt stores the body, and GET returns it",
                        ExerciseChecks::putStoresAFile),
                exercise("05.5", "compression: gzip when the client accepts it",
                        "gzip-when-the-client-accepts-it", "Accept-Encoding: gzip gets a gzip body, Content-Encoding and Vary",
                        ExerciseChecks::gzip));
    }

    private static Exercise exercise(String id, String title, String name, String lesson, Check.Body body) {
        Check check = new Check(name, 5, Check.Kind.HTTP, lesson, "docs/05-http.md#exercises", body);
        return new Exercise(id, title, "docs/05-http.md#exercises", List.of(check));
    }

    private static Check named(List<Check> checks, String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    static String directoryRedirect(CheckContext context) throws CheckFailed {
        String folder = Site.FOLDER + "/";
        HttpResponse index = HttpChecks.exchange(context, "client", HttpChecks.request(context, "GET", folder, "Connection: close"), "GET");
        if (index.status() != 200) {
            throw new CheckFailed("GET " + folder + " got " + index.summary() + ": this check needs the checker's site"
                    + " (--make-site DIR, then serve DIR/site), which has " + folder + "index.html");
        }
        HttpResponse redirect = HttpChecks.exchange(context, "client",
                HttpChecks.request(context, "GET", Site.FOLDER, "Connection: close"), "GET");
        HttpChecks.requireStatus(redirect, 301, "GET " + Site.FOLDER);
        String location = redirect.header("Location");
        if (location == null || !location.endsWith(folder)) {
            throw new CheckFailed("GET " + Site.FOLDER + " got 301 with Location: " + location + ", not " + folder);
        }
        return "GET " + Site.FOLDER + " got " + redirect.head().statusText() + " with Location: " + location + "; GET " + folder
                + " got " + index.summary();
    }

    static String conditionalGet(CheckContext context) throws CheckFailed {
        HttpResponse plain = HttpChecks.requireStatus(get(context, "/"), 200, "GET /");
        String lastModified = plain.header("Last-Modified");
        if (lastModified == null) {
            throw new CheckFailed("GET / got " + plain.summary() + " without a Last-Modified header");
        }
        HttpResponse unchanged = get(context, "/", "If-Modified-Since: " + lastModified);
        HttpChecks.requireStatus(unchanged, 304, "GET / with If-Modified-Since: " + lastModified);
        HttpResponse changed = get(context, "/", "If-Modified-Since: " + OLD_DATE);
        HttpChecks.requireStatus(changed, 200, "GET / with If-Modified-Since: " + OLD_DATE);
        if (!Arrays.equals(changed.body(), plain.body())) {
            throw new CheckFailed("GET / with an old If-Modified-Since got another body than a plain GET /");
        }
        return "GET / got Last-Modified: " + lastModified + "; with If-Modified-Since set to it, "
                + unchanged.head().statusText() + " and no body; with If-Modified-Since: " + OLD_DATE + ", "
                + changed.summary();
    }

    static String postEcho(CheckContext context) throws CheckFailed, InterruptedException {
        byte[] body = randomText(ECHO_BODY_BYTES);
        HttpConnection connection = HttpConnection.open(context, "client");
        connection.send(head(context, "POST", "/echo", body.length));
        for (int start = 0; start < body.length; start += 1000) {
            connection.send(Arrays.copyOfRange(body, start, Math.min(body.length, start + 1000)));
            Thread.sleep(20); // three pieces, so that the body arrives in several reads
        }
        HttpResponse echoed = HttpChecks.requireStatus(connection.read("POST"), 200, "POST /echo with " + body.length + " bytes");
        if (!Arrays.equals(echoed.body(), body)) {
            throw new CheckFailed("POST /echo with " + body.length + " bytes got " + echoed.body().length
                    + " bytes back, not the same ones", connection.name());
        }
        connection.send(HttpChecks.request(context, "GET", "/", "Connection: close"));
        HttpResponse.Head next = connection.readHeadOrEndOfStream();
        if (next == null || next.status() != 200) {
            throw new CheckFailed("after POST /echo, a GET / on the same connection got "
                    + (next == null ? "no answer (the server closed the connection)" : next.statusText())
                    + ": once the body is read to its end, the connection is ready for the next request", connection.name());
        }
        byte[] large = randomText(ECHO_BODY_LIMIT + 1);
        HttpConnection big = HttpConnection.open(context, "large");
        big.send(head(context, "POST", "/echo", large.length));
        big.sendInBackground(large);
        HttpResponse.Head refused = big.readHead();
        if (refused.status() != 413) {
            throw new CheckFailed("POST /echo with " + large.length + " bytes (more than 64 KiB) got " + refused.statusText()
                    + " where 413 was due", big.name());
        }
        return "POST /echo with " + body.length + " bytes in 3 writes got " + echoed.head().statusText()
                + " and the same bytes back; GET / on the same connection then got " + next.statusText()
                + "; a body of " + large.length + " bytes got " + refused.statusText();
    }

    static String putStoresAFile(CheckContext context) throws CheckFailed {
        StringBuilder evidence = new StringBuilder();
        for (int version = 1; version <= 2; version++) {
            byte[] body = randomText(10_000 * version);
            HttpConnection connection = HttpConnection.open(context, "client");
            connection.send(head(context, "PUT", PUT_PATH, body.length));
            connection.send(body);
            HttpResponse stored = connection.read("PUT");
            if (stored.status() != 201 && stored.status() != 204 && stored.status() != 200) {
                throw new CheckFailed("PUT " + PUT_PATH + " with " + body.length + " bytes got " + stored.summary()
                        + " where 201 Created (new file) or 204 No Content (replaced) was due", connection.name());
            }
            HttpResponse back = HttpChecks.requireStatus(get(context, PUT_PATH), 200, "GET " + PUT_PATH + " after PUT");
            if (!Arrays.equals(back.body(), body)) {
                throw new CheckFailed("GET " + PUT_PATH + " after a PUT of " + body.length + " bytes got " + back.body().length
                        + " bytes, not the ones put");
            }
            evidence.append(version == 1 ? "" : "; ").append(version == 1 ? "PUT " : "a second PUT ").append(PUT_PATH)
                    .append(" with ").append(body.length).append(" bytes got ").append(stored.head().statusText())
                    .append(", and GET returned the same bytes");
        }
        return evidence.toString();
    }

    static String gzip(CheckContext context) throws CheckFailed {
        HttpResponse plain = HttpChecks.requireStatus(get(context, "/"), 200, "GET /");
        if (isGzip(plain)) {
            throw new CheckFailed("GET / without Accept-Encoding got a gzip body: only a client that says it accepts gzip gets one");
        }
        HttpResponse zipped = HttpChecks.requireStatus(get(context, "/", "Accept-Encoding: gzip"), 200, "GET / with Accept-Encoding: gzip");
        if (!isGzip(zipped)) {
            String encoding = zipped.header("Content-Encoding");
            throw new CheckFailed("GET / with Accept-Encoding: gzip got " + zipped.summary() + " with "
                    + (encoding == null ? "no Content-Encoding" : "Content-Encoding: " + encoding) + ": not gzip");
        }
        String vary = zipped.header("Vary");
        if (vary == null || !vary.toLowerCase(Locale.ROOT).contains("accept-encoding")) {
            throw new CheckFailed("GET / with Accept-Encoding: gzip got Vary: " + vary
                    + " (a cache must learn that the answer depends on Accept-Encoding: Vary: Accept-Encoding)");
        }
        byte[] unzipped;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
            unzipped = in.readAllBytes();
        } catch (IOException e) {
            throw new CheckFailed("GET / with Accept-Encoding: gzip got " + zipped.body().length + " bytes that do not unzip: " + e.getMessage());
        }
        if (!Arrays.equals(unzipped, plain.body())) {
            throw new CheckFailed("the gzip body unzips to " + unzipped.length + " bytes that differ from the "
                    + plain.body().length + " of a plain GET /");
        }
        return "GET / with Accept-Encoding: gzip got Content-Encoding: gzip, Vary: " + vary + " and " + zipped.body().length
                + " bytes that unzip to the " + plain.body().length + " of a plain GET /";
    }

    private static boolean isGzip(HttpResponse response) {
        String encoding = response.header("Content-Encoding");
        return encoding != null && encoding.toLowerCase(Locale.ROOT).contains("gzip");
    }

    private static HttpResponse get(CheckContext context, String target, String... headers) throws CheckFailed {
        String[] all = Arrays.copyOf(headers, headers.length + 1);
        all[headers.length] = "Connection: close";
        return HttpChecks.exchange(context, "client", HttpChecks.request(context, "GET", target, all), "GET");
    }

    /** A request head with a body to follow: Content-Length says how many bytes. */
    private static String head(CheckContext context, String method, String target, int length) {
        return HttpChecks.request(context, method, target, "Content-Type: text/plain", "Content-Length: " + length);
    }

    /** Printable text, different each run, so that an old answer cannot pass for a new one. */
    private static byte[] randomText(int length) {
        Random random = new Random(System.nanoTime());
        byte[] text = new byte[length];
        for (int i = 0; i < length; i++) {
            text[i] = (byte) ('a' + random.nextInt(26));
        }
        return text;
    }
}
