import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * The comparison server for bench/run: the JDK's built-in com.sun.net.httpserver.HttpServer
 * serving the same static files as step 05 (GET and HEAD, "/" means "/index.html").
 *
 * It is set up at its best, not with its defaults:
 * - bench/run starts it with -Dsun.net.httpserver.nodelay=true; without it the JDK server leaves
 *   Nagle's algorithm on, and each keep-alive response waits ~40 ms for a delayed ACK;
 * - each file is read once and then served from memory (no file system call per request);
 * - no executor (the default): the handler runs on the server's own dispatcher thread, which is
 *   the fastest choice on the one core the benchmark gives each server. --threads N uses a pool.
 *
 * Usage: java bench/JdkHttpServer.java [--host HOST] [--port PORT] [--root DIR] [--threads N]
 */
public class JdkHttpServer {

    public static void main(String[] args) throws IOException {
        String host = "127.0.0.1";
        int port = 8081;
        Path root = Path.of(".");
        int threads = 0;
        try {
            for (int i = 0; i < args.length; i += 2) {
                String value = args[i + 1];
                switch (args[i]) {
                    case "--host" -> host = value;
                    case "--port" -> port = Integer.parseInt(value);
                    case "--root" -> root = Path.of(value);
                    case "--threads" -> threads = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException(args[i]);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("usage: JdkHttpServer [--host HOST] [--port PORT] [--root DIR] [--threads N]");
            System.exit(2);
        }
        Path documentRoot = root.toAbsolutePath().normalize();
        Map<String, byte[]> cache = new ConcurrentHashMap<>();

        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 1024);
        server.createContext("/", exchange -> serve(exchange, documentRoot, cache));
        if (threads > 0) {
            server.setExecutor(Executors.newFixedThreadPool(threads));
        }
        server.start();
        System.out.println("Listening on http://" + host + ":" + server.getAddress().getPort() + "/");
        System.out.println("nodelay=" + System.getProperty("sun.net.httpserver.nodelay", "false")
                + " threads=" + (threads > 0 ? threads : "dispatcher"));
    }

    /** The handler, shared with bench/JdkHttpsServer.java: the same page, the same way, with or without TLS. */
    static void serve(HttpExchange exchange, Path root, Map<String, byte[]> cache) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            // The JDK server closes the connection after this exchange when the request says
            // "Connection: close", but does not say so in the response; we do, as HTTP asks
            // (and as step 05 does), so that a client does not try to send on it again.
            String connection = exchange.getRequestHeaders().getFirst("Connection");
            if (connection != null && connection.equalsIgnoreCase("close")) {
                exchange.getResponseHeaders().set("Connection", "close");
            }
            String path = exchange.getRequestURI().getPath();
            if (path.endsWith("/")) {
                path = path + "index.html";
            }
            byte[] body = cache.get(path);
            if (body == null) { // first request for this path: look for the file, keep its bytes
                Path file = root.resolve(path.substring(1)).normalize();
                if (file.startsWith(root) && Files.isRegularFile(file)) {
                    body = read(file);
                    cache.put(path, body);
                }
            }
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", contentType(path));
            if (method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static byte[] read(Path file) throws IOException {
        return Files.readAllBytes(file);
    }

    private static String contentType(String path) {
        if (path.endsWith(".html")) {
            return "text/html; charset=utf-8";
        } else if (path.endsWith(".css")) {
            return "text/css; charset=utf-8";
        } else if (path.endsWith(".txt")) {
            return "text/plain; charset=utf-8";
        } else if (path.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        return "application/octet-stream";
    }
}
