package tutorial.checker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;

/**
 * One server that does what the five exercises of chapter 05 ask, for the tests only: built on
 * the JDK's own {@code com.sun.net.httpserver}, so that it stays short. It proves that each
 * exercise check can pass; the tutorial's step 05, which does none of it, proves they can fail.
 * It is not the way to solve them in step 05: that is the learner's work.
 */
final class ExerciseSolutionServer implements AutoCloseable {

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
    private static final int ECHO_LIMIT = 64 * 1024;

    private final Path root;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "solution-server");
        thread.setDaemon(true);
        return thread;
    });

    ExerciseSolutionServer(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            switch (exchange.getRequestMethod()) {
                case "GET" -> get(exchange, path);
                case "POST" -> postEcho(exchange, path);
                case "PUT" -> put(exchange, path);
                default -> {
                    exchange.getResponseHeaders().set("Allow", "GET, POST, PUT");
                    exchange.sendResponseHeaders(405, -1);
                }
            }
        } finally {
            exchange.close();
        }
    }

    /** Exercises 05.1 (redirect), 05.2 (Last-Modified, 304) and 05.5 (gzip). */
    private void get(HttpExchange exchange, String path) throws IOException {
        Path file = root.resolve(path.substring(1)).normalize();
        if (!file.startsWith(root) || !Files.exists(file)) {
            exchange.sendResponseHeaders(404, -1);
            return;
        }
        if (Files.isDirectory(file)) {
            if (!path.endsWith("/")) {
                exchange.getResponseHeaders().set("Location", path + "/");
                exchange.sendResponseHeaders(301, -1);
                return;
            }
            file = file.resolve("index.html");
        }
        ZonedDateTime modified = Files.getLastModifiedTime(file).toInstant().atZone(ZoneOffset.UTC).withNano(0);
        exchange.getResponseHeaders().set("Last-Modified", HTTP_DATE.format(modified));
        String since = exchange.getRequestHeaders().getFirst("If-Modified-Since");
        if (since != null && !modified.isAfter(parseDate(since))) {
            exchange.sendResponseHeaders(304, -1);
            return;
        }
        byte[] body = Files.readAllBytes(file);
        String accepted = exchange.getRequestHeaders().getFirst("Accept-Encoding");
        if (accepted != null && accepted.contains("gzip")) {
            ByteArrayOutputStream zipped = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
                gzip.write(body);
            }
            body = zipped.toByteArray();
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
            exchange.getResponseHeaders().set("Vary", "Accept-Encoding");
        }
        send(exchange, 200, body);
    }

    /** Exercise 05.3: the body back, at most 64 KiB. */
    private void postEcho(HttpExchange exchange, String path) throws IOException {
        if (!path.equals("/echo")) {
            exchange.sendResponseHeaders(404, -1);
            return;
        }
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length == null || Long.parseLong(length) > ECHO_LIMIT) {
            exchange.getResponseHeaders().set("Connection", "close");
            exchange.sendResponseHeaders(413, -1);
            return;
        }
        send(exchange, 200, readBody(exchange.getRequestBody()));
    }

    /** Exercise 05.4: PUT /NAME stores the body as a file in the root. */
    private void put(HttpExchange exchange, String path) throws IOException {
        String name = path.substring(1);
        if (name.isEmpty() || name.contains("/") || name.contains("..")) {
            exchange.sendResponseHeaders(400, -1);
            return;
        }
        Path file = root.resolve(name);
        boolean existed = Files.exists(file);
        Files.write(file, readBody(exchange.getRequestBody()));
        exchange.sendResponseHeaders(existed ? 204 : 201, -1);
    }

    private static byte[] readBody(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        // com.sun.net.httpserver: a length of 0 would mean "chunked", -1 means "no body".
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
    }

    private static ZonedDateTime parseDate(String text) {
        try {
            return ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME);
        } catch (DateTimeParseException e) {
            return ZonedDateTime.ofInstant(java.time.Instant.EPOCH, ZoneOffset.UTC);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
