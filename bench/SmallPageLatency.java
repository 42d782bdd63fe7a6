import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small page's latency while another client downloads a large file, for bench/run (issue 10,
 * item 5: a server that writes to one connection for as long as its socket takes bytes makes
 * everyone else wait). One keep-alive connection asks for GET / again and again, PAUSE ms apart,
 * and times each response: first for ALONE seconds with nothing else going on, then for DURING
 * seconds while a second connection (another thread) downloads LARGE over and over, reading as fast
 * as it can. Every response is read whole (Content-Length); a response slower than 10 s counts as
 * a timeout and the connection is opened again.
 *
 * <p>Both clients run in this one process: bench/run pins it to the client core, so the download's
 * reading competes with the small client for that core. The numbers are for comparing servers (or
 * two builds of one) in the same run, not absolute.
 *
 * <p>Usage: java SmallPageLatency --large PATH --alone S --during S [--pause MS] HOST PORT
 *
 * <p>Prints key=value lines for bench/run, then one line "summary: ..." for people.
 */
public class SmallPageLatency {

    private static final String USAGE = "usage: SmallPageLatency --large PATH --alone S --during S [--pause MS] HOST PORT";
    private static final int TIMEOUT_MILLIS = 10_000;

    private final InetSocketAddress address;
    private final String largePath;
    private final long pauseNanos;
    private int timeouts;

