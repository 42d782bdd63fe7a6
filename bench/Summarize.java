import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Turns bench/run's measurements (latest.csv) into the Markdown tables and Mermaid charts of
 * bench/results/latest.md; with --update-docs, copies that file between the markers
 * "<!-- results:begin -->" and "<!-- results:end -->" of docs/benchmarks.md.
 *
 * Usage: java Summarize CSV MACHINE-TXT CLK_TCK        (Markdown on standard output)
 *        java Summarize --update-docs DOC LATEST-MD
 */
public class Summarize {

    private static final String BEGIN = "<!-- results:begin -->";
    private static final String END = "<!-- results:end -->";

    /** One CSV line: section,subject,mode,connections,rep,v1..v7. */
    record Row(String section, String subject, String mode, String connections, String rep, String[] v) {
        String v(int i) {
            return i <= v.length ? v[i - 1] : "";
        }

        double d(int i) {
            String s = v(i);
            return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
        }
    }

    private final List<Row> rows = new ArrayList<>();
    private final Map<String, String> machine = new LinkedHashMap<>();
    private final double ticksPerSecond;
    private final StringBuilder out = new StringBuilder();

    public static void main(String[] args) throws IOException {
        if (args.length == 3 && args[0].equals("--update-docs")) {
            updateDocs(Path.of(args[1]), Files.readString(Path.of(args[2])));
            return;
        }
        if (args.length != 3) {
            System.err.println("usage: Summarize CSV MACHINE-TXT CLK_TCK | Summarize --update-docs DOC LATEST-MD");
            System.exit(2);
        }
        Summarize summary = new Summarize(Path.of(args[0]), Path.of(args[1]), Double.parseDouble(args[2]));
        System.out.print(summary.markdown());
    }

