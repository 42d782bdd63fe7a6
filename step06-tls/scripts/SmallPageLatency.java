import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Does one fast download make everyone else wait? (step 05's "Finite resources"; not a unit test.)
 * One client asks for a small page again and again on a keep-alive connection, and times each
 * answer: first alone for SECONDS, then for SECONDS while a second client downloads a large file
 * again and again, reading as fast as it can.
 *
 * Usage: java SmallPageLatency.java HOST PORT SMALL-PATH LARGE-PATH [SECONDS]
 * Ends with one line for scripts: small-page-latency alone_p50_ms=.. alone_p99_ms=.. alone_max_ms=..
 *   during_p50_ms=.. during_p99_ms=.. during_max_ms=.. requests_alone=.. requests_during=.. download_mib_s=..
 */
public class SmallPageLatency {

    public static void main(String[] args) throws Exception {
        if (args.length != 4 && args.length != 5) {
            System.err.println("usage: java SmallPageLatency.java HOST PORT SMALL-PATH LARGE-PATH [SECONDS]");
            System.exit(2);
        }
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        long seconds = args.length == 5 ? Long.parseLong(args[4]) : 5;

        List<Double> alone = timeSmallPages(server, args[2], seconds);
        report("alone", alone);

        AtomicBoolean downloading = new AtomicBoolean(true);
        AtomicLong downloaded = new AtomicLong();
        Thread downloader = new Thread(() -> download(server, args[3], downloading, downloaded), "downloader");
        downloader.start();
        long start = System.nanoTime();
        List<Double> during;
        try {
            during = timeSmallPages(server, args[2], seconds);
        } finally {
            downloading.set(false);
            downloader.join();
        }
        double mibPerSecond = downloaded.get() / 1048576.0 / ((System.nanoTime() - start) / 1e9);
        report("during the download", during);
        System.out.printf(Locale.ROOT, "the download meanwhile: %.0f MiB/s%n", mibPerSecond);
        System.out.printf(Locale.ROOT, "small-page-latency alone_p50_ms=%.3f alone_p99_ms=%.3f alone_max_ms=%.3f"
                        + " during_p50_ms=%.3f during_p99_ms=%.3f during_max_ms=%.3f requests_alone=%d"
                        + " requests_during=%d download_mib_s=%.0f%n",
                percentile(alone, 50), percentile(alone, 99), percentile(alone, 100),
                percentile(during, 50), percentile(during, 99), percentile(during, 100),
                alone.size(), during.size(), mibPerSecond);
    }

    /** Asks for the page again and again on one connection for the given time; each answer's wait in ms. */
    private static List<Double> timeSmallPages(InetSocketAddress server, String path, long seconds) throws IOException {
        List<Double> millis = new ArrayList<>();
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = connect(server)) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                long start = System.nanoTime();
                socket.getOutputStream().write(request);
                readResponse(in, new byte[8192]);
                millis.add((System.nanoTime() - start) / 1e6);
            }
        }
        return millis;
    }

    /** Downloads the file again and again, as fast as it can, until told to stop. */
    private static void download(InetSocketAddress server, String path, AtomicBoolean going, AtomicLong bytes) {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] buffer = new byte[1 << 20];
        try (Socket socket = connect(server)) {
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 20);
            while (going.get()) {
                socket.getOutputStream().write(request);
                bytes.addAndGet(readResponse(in, buffer));
            }
        } catch (IOException e) {
            System.out.println("the download failed: " + e);
        }
    }

    private static Socket connect(InetSocketAddress server) throws IOException {
        Socket socket = new Socket();
        socket.connect(server, 10_000);
        socket.setSoTimeout(20_000);
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** Reads one response (head, then Content-Length bytes of body); returns the body's length. */
    private static long readResponse(InputStream in, byte[] buffer) throws IOException {
        StringBuilder head = new StringBuilder();
        int matched = 0; // how much of CR LF CR LF we have just seen
        while (matched < 4) {
            int b = in.read();
            if (b == -1) {
                throw new EOFException("the server closed the connection");
            }
            head.append((char) b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String headers = head.toString().toLowerCase(Locale.ROOT);
        int at = headers.indexOf("content-length:");
        long length = Long.parseLong(headers.substring(at + 15, headers.indexOf('\r', at)).strip());
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n == -1) {
                throw new EOFException("the body ended early");
            }
            left -= n;
        }
        return length;
    }

    private static void report(String when, List<Double> millis) {
        System.out.printf(Locale.ROOT, "small page %s: %d answers, p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
                when, millis.size(), percentile(millis, 50), percentile(millis, 99), percentile(millis, 100));
    }

    private static double percentile(List<Double> values, int percent) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, index));
    }
}