    public static void main(String[] args) throws Exception {
        String large = null;
        long alone = -1;
        long during = -1;
        long pause = 2;
        List<String> rest = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--large" -> large = args[++i];
                    case "--alone" -> alone = Long.parseLong(args[++i]);
                    case "--during" -> during = Long.parseLong(args[++i]);
                    case "--pause" -> pause = Long.parseLong(args[++i]);
                    default -> rest.add(args[i]);
                }
            }
        } catch (RuntimeException e) {
            usage();
        }
        if (rest.size() != 2 || large == null || !large.startsWith("/") || alone < 1 || during < 1 || pause < 0) {
            usage();
        }
        new SmallPageLatency(new InetSocketAddress(rest.get(0), Integer.parseInt(rest.get(1))), large,
                TimeUnit.MILLISECONDS.toNanos(pause)).run(TimeUnit.SECONDS.toNanos(alone), TimeUnit.SECONDS.toNanos(during));
    }

    private static void usage() {
        System.err.println(USAGE);
        System.exit(2);
    }

    SmallPageLatency(InetSocketAddress address, String largePath, long pauseNanos) {
        this.address = address;
        this.largePath = largePath;
        this.pauseNanos = pauseNanos;
    }

    void run(long aloneNanos, long duringNanos) throws Exception {
        // Warm-up, not counted: the JIT compiles the server's hot paths during the first thousands of requests.
        try (HttpConnection warm = new HttpConnection()) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (System.nanoTime() < end) {
                warm.get("/");
            }
            warm.get(largePath);
        }
        List<Long> alone = smallPagesFor(aloneNanos);

        AtomicLong downloaded = new AtomicLong();
        AtomicLong files = new AtomicLong();
        HttpConnection download = new HttpConnection();
        Thread downloader = new Thread(() -> {
            try {
                while (true) {
                    downloaded.addAndGet(download.get(largePath));
                    files.incrementAndGet();
                }
            } catch (IOException e) {
                // closed at the end of the run
            }
        }, "downloader");
        downloader.setDaemon(true);
        long downloadStart = System.nanoTime();
        downloader.start();
        List<Long> during = smallPagesFor(duringNanos);
        double downloadSeconds = (System.nanoTime() - downloadStart) / 1e9;
        long bytes = downloaded.get() + download.bodyBytesSoFar();
        download.close();
        downloader.join(TIMEOUT_MILLIS);

        double mbps = bytes / downloadSeconds / 1e6;
        print("alone_n", alone.size());
        print("alone_p50_ms", ms(percentile(alone, 50)));
        print("alone_p99_ms", ms(percentile(alone, 99)));
        print("alone_max_ms", ms(percentile(alone, 100)));
        print("during_n", during.size());
        print("during_p50_ms", ms(percentile(during, 50)));
        print("during_p99_ms", ms(percentile(during, 99)));
        print("during_max_ms", ms(percentile(during, 100)));
        print("download_mbps", String.format(Locale.ROOT, "%.0f", mbps));
        print("download_files", files.get());
        print("timeouts", timeouts);
        System.out.printf(Locale.ROOT, "summary: GET / alone: %d requests, p50 %s ms, p99 %s ms, max %s ms;"
                        + " during a download of %s (%.0f MB/s, %d whole files): %d requests, p50 %s ms, p99 %s ms, max %s ms; %d timeouts%n",
                alone.size(), ms(percentile(alone, 50)), ms(percentile(alone, 99)), ms(percentile(alone, 100)),
                largePath, mbps, files.get(), during.size(), ms(percentile(during, 50)), ms(percentile(during, 99)),
                ms(percentile(during, 100)), timeouts);
    }

    /** GET / again and again for the given time, PAUSE apart; the time of each response, in nanoseconds. */
    private List<Long> smallPagesFor(long nanos) throws IOException {
        List<Long> times = new ArrayList<>();
        long end = System.nanoTime() + nanos;
        HttpConnection connection = new HttpConnection();
        try {
            while (System.nanoTime() < end) {
                long start = System.nanoTime();
                try {
                    connection.get("/");
                    times.add(System.nanoTime() - start);
                } catch (SocketTimeoutException e) {
                    timeouts++;
                    times.add(System.nanoTime() - start);
                    connection.close();
                    connection = new HttpConnection();
                }
                long wait = pauseNanos - (System.nanoTime() - start);
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // the pace of a person clicking, not a synchronisation
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            connection.close();
        }
        return times;
    }

    private static long percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static String ms(long nanos) {
        return nanos < 0 ? "" : String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    private static void print(String key, Object value) {
        System.out.println(key + "=" + value);
    }

    /** A blocking keep-alive HTTP/1.1 connection that reads each response whole (Content-Length) and checks its status. */
    private final class HttpConnection implements AutoCloseable {
        private final Socket socket = new Socket();
        private final InputStream in;
        private final byte[] buffer = new byte[64 * 1024];
        private int start;
        private int end;
        private volatile long bodySoFar;

        HttpConnection() throws IOException {
            socket.connect(address, TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
        }

        /** Sends GET path, reads the whole response; returns the body's length. */
        long get(String path) throws IOException {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String head = readHead();
            if (!head.startsWith("HTTP/1.1 200")) {
                throw new IOException("GET " + path + ": " + head.lines().findFirst().orElse(""));
            }
            long length = -1;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Long.parseLong(line.substring("content-length:".length()).trim());
                }
            }
            if (length < 0) {
                throw new IOException("GET " + path + ": no Content-Length");
            }
            bodySoFar = 0;
            while (bodySoFar < length) {
                if (start == end && !fill()) {
                    throw new IOException("GET " + path + ": closed after " + bodySoFar + " of " + length + " bytes");
                }
                int take = (int) Math.min(end - start, length - bodySoFar);
                start += take;
                bodySoFar += take;
            }
            long body = bodySoFar;
            bodySoFar = 0;
            return body;
        }

        long bodyBytesSoFar() {
            return bodySoFar;
        }

        private String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0; // how much of CR LF CR LF we have seen
            while (matched < 4) {
                if (start == end && !fill()) {
                    throw new IOException("closed before a whole response head");
                }
                byte b = buffer[start++];
                head.write(b);
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }

        private boolean fill() throws IOException {
            int n = in.read(buffer);
            if (n < 0) {
                return false;
            }
            start = 0;
            end = n;
            return true;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