    Summarize(Path csv, Path machineFile, double ticksPerSecond) throws IOException {
        this.ticksPerSecond = ticksPerSecond;
        for (String line : Files.readAllLines(csv).subList(1, Files.readAllLines(csv).size())) {
            String[] f = line.split(",", -1);
            String[] values = new String[f.length - 5];
            System.arraycopy(f, 5, values, 0, values.length);
            rows.add(new Row(f[0], f[1], f[2], f[3], f[4], values));
        }
        for (String line : Files.readAllLines(machineFile)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                machine.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
    }

    String markdown() {
        machineSection();
        echoSection();
        streamSection();
        httpSection();
        holdSection();
        return out.toString();
    }

    // ---- machine ----------------------------------------------------------------------------

    private void machineSection() {
        line("### The machine and the run");
        line("");
        line("| | |");
        line("|---|---|");
        for (String key : List.of("date", "mode", "nproc", "cpu", "memory", "kernel", "java", "wrk",
                "server_opts", "pinning", "step05_classes", "load_before", "load_after", "duration_seconds")) {
            if (machine.containsKey(key)) {
                line("| " + key.replace('_', ' ') + " | " + machine.get(key) + " |");
            }
        }
        line("");
    }

    // ---- echo -------------------------------------------------------------------------------

    private void echoSection() {
        List<Row> echo = section("echo");
        if (echo.isEmpty()) {
            return;
        }
        List<String> steps = distinct(echo, Row::subject);
        List<String> counts = distinct(echo, Row::connections);
        line("### Echo: round trips per second (step 04's client, " + machine.getOrDefault("reps", "").replaceAll(".*echo_messages=(\\d+).*", "$1")
                + " messages of " + machine.getOrDefault("reps", "").replaceAll(".*echo_bytes=(\\d+).*", "$1") + " bytes per connection)");
        line("");
        line("Median of up to " + reps(echo) + " runs; each cell: round trips per second (a round trip is one message sent and its echo received; the client's own time)."
                + " An incomplete run shows how many connections the server served to the end: \"time limit\" means bench/run stopped the client;"
                + " \"no progress\" that bytes never came back; \"connections failed\" that the client saw connections reset or closed (its summary is in the raw output).");
        line("");
        line("| step | " + counts.stream().map(c -> c + " connection" + (c.equals("1") ? "" : "s")).collect(Collectors.joining(" | ")) + " |");
        line("|---|" + "---:|".repeat(counts.size()));
        Map<String, List<Double>> chart = new LinkedHashMap<>();
        for (String step : steps) {
            StringBuilder cells = new StringBuilder("| " + stepName(step) + " |");
            List<Double> series = new ArrayList<>();
            for (String count : counts) {
                List<Row> runs = filter(echo, r -> r.subject().equals(step) && r.connections().equals(count));
                EchoCell cell = echoCell(runs);
                cells.append(' ').append(cell.text).append(" |");
                series.add(cell.roundTripsPerSecond);
            }
            line(cells.toString());
            chart.put(step, series);
        }
        line("");
        xyChart("Echo round trips per second (higher is better)", "concurrent connections", counts,
                "round trips per second", chart);
    }

    private record EchoCell(String text, double roundTripsPerSecond) {
    }

    private EchoCell echoCell(List<Row> runs) {
        if (runs.isEmpty()) {
            return new EchoCell("-", 0);
        }
        // An unfinished run counts as slower than every finished one.
        List<Double> seconds = runs.stream().map(r -> r.v(1).equals("1") ? r.d(2) : Double.POSITIVE_INFINITY).sorted().toList();
        double median = seconds.get(seconds.size() / 2);
        if (Double.isInfinite(median)) {
            Row stopped = filter(runs, r -> !r.v(1).equals("1")).get(0);
            String why = stopped.v(5).equals("124") ? "time limit"
                    : stopped.v(7).equals("1") ? "client gave up: no progress for 10 s" : "client ended: connections failed";
            List<Row> incomplete = filter(runs, r -> !r.v(1).equals("1"));
            return new EchoCell(String.format(Locale.ROOT, "incomplete: %.0f of %s served (%s after %.1f s; %.0f listen queue overflows)",
                    median(incomplete, r -> r.d(4)), stopped.connections(), why, median(incomplete, r -> r.d(2)),
                    median(incomplete, r -> r.d(6))), 0);
        }
        double total = runs.get(0).d(3);
        double perSecond = total / median;
        return new EchoCell(String.format(Locale.ROOT, "%s (%.2f s)", grouped(perSecond), median), perSecond);
    }

    // ---- stream -----------------------------------------------------------------------------

    private void streamSection() {
        List<Row> stream = section("stream");
        if (stream.isEmpty()) {
            return;
        }
        line("### Streaming: one connection, " + mib(stream.get(0).d(5)) + " MiB echoed back");
        line("");
        line("Median of " + reps(stream) + " runs. MB/s counts the bytes that came back (1 MB = 10^6 bytes).");
        line("");
        line("| step | MB/s | seconds | all bytes back? |");
        line("|---|---:|---:|---|");
        for (String step : distinct(stream, Row::subject)) {
            List<Row> runs = filter(stream, r -> r.subject().equals(step));
            long complete = runs.stream().filter(r -> r.v(1).equals("1")).count();
            String whole = complete == runs.size() ? "yes"
                    : String.format(Locale.ROOT, "no: %d of %d runs lost bytes (median %s MiB of %s back)",
                    runs.size() - complete, runs.size(), mib(median(runs, r -> r.d(4))), mib(runs.get(0).d(5)));
            line(String.format(Locale.ROOT, "| %s | %.0f | %.2f | %s |", stepName(step),
                    median(runs, r -> r.d(3)), median(runs, r -> r.d(2)), whole));
        }
        line("");
    }

    // ---- http -------------------------------------------------------------------------------

    private void httpSection() {
        List<Row> http = filter(section("http"), r -> !r.subject().equals("jdk-defaults"));
        List<Row> defaults = filter(section("http"), r -> r.subject().equals("jdk-defaults"));
        if (http.isEmpty()) {
            return;
        }
        line("### HTTP: step 05 and the JDK's HttpServer, same page, wrk");
        line("");
        line("Median of " + reps(http) + " runs, the two servers alternating. CPU/request is the server process's user + system CPU time"
                + " during the run divided by the requests served. Ratio = step 05 / JDK, computed run by run, median.");
        line("");
        line("| connections | mode | step 05 req/s | JDK req/s | ratio | step 05 CPU/request | JDK CPU/request | step 05 p50 / p99 | JDK p50 / p99 | errors (05 / JDK) |");
        line("|---:|---|---:|---:|---:|---:|---:|---|---|---|");
        Map<String, List<Double>> chart = new LinkedHashMap<>();
        chart.put("step05", new ArrayList<>());
        chart.put("jdk", new ArrayList<>());
        Map<String, List<Double>> cpuChart = new LinkedHashMap<>();
        cpuChart.put("step05", new ArrayList<>());
        cpuChart.put("jdk", new ArrayList<>());
        List<String> counts = distinct(http, Row::connections);
        for (String mode : distinct(http, Row::mode)) {
            for (String count : counts) {
                List<Row> a = filter(http, r -> r.subject().equals("step05") && r.mode().equals(mode) && r.connections().equals(count));
                List<Row> b = filter(http, r -> r.subject().equals("jdk") && r.mode().equals(mode) && r.connections().equals(count));
                if (a.isEmpty() || b.isEmpty()) {
                    continue;
                }
                List<Double> ratios = new ArrayList<>();
                for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                    ratios.add(a.get(i).d(1) / b.get(i).d(1));
                }
                double ratio = median(ratios);
                double rpsA = median(a, r -> r.d(1));
                double rpsB = median(b, r -> r.d(1));
                line(String.format(Locale.ROOT, "| %s | %s | %s | %s | **%.2fx** | %s | %s | %s / %s | %s / %s | %s / %s |",
                        count, mode.equals("keepalive") ? "keep-alive" : "Connection: close",
                        grouped(rpsA), grouped(rpsB), ratio,
                        micros(median(a, this::cpuMicrosPerRequest)), micros(median(b, this::cpuMicrosPerRequest)),
                        millis(median(a, r -> ms(r.v(4)))), millis(median(a, r -> ms(r.v(6)))),
                        millis(median(b, r -> ms(r.v(4)))), millis(median(b, r -> ms(r.v(6)))),
                        sum(a, 7), sum(b, 7)));
                if (mode.equals("keepalive")) {
                    chart.get("step05").add(rpsA);
                    chart.get("jdk").add(rpsB);
                }
                if (mode.equals("keepalive")) {
                    cpuChart.get("step05").add(median(a, this::cpuMicrosPerRequest));
                    cpuChart.get("jdk").add(median(b, this::cpuMicrosPerRequest));
                }
                if (mode.equals("keepalive") && count.equals("50")) {
                    targetLine = String.format(Locale.ROOT,
                            "Target (step 05 >= 1.5x the JDK server's req/s, keep-alive, 50 connections): **%.3fx, %s**;"
                                    + " CPU per request %s (step 05) against %s (JDK), %.2fx less.",
                            ratio, ratio >= 1.5 ? "met" : "not met",
                            micros(median(a, this::cpuMicrosPerRequest)), micros(median(b, this::cpuMicrosPerRequest)),
                            median(b, this::cpuMicrosPerRequest) / median(a, this::cpuMicrosPerRequest));
                }
            }
        }
        line("");
        if (targetLine != null) {
            line(targetLine);
            line("");
        }
        for (Row r : defaults) {
            line(String.format(Locale.ROOT, "For reference, the JDK server with its defaults (no `-Dsun.net.httpserver.nodelay=true`:"
                    + " Nagle's algorithm on), keep-alive, %s connection: **%s req/s**, p50 %s.", r.connections(), grouped(r.d(1)), millis(ms(r.v(4)))));
            line("");
        }
        if (chart.get("step05").size() == counts.size()) {
            xyChart("HTTP keep-alive requests per second (higher is better)", "concurrent connections", counts,
                    "requests per second", Map.of("step05", chart.get("step05"), "jdk", chart.get("jdk")));
            xyChart("HTTP keep-alive: server CPU time per request in microseconds (lower is better)", "concurrent connections", counts,
                    "microseconds per request", Map.of("step05", cpuChart.get("step05"), "jdk", cpuChart.get("jdk")));
        }
    }

    private String targetLine;

    private double cpuMicrosPerRequest(Row r) {
        return r.d(3) * 1e6 / ticksPerSecond / r.d(2);
    }

    /** wrk prints latencies as 850.00us, 4.65ms, 1.02s or 2.00m. */
    private static double ms(String latency) {
        if (latency.isEmpty()) {
            return Double.NaN;
        }
        String number = latency.replaceAll("[a-z]+$", "");
        String unit = latency.substring(number.length());
        double value = Double.parseDouble(number);
        return switch (unit) {
            case "us" -> value / 1000;
            case "ms" -> value;
            case "s" -> value * 1000;
            case "m" -> value * 60_000;
            default -> Double.NaN;
        };
    }

    // ---- hold -------------------------------------------------------------------------------

    private void holdSection() {
        List<Row> hold = section("hold");
        if (hold.isEmpty()) {
            return;
        }
        line("### Connections held");
        line("");
        line("Server memory is the resident set size (VmRSS) of the server's JVM; \"per connection\" divides the growth by the connections held."
                + " Step 04's connections are idle (step04-multi-client/scripts/IdleConnections.java); step 05's each make a request every "
                + machine.getOrDefault("reps", "").replaceAll(".*hold_refresh=(\\d+).*", "$1")
                + " s, inside its 10 s idle timeout, which is left as it is.");
        line("");
        line("| step | connections | held | server RSS before | RSS holding them | per connection | a new client served in | still open at the end | notes |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        for (Row r : hold) {
            double before = r.d(2);
            double held = r.d(3);
            double open = r.d(1);
            line(String.format(Locale.ROOT, "| %s (%s) | %s | %.0f | %.0f MiB | %.0f MiB | %.1f KiB | %s ms | %s | %s |",
                    stepName(r.subject()), r.mode().equals("http") ? "keep-alive HTTP" : "idle echo",
                    grouped(Double.parseDouble(r.connections())), open, before / 1024, held / 1024,
                    (held - before) / open, r.v(4), r.v(5).isEmpty() ? "-" : r.v(5), r.v(6)));
        }
        line("");
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** A Mermaid xychart-beta with one line per series (Mermaid draws no legend: the caption names them). */
    private void xyChart(String title, String xLabel, List<String> xs, String yLabel, Map<String, List<Double>> series) {
        List<String> names = new ArrayList<>(series.keySet());
        names.sort(Comparator.naturalOrder());
        double max = series.values().stream().flatMap(List::stream).mapToDouble(Double::doubleValue).max().orElse(1);
        line("```mermaid");
        line("xychart-beta");
        line("    title \"" + title + "\"");
        line("    x-axis \"" + xLabel + "\" [" + xs.stream().map(x -> "\"" + x + "\"").collect(Collectors.joining(", ")) + "]");
        line("    y-axis \"" + yLabel + "\" 0 --> " + (long) niceCeiling(max));
        for (String name : names) {
            line("    line [" + series.get(name).stream().map(v -> String.valueOf(Math.round(v))).collect(Collectors.joining(", ")) + "]");
        }
        line("```");
        line("");
        line("Lines, in the order Mermaid colours them: " + names.stream().map(Summarize::stepName).collect(Collectors.joining(", "))
                + ". A run that did not finish is drawn at 0.");
        line("");
    }

    private static double niceCeiling(double max) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(max, 1))));
        return Math.ceil(max / magnitude) * magnitude;
    }

    private static String stepName(String subject) {
        return switch (subject) {
            case "jdk" -> "JDK HttpServer";
            case "step05" -> "step 05";
            default -> subject.startsWith("step") ? "step " + subject.substring(4) : subject;
        };
    }

    private List<Row> section(String name) {
        return filter(rows, r -> r.section().equals(name));
    }

    private static List<Row> filter(List<Row> rows, Predicate<Row> which) {
        return rows.stream().filter(which).toList();
    }

    private static List<String> distinct(List<Row> rows, java.util.function.Function<Row, String> key) {
        Set<String> seen = new LinkedHashSet<>();
        rows.forEach(r -> seen.add(key.apply(r)));
        return new ArrayList<>(seen);
    }

    private static int reps(List<Row> rows) {
        return (int) rows.stream().map(Row::rep).distinct().count();
    }

    private static double median(List<Row> rows, ToDoubleFunction<Row> value) {
        return median(rows.stream().map(r -> value.applyAsDouble(r)).toList());
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().filter(v -> !v.isNaN()).sorted().toList();
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static long sum(List<Row> rows, int column) {
        return rows.stream().mapToLong(r -> r.v(column).isEmpty() ? 0 : Long.parseLong(r.v(column))).sum();
    }

    private static String grouped(double value) {
        return String.format(Locale.ROOT, "%,d", Math.round(value));
    }

    private static String micros(double value) {
        return String.format(Locale.ROOT, "%.1f us", value);
    }

    private static String millis(double value) {
        return value < 1 ? String.format(Locale.ROOT, "%.2f ms", value) : String.format(Locale.ROOT, "%.1f ms", value);
    }

    private static String mib(double bytes) {
        return String.format(Locale.ROOT, "%.0f", bytes / 1048576);
    }

    private void line(String text) {
        out.append(text).append('\n');
    }

    private static void updateDocs(Path doc, String results) throws IOException {
        String text = Files.readString(doc);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            System.err.println(doc + " has no " + BEGIN + " ... " + END + " region");
            System.exit(1);
        }
        Files.writeString(doc, text.substring(0, begin + BEGIN.length()) + "\n\n" + results + text.substring(end));
    }
}
