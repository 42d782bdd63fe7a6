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
 * bench/results/latest.md, and the chart of the concurrency models into an SVG (--svg FILE).
 *
 * With --docs DIR it also writes, each between its two markers, and only from a full run that
 * measured the parts it shows:
 * - DIR/benchmarks.md, "<!-- results:begin -->" ... "<!-- results:end -->": every table (every part);
 * - DIR/06-whats-next.md, "<!-- results:concurrency-models:begin -->" ... ":end -->": the concurrency
 *   models (parts echo, stream, hold, check), and their chart as DIR/images/concurrency-models.svg;
 * - DIR/07-tls.md, "<!-- results:https:begin -->" ... ":end -->": step 06 and the JDK's HttpsServer
 *   (part https).
 *
 * Usage: java Summarize CSV MACHINE-TXT CLK_TCK [CHECKS-TXT] [--svg FILE] [--docs DIR]
 *        (the Markdown of latest.md on standard output)
 */
public class Summarize {

    private static final String USAGE = "usage: Summarize CSV MACHINE-TXT CLK_TCK [CHECKS-TXT] [--svg FILE] [--docs DIR]";
    /** The regions of the docs, and the parts each needs. */
    private static final String ALL_PARTS = "echo,stream,http,https,hold,limits,latency,check";
    private static final String MODELS_PARTS = "echo,stream,hold,check";
    private static final String HTTPS_PARTS = "https";
    /** The chart of the concurrency models, as the docs link it (from docs/) and as latest.md does (beside it). */
    private static final String DOCS_CHART = "images/concurrency-models.svg";
    /** Issue 12's targets. */
    private static final double STREAM_TARGET = 0.7;
    private static final double IDLE_HEAP_TARGET = 1.5;

    /** One CSV line: section,subject,mode,connections,rep,v1..vN. */
    record Row(String section, String subject, String mode, String connections, String rep, String[] v) {
        String v(int i) {
            return i <= v.length ? v[i - 1] : "";
        }

        double d(int i) {
            String s = v(i);
            return s.isEmpty() || s.equals("?") ? Double.NaN : Double.parseDouble(s);
        }
    }

    private final List<Row> rows = new ArrayList<>();
    private final Map<String, String> machine = new LinkedHashMap<>();
    private final List<String[]> checks = new ArrayList<>();
    private final double ticksPerSecond;
    private StringBuilder out = new StringBuilder();
    /** Where the models' chart is linked from the Markdown being written (null: no chart). */
    private String chartLink;
    /** Writing a chapter's region: the chapter's own heading and prose say what the table is. */
    private boolean inChapter;

    public static void main(String[] args) throws IOException {
        List<String> positional = new ArrayList<>();
        Path svg = null;
        Path docs = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--svg") || args[i].equals("--docs")) {
                if (i + 1 == args.length) {
                    usage("missing value after " + args[i]);
                }
                Path value = Path.of(args[++i]);
                if (args[i - 1].equals("--svg")) {
                    svg = value;
                } else {
                    docs = value;
                }
            } else if (args[i].startsWith("--")) {
                usage("unknown option " + args[i]);
            } else {
                positional.add(args[i]);
            }
        }
        if (positional.size() != 3 && positional.size() != 4) {
            usage("three or four files and numbers expected");
        }
        Summarize summary = new Summarize(Path.of(positional.get(0)), Path.of(positional.get(1)),
                Double.parseDouble(positional.get(2)), positional.size() == 4 ? Path.of(positional.get(3)) : null);
        String chart = svg == null ? null : summary.modelsChart();
        if (svg != null && chart != null) {
            Files.writeString(svg, chart);
        }
        System.out.print(summary.markdown(svg != null && chart != null ? svg.getFileName().toString() : null));
        if (docs != null) {
            summary.updateDocs(docs, chart);
        }
    }

    private static void usage(String problem) {
        System.err.println(USAGE + " (" + problem + ")");
        System.exit(2);
    }

    Summarize(Path csv, Path machineFile, double ticksPerSecond, Path checksFile) throws IOException {
        this.ticksPerSecond = ticksPerSecond;
        List<String> lines = Files.readAllLines(csv);
        for (String line : lines.subList(1, lines.size())) {
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
        if (checksFile != null && Files.exists(checksFile)) {
            for (String line : Files.readAllLines(checksFile)) {
                int tab = line.indexOf('\t');
                if (tab > 0) {
                    checks.add(new String[] {line.substring(0, tab), line.substring(tab + 1)});
                }
            }
        }
    }

    /** Every table, the models' chart linked as CHART (null: none). */
    String markdown(String chart) {
        return render(chart, () -> {
            machineSection();
            echoSection();
            streamSection();
            httpSection();
            httpsSection();
            holdSection();
            limitsSection();
            latencySection();
            checkSection();
            modelsSection();
        });
    }

    /** What SECTIONS write, on their own, with the models' chart linked as CHART. */
    private String render(String chart, Runnable sections) {
        StringBuilder saved = out;
        String savedLink = chartLink;
        out = new StringBuilder();
        chartLink = chart;
        try {
            sections.run();
            return out.toString();
        } finally {
            out = saved;
            chartLink = savedLink;
        }
    }

    // ---- machine ----------------------------------------------------------------------------

    private void machineSection() {
        line("### The machine and the run");
        line("");
        line("| | |");
        line("|---|---|");
        for (String key : List.of("date", "mode", "parts", "nproc", "cpu", "memory", "kernel", "java", "wrk", "nginx", "openssl",
                "https_tls_step06", "https_tls_jdk", "server_opts", "limits_opts", "pinning", "virtual_threads", "before", "step05_classes", "load_before", "load_after",
                "duration_seconds")) {
            if (machine.containsKey(key)) {
                line("| " + key.replace('_', ' ') + " | " + machine.get(key) + " |");
            }
        }
        String parts = machine.keySet().stream().filter(k -> k.startsWith("seconds_"))
                .map(k -> k.substring("seconds_".length()) + " " + machine.get(k) + " s").collect(Collectors.joining(", "));
        if (!parts.isEmpty()) {
            line("| time per part | " + parts + " |");
        }
        line("");
    }

    private String setting(String name) {
        return machine.getOrDefault("reps", "").replaceAll(".*\\b" + name + "=(\\S+).*", "$1");
    }

    // ---- echo -------------------------------------------------------------------------------

    private void echoSection() {
        List<Row> echo = section("echo");
        if (echo.isEmpty()) {
            return;
        }
        List<String> subjects = distinct(echo, Row::subject);
        List<String> counts = distinct(echo, Row::connections);
        line("### Echo: round trips per second (step 04's client, " + setting("echo_messages")
                + " messages of " + setting("echo_bytes") + " bytes per connection)");
        line("");
        line("Median of up to " + reps(echo) + " runs; each cell: round trips per second (a round trip is one message sent and its echo received; the client's own time)."
                + " An incomplete run shows how many connections the server served to the end: \"time limit\" means bench/run stopped the client;"
                + " \"no progress\" that bytes never came back; \"connections failed\" that the client saw connections reset or closed (its summary is in the raw output)."
                + variantsNote(subjects));
        line("");
        line("| server | " + counts.stream().map(c -> c + " connection" + (c.equals("1") ? "" : "s")).collect(Collectors.joining(" | ")) + " |");
        line("|---|" + "---:|".repeat(counts.size()));
        Map<String, List<Double>> chart = new LinkedHashMap<>();
        for (String subject : subjects) {
            StringBuilder cells = new StringBuilder("| " + name(subject) + " |");
            List<Double> series = new ArrayList<>();
            for (String count : counts) {
                List<Row> runs = filter(echo, r -> r.subject().equals(subject) && r.connections().equals(count));
                EchoCell cell = echoCell(runs);
                cells.append(' ').append(cell.text).append(" |");
                series.add(cell.roundTripsPerSecond);
            }
            line(cells.toString());
            chart.put(subject, series);
        }
        line("");
        xyChart("Echo round trips per second (higher is better)", "concurrent connections", counts,
                "round trips per second", chart);
    }

    private String variantsNote(List<String> subjects) {
        String note = "";
        if (subjects.contains("pooled") || subjects.contains("virtual")) {
            note = " The variants (bench/variants/) are step 02's server with a thread per connection: "
                    + "from a fixed pool of " + setting("pool_threads") + " platform threads, or a new virtual thread each.";
        }
        if (!subjects.contains("virtual") && machine.getOrDefault("virtual_threads", "").startsWith("skipped")) {
            note += " Virtual-thread variant " + machine.get("virtual_threads") + ".";
        }
        return note;
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
        List<Row> limit = filter(stream, r -> r.subject().equals("limit"));
        line("### Streaming: one connection, " + mib(stream.get(0).d(5)) + " MiB echoed back");
        line("");
        line("Median of " + reps(stream) + " runs. MB/s counts the bytes that came back (1 MB = 10^6 bytes), every one checked by the client."
                + (limit.isEmpty() ? "" : " The loopback limit is bench/BlockingCopyServer.java, a plain blocking copy with 64 KiB buffers,"
                + " one read and one write per 64 KiB, driven by the same client in the same run; each server's ratio to it is taken"
                + " repetition by repetition (the servers take turns within each), median."));
        line("");
        line("| server | MB/s | of the loopback limit | seconds | all bytes back? |");
        line("|---|---:|---:|---:|---|");
        String targetLine = null;
        for (String subject : distinct(stream, Row::subject)) {
            List<Row> runs = filter(stream, r -> r.subject().equals(subject));
            long complete = runs.stream().filter(r -> r.v(1).equals("1")).count();
            String whole = complete == runs.size() ? "yes"
                    : String.format(Locale.ROOT, "no: %d of %d runs lost bytes (median %s MiB of %s back)",
                    runs.size() - complete, runs.size(), mib(median(runs, r -> r.d(4))), mib(runs.get(0).d(5)));
            List<Double> ratios = new ArrayList<>();
            for (Row run : runs) {
                limit.stream().filter(l -> l.rep().equals(run.rep())).findFirst()
                        .ifPresent(l -> ratios.add(run.d(3) / l.d(3)));
            }
            double ratio = median(ratios);
            line(String.format(Locale.ROOT, "| %s | %.0f | %s | %.2f | %s |", name(subject),
                    median(runs, r -> r.d(3)), Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2fx", ratio),
                    median(runs, r -> r.d(2)), whole));
            if (subject.equals("step04") && !Double.isNaN(ratio)) {
                targetLine = String.format(Locale.ROOT, "Target (step 04 at %.1fx the loopback limit or better, every byte checked): **%.2fx, %s**.",
                        STREAM_TARGET, ratio, ratio >= STREAM_TARGET && complete == runs.size() ? "met" : "not met");
            }
        }
        line("");
        if (targetLine != null) {
            line(targetLine);
            line("");
        }
    }

    // ---- http -------------------------------------------------------------------------------

    private void httpSection() {
        List<Row> http = filter(section("http"), r -> !r.subject().equals("jdk-defaults"));
        List<Row> defaults = filter(section("http"), r -> r.subject().equals("jdk-defaults"));
        if (http.isEmpty()) {
            return;
        }
        boolean nginx = http.stream().anyMatch(r -> r.subject().equals("nginx"));
        line("### HTTP: step 05, the JDK's HttpServer" + (nginx ? " and nginx" : "") + ", same page, wrk");
        line("");
        line("Median of " + reps(http) + " runs, the servers alternating. CPU/request is the server's user + system CPU time"
                + " during the run (all its processes) divided by the requests served. Ratio = step 05 / the other, computed run by run, median."
                + (nginx ? " nginx: one worker, access log off (bench/nginx.conf)." : " nginx: " + machine.getOrDefault("nginx", "not measured") + "."));
        line("");
        line("| connections | mode | step 05 req/s | JDK req/s | step 05 / JDK |" + (nginx ? " nginx req/s | step 05 / nginx |" : "")
                + " step 05 CPU/request | JDK CPU/request |" + (nginx ? " nginx CPU/request |" : "")
                + " step 05 p50 / p99 | JDK p50 / p99 |" + (nginx ? " nginx p50 / p99 |" : "") + " errors (05 / JDK" + (nginx ? " / nginx" : "") + ") |");
        line("|---:|---|---:|---:|---:|" + (nginx ? "---:|---:|" : "") + "---:|---:|" + (nginx ? "---:|" : "") + "---|---|" + (nginx ? "---|" : "") + "---|");
        List<String> servers = nginx ? List.of("step05", "jdk", "nginx") : List.of("step05", "jdk");
        Map<String, List<Double>> chart = new LinkedHashMap<>();
        Map<String, List<Double>> cpuChart = new LinkedHashMap<>();
        servers.forEach(s -> {
            chart.put(s, new ArrayList<>());
            cpuChart.put(s, new ArrayList<>());
        });
        List<String> counts = distinct(http, Row::connections);
        String targetLine = null;
        String nginxLine = null;
        for (String mode : distinct(http, Row::mode)) {
            for (String count : counts) {
                Map<String, List<Row>> runs = new LinkedHashMap<>();
                for (String server : servers) {
                    runs.put(server, filter(http, r -> r.subject().equals(server) && r.mode().equals(mode) && r.connections().equals(count)));
                }
                List<Row> a = runs.get("step05");
                List<Row> b = runs.get("jdk");
                if (a.isEmpty() || b.isEmpty()) {
                    continue;
                }
                double ratioJdk = ratio(a, b);
                StringBuilder cells = new StringBuilder(String.format(Locale.ROOT, "| %s | %s | %s | %s | **%.2fx** |",
                        count, mode.equals("keepalive") ? "keep-alive" : "Connection: close",
                        grouped(median(a, r -> r.d(1))), grouped(median(b, r -> r.d(1))), ratioJdk));
                double ratioNginx = Double.NaN;
                if (nginx) {
                    List<Row> n = runs.get("nginx");
                    ratioNginx = ratio(a, n);
                    cells.append(String.format(Locale.ROOT, " %s | **%.2fx** |", grouped(median(n, r -> r.d(1))), ratioNginx));
                }
                for (String server : servers) {
                    cells.append(' ').append(micros(median(runs.get(server), this::cpuMicrosPerRequest))).append(" |");
                }
                for (String server : servers) {
                    List<Row> r = runs.get(server);
                    cells.append(' ').append(millis(median(r, x -> ms(x.v(4))))).append(" / ").append(millis(median(r, x -> ms(x.v(6))))).append(" |");
                }
                cells.append(' ').append(servers.stream().map(s -> String.valueOf(sum(runs.get(s), 7))).collect(Collectors.joining(" / "))).append(" |");
                line(cells.toString());
                if (mode.equals("keepalive")) {
                    for (String server : servers) {
                        chart.get(server).add(median(runs.get(server), r -> r.d(1)));
                        cpuChart.get(server).add(median(runs.get(server), this::cpuMicrosPerRequest));
                    }
                }
                if (mode.equals("keepalive") && count.equals("50")) {
                    targetLine = String.format(Locale.ROOT,
                            "Target (step 05 >= 1.5x the JDK server's req/s, keep-alive, 50 connections): **%.3fx, %s**;"
                                    + " CPU per request %s (step 05) against %s (JDK), %.2fx less.",
                            ratioJdk, ratioJdk >= 1.5 ? "met" : "not met",
                            micros(median(a, this::cpuMicrosPerRequest)), micros(median(b, this::cpuMicrosPerRequest)),
                            median(b, this::cpuMicrosPerRequest) / median(a, this::cpuMicrosPerRequest));
                    if (nginx) {
                        List<Row> n = runs.get("nginx");
                        nginxLine = String.format(Locale.ROOT,
                                "Step 05 against nginx (one worker; keep-alive, 50 connections): **%.2fx its requests per second**;"
                                        + " CPU per request %s (step 05) against %s (nginx), %.2fx nginx's.",
                                ratioNginx, micros(median(a, this::cpuMicrosPerRequest)), micros(median(n, this::cpuMicrosPerRequest)),
                                median(a, this::cpuMicrosPerRequest) / median(n, this::cpuMicrosPerRequest));
                    }
                }
            }
        }
        line("");
        for (String text : new String[] {targetLine, nginxLine}) {
            if (text != null) {
                line(text);
                line("");
            }
        }
        for (Row r : defaults) {
            line(String.format(Locale.ROOT, "For reference, the JDK server with its defaults (no `-Dsun.net.httpserver.nodelay=true`:"
                    + " Nagle's algorithm on), keep-alive, %s connection: **%s req/s**, p50 %s.", r.connections(), grouped(r.d(1)), millis(ms(r.v(4)))));
            line("");
        }
        if (chart.get("step05").size() == counts.size()) {
            xyChart("HTTP keep-alive requests per second (higher is better)", "concurrent connections", counts,
                    "requests per second", chart);
            xyChart("HTTP keep-alive: server CPU time per request in microseconds (lower is better)", "concurrent connections", counts,
                    "microseconds per request", cpuChart);
        }
    }

    /** a / b requests per second, run by run (the servers alternate), median. */
    private static double ratio(List<Row> a, List<Row> b) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            ratios.add(a.get(i).d(1) / b.get(i).d(1));
        }
        return median(ratios);
    }

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

    // ---- https ------------------------------------------------------------------------------

    // https,SERVER,MODE,CONNECTIONS,REP, rate, requests, ticks, p50, p90, p99, errors, seconds
    // MODE: keepalive and close (wrk; close = a new connection per request, its TLS session resumed),
    // full (openssl s_time -new: a full handshake per connection; CONNECTIONS = processes at once)
    private void httpsSection() {
        List<Row> https = section("https");
        if (https.isEmpty()) {
            return;
        }
        // step 06 first, then the JDK's server as it comes (dispatcher only), then with a pool
        List<String> servers = List.of("step06", "jdk", "jdk-pool").stream()
                .filter(s -> https.stream().anyMatch(r -> r.subject().equals(s))).toList();
        List<String> jdks = servers.stream().filter(s -> !s.equals("step06")).toList();
        String tls06 = machine.get("https_tls_step06");
        String tlsJdk = machine.get("https_tls_jdk");
        String threads = setting("jdk_https_threads");
        String negotiated = tls06 != null ? " Negotiated (`openssl s_client -brief`): step 06 " + tls06 + "; JDK " + tlsJdk + "." : "";
        if (inChapter) {
            line("Median of " + reps(https) + " runs, the servers alternating. \"JDK\" is the JDK's `HttpsServer` as it comes, every exchange"
                    + " and its handshake on its dispatcher thread; \"JDK pool\" the same with a pool of " + threads + " threads"
                    + " (`setExecutor`)." + negotiated);
            line("");
        } else {
            line("### HTTPS: step 06 and the JDK's HttpsServer, same page, same key store, TLS 1.3");
            line("");
            line("Median of " + reps(https) + " runs, the servers alternating, each alone on its core. Step 06 is run as its README shows"
                    + " (`--keystore localhost.p12 --storepass changeit`, the README's `keytool` command); the JDK's server is"
                    + " bench/JdkHttpsServer.java: `com.sun.net.httpserver.HttpsServer` with bench/JdkHttpServer.java's handler, the same"
                    + " key store, TLS 1.3 only, Nagle off; \"JDK\" runs every exchange, and its blocking handshake, on its dispatcher thread"
                    + " (no executor, the JDK's default), \"JDK pool\" hands them to a pool of " + threads + " threads (`--threads " + threads
                    + "`, `setExecutor`)." + negotiated);
            line("");
            line("Three loads. **Keep-alive**: `wrk -t1 -cN` over TLS, many requests per connection (one handshake each, at the start)."
                    + " **New connection, session resumed**: the same with `-H \"Connection: close\"`: wrk keeps OpenSSL's session between"
                    + " connections, so every handshake after a connection's first resumes it (TLS 1.3 pre-shared key: a key exchange, no"
                    + " certificate sent, nothing signed), as a returning browser does. **New connection, full handshake**:"
                    + " `openssl s_time -new -www /`, N processes at once, each making connections one after the other, each with a full"
                    + " handshake (the server signs it with its key), GET / over HTTP/1.0, then close, as a first visit does; one request"
                    + " per connection, so requests per second are connections per second."
                    + " CPU/request is the server's CPU time divided by the requests (or connections) served; core busy, that CPU time"
                    + " divided by the run's length: near 100% the server was the limit, well below it the client or the machine was."
                    + " Ratio = step 06 / the other, run by run, median.");
            line("");
        }
        StringBuilder head = new StringBuilder("| load | connections |");
        StringBuilder rule = new StringBuilder("|---|---:|");
        for (String s : servers) {
            head.append(' ').append(httpsName(s)).append(" req/s |");
            rule.append("---:|");
        }
        for (String s : jdks) {
            head.append(" step 06 / ").append(httpsName(s)).append(" |");
            rule.append("---:|");
        }
        for (String s : servers) {
            head.append(' ').append(httpsName(s)).append(" CPU/request |");
            rule.append("---:|");
        }
        for (String s : servers) {
            head.append(' ').append(httpsName(s)).append(" p50 / p99 |");
            rule.append("---|");
        }
        head.append(" core busy (").append(servers.stream().map(Summarize::httpsShort).collect(Collectors.joining(" / "))).append(") |");
        head.append(" errors (").append(servers.stream().map(Summarize::httpsShort).collect(Collectors.joining(" / "))).append(") |");
        rule.append("---|---|");
        line(head.toString());
        line(rule.toString());
        List<String> targets = new ArrayList<>();
        for (String mode : List.of("keepalive", "close", "full")) {
            for (String count : distinct(filter(https, r -> r.mode().equals(mode)), Row::connections)) {
                Map<String, List<Row>> runs = new LinkedHashMap<>();
                for (String s : servers) {
                    runs.put(s, filter(https, r -> r.subject().equals(s) && r.mode().equals(mode) && r.connections().equals(count)));
                }
                if (runs.values().stream().anyMatch(List::isEmpty)) {
                    continue;
                }
                String load = switch (mode) {
                    case "keepalive" -> "keep-alive";
                    case "close" -> "new connection, session resumed";
                    default -> "new connection, full handshake";
                };
                boolean wrk = !mode.equals("full");
                StringBuilder cells = new StringBuilder("| " + load + " | " + (wrk ? count : count + " s_time at once") + " |");
                for (String s : servers) {
                    cells.append(' ').append(grouped(median(runs.get(s), r -> r.d(1)))).append(" |");
                }
                for (String s : jdks) {
                    double ratio = ratio(runs.get("step06"), runs.get(s));
                    cells.append(" **").append(Double.isNaN(ratio) || Double.isInfinite(ratio) ? "-" : String.format(Locale.ROOT, "%.2fx", ratio))
                            .append("** |");
                    if (mode.equals("keepalive") && count.equals("50")) {
                        targets.add(String.format(Locale.ROOT, "%.2fx %s (%s)", ratio, httpsName(s), ratio > 1 ? "met" : "not met"));
                    }
                }
                for (String s : servers) {
                    cells.append(' ').append(micros(median(runs.get(s), this::cpuMicrosPerRequest))).append(" |");
                }
                for (String s : servers) {
                    cells.append(' ').append(wrk ? latencies(runs.get(s)) : "-").append(" |");
                }
                cells.append(' ').append(servers.stream().map(s -> busy(runs.get(s))).collect(Collectors.joining(" / "))).append(" |");
                cells.append(' ').append(servers.stream().map(s -> String.valueOf(sum(runs.get(s), 7))).collect(Collectors.joining(" / "))).append(" |");
                line(cells.toString());
            }
        }
        line("");
        if (!targets.isEmpty()) {
            List<Row> a = filter(https, r -> r.subject().equals("step06") && r.mode().equals("keepalive") && r.connections().equals("50"));
            line("Target (step 06 ahead of the JDK's HttpsServer, keep-alive, 50 connections): **" + String.join(", ", targets) + "**;"
                    + " CPU per request " + micros(median(a, this::cpuMicrosPerRequest)) + " (step 06) against "
                    + jdks.stream().map(s -> micros(median(filter(https, r -> r.subject().equals(s) && r.mode().equals("keepalive")
                            && r.connections().equals("50")), this::cpuMicrosPerRequest)) + " (" + httpsName(s) + ")").collect(Collectors.joining(", "))
                    + ".");
            line("");
        }
        // What TLS adds to step 05's work, when the http part ran in the same run.
        List<Row> plain = filter(section("http"), r -> r.subject().equals("step05") && r.mode().equals("keepalive") && r.connections().equals("50"));
        List<Row> tls = filter(https, r -> r.subject().equals("step06") && r.mode().equals("keepalive") && r.connections().equals("50"));
        if (!plain.isEmpty() && !tls.isEmpty()) {
            double before = median(plain, this::cpuMicrosPerRequest);
            double after = median(tls, this::cpuMicrosPerRequest);
            line(String.format(Locale.ROOT, "What TLS costs the same loop, same run, keep-alive, 50 connections: step 05 (plain HTTP) %s of CPU"
                            + " per request and %s req/s; step 06 %s and %s req/s: %s more per request for TLS (the handshake of each connection included).",
                    micros(before), grouped(median(plain, r -> r.d(1))), micros(after), grouped(median(tls, r -> r.d(1))), micros(after - before)));
            line("");
        }
    }

    private static String httpsName(String subject) {
        return switch (subject) {
            case "step06" -> "step 06";
            case "jdk" -> "JDK";
            case "jdk-pool" -> "JDK pool";
            default -> subject;
        };
    }

    private static String httpsShort(String subject) {
        return switch (subject) {
            case "step06" -> "06";
            case "jdk" -> "JDK";
            case "jdk-pool" -> "pool";
            default -> subject;
        };
    }

    private static String latencies(List<Row> runs) {
        if (!(median(runs, r -> r.d(2)) > 0)) {
            return "-"; // no request finished: wrk's latencies are zeros
        }
        return millis(median(runs, x -> ms(x.v(4)))) + " / " + millis(median(runs, x -> ms(x.v(6))));
    }

    /** The server's CPU time over the run's length, median: how much of its one core it used. */
    private String busy(List<Row> runs) {
        double share = median(runs, r -> r.d(3) / ticksPerSecond / r.d(8));
        return Double.isNaN(share) ? "?" : String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    // ---- hold -------------------------------------------------------------------------------

    // hold,SUBJECT,PROTOCOL,COUNT,1, answered, unanswered, rss_before_kb, rss_held_kb, heap_live_before_kb,
    // heap_live_held_kb, threads_before, threads_held, new_client_ms, still_open, closed_by_server, exchanges_while_held, open_seconds
    private void holdSection() {
        List<Row> hold = section("hold");
        if (hold.isEmpty()) {
            return;
        }
        line("### Connections held");
        line("");
        line("bench/HoldConnections.java opens the connections, makes one exchange on each (an echo of 16 bytes, or GET / and its whole response),"
                + " and holds them for " + setting("hold_seconds") + " s, each making another exchange every " + setting("hold_refresh")
                + " s (inside step 05's 10 s idle timeout): idle echo connections for step 04 and the variants, idle keep-alive connections for step 05."
                + " Live heap is the server's heap in use right after a full GC (`jcmd GC.run`, `GC.heap_info`), before the first connection and"
                + " while they are held; RSS is the process's resident memory (VmRSS). \"Per connection\" divides the growth by the connections open (answered, or waiting unanswered)."
                + " A connection not answered within " + setting("answer_seconds") + " s waits unserved (a pool with every thread taken); a new client waits at most 10 s.");
        line("");
        line("| server | idle connections | opened | answered | live heap before / held | live heap per connection | RSS before / held | RSS per connection | threads before / held | a new client | still open at the end |");
        line("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        Map<String, Double> heapPerConnection = new LinkedHashMap<>();
        for (Row r : hold) {
            double answered = r.d(1);
            double open = answered + (Double.isNaN(r.d(2)) ? 0 : r.d(2)); // unanswered ones are open, held by the server too
            double heapPer = (r.d(6) - r.d(5)) * 1024 / open;
            double rssPer = (r.d(4) - r.d(3)) * 1024 / open;
            heapPerConnection.put(r.subject(), heapPer);
            line(String.format(Locale.ROOT, "| %s | %s | %s | %s%s | %s / %s | %s | %s / %s | %s | %s / %s | %s | %s |",
                    name(r.subject()), r.mode().equals("http") ? "keep-alive HTTP" : "idle echo",
                    grouped(Double.parseDouble(r.connections())), grouped(answered),
                    r.d(2) > 0 ? " (" + grouped(r.d(2)) + " unanswered)" : "",
                    mibOfKb(r.d(5)), mibOfKb(r.d(6)), bytes(heapPer), mibOfKb(r.d(3)), mibOfKb(r.d(4)), bytes(rssPer),
                    r.v(7), r.v(8), r.d(9) < 0 ? "not served in 10 s" : "served in " + r.v(9) + " ms",
                    r.v(10).isEmpty() ? "-" : grouped(r.d(10))));
        }
        line("");
        Double step04 = heapPerConnection.get("step04");
        Double step05 = heapPerConnection.get("step05");
        if (step04 != null && step05 != null) {
            double ratio = step05 / step04;
            line(String.format(Locale.ROOT, "Target (step 05's live heap per idle keep-alive connection within %.1fx step 04's per idle echo"
                            + " connection, same run): %s against %s, **%.2fx, %s**.",
                    IDLE_HEAP_TARGET, bytes(step05), bytes(step04), ratio, ratio <= IDLE_HEAP_TARGET ? "met" : "not met"));
            line("");
        }
    }

    // ---- limits -----------------------------------------------------------------------------

    private void limitsSection() {
        List<Row> held = filter(section("limits"), r -> r.mode().equals("held"));
        List<Row> hostile = filter(section("limits"), r -> r.mode().equals("hostile"));
        if (held.isEmpty() && hostile.isEmpty()) {
            return;
        }
        String opts = machine.getOrDefault("limits_opts", "-Xmx64m");
        if (!held.isEmpty()) {
            // limits,SUBJECT,held,MOST,1, held_at_first_failure, first_failure, alive, oom, rss_held_kb, after_release_ms, heap_held_kb,
            // nofile, open_seconds, unanswered, still_open, peak_held
            line("### Running out: connections held before new ones are turned away (" + opts + ")");
            line("");
            line("bench/HoldConnections.java --until-refused opens connections (one exchange each, then idle) until one is refused, reset,"
                    + " closed, or not answered within " + setting("answer_seconds") + " s, or until " + grouped(Double.parseDouble(held.get(0).connections()))
                    + " are open (the client's own bound). The server runs with " + opts + " and a limit of "
                    + grouped(held.get(0).d(8)) + " open files (`ulimit -n`), below the client's, so the server's limits are reached first."
                    + " Then every connection is closed and a new client is timed.");
            line("");
            line("| server | connections held | then | most held at once | server alive after | OutOfMemoryError logged | RSS at the limit | live heap at the limit | a new client after they left |");
            line("|---|---:|---|---:|---|---:|---:|---:|---:|");
            for (Row r : held) {
                line(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |",
                        name(r.subject()), grouped(r.d(1)), failure(r.v(2), r.connections()), grouped(r.d(12)),
                        r.v(3).equals("1") ? "yes" : "**no**",
                        r.v(4), mibOfKb(r.d(5)), mibOfKb(r.d(7)), r.v(6).isEmpty() || r.d(6) < 0 ? "not served in 10 s" : "served in " + r.v(6) + " ms"));
            }
            line("");
        }
        if (!hostile.isEmpty()) {
            // limits,SUBJECT,hostile,COUNT,1, connected_at_end, closed_by_server, reopened, fresh_served, fresh_tries, p50, max, alive, oom, after_ms, connect_failures
            line("### Running out: a fresh client among " + grouped(Double.parseDouble(hostile.get(0).connections())) + " hostile clients (" + opts + ")");
            line("");
            line("bench/HostileClients.java: half of them trickle (one byte every " + setting("trickle_ms") + " ms: an echo client reading its echo,"
                    + " or an HTTP request head that never ends), half send as fast as the server reads (echo bytes, or pipelined GET /) and never"
                    + " read; a connection the server closes is opened again. For " + setting("hostile_seconds") + " s, once they are in,"
                    + " a fresh client makes one exchange every second (bounded by 10 s).");
            line("");
            line("| server | hostile connected at the end | closed by the server (opened again) | connects failed | fresh client served | its wait p50 / max | server alive after | OutOfMemoryError logged | a fresh client after they left |");
            line("|---|---:|---:|---:|---:|---:|---|---:|---:|");
            for (Row r : hostile) {
                line(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s of %s | %s | %s | %s | %s |",
                        name(r.subject()), grouped(r.d(1)), grouped(r.d(2)), r.v(11).isEmpty() ? "-" : grouped(r.d(11)), r.v(4), r.v(5),
                        r.v(6).isEmpty() ? "-" : r.v(6) + " / " + r.v(7) + " ms", r.v(8).equals("1") ? "yes" : "**no**", r.v(9),
                        r.v(10).isEmpty() ? "not served in 10 s" : "served in " + r.v(10) + " ms"));
            }
            line("");
        }
    }

    private static String failure(String kind, String most) {
        return switch (kind) {
            case "none" -> "bench/run's bound of " + grouped(Double.parseDouble(most)) + " reached";
            case "client-limit" -> "the client ran out of descriptors";
            case "refused" -> "a new connection was refused";
            case "reset" -> "a connection was reset";
            case "closed" -> "a connection was closed by the server";
            case "no-answer" -> "a new connection got no answer within 5 s";
            case "connect failed" -> "a connect failed";
            default -> kind.isEmpty() ? "no result" : kind;
        };
    }

    // ---- latency ----------------------------------------------------------------------------

    private void latencySection() {
        List<Row> latency = section("latency");
        if (latency.isEmpty()) {
            return;
        }
        // latency,SUBJECT,,2,1, alone_n, p50, p99, max, during_n, p50, p99, max, download_mbps, files, timeouts
        line("### A small page during a large download");
        line("");
        line("bench/SmallPageLatency.java: one keep-alive connection asks for GET / (step 05's page) every 2 ms and times each response, "
                + setting("latency_alone") + " s alone, then " + setting("latency_during") + " s while a second connection downloads a "
                + setting("latency_file_mib") + " MiB file again and again, as fast as it reads. Step 05 serves a copy of its site with that file"
                + " (`--root`). Both clients share the client core.");
        line("");
        line("| server | alone: requests, p50 / p99 / max | during the download: requests, p50 / p99 / max | download MB/s | timeouts (10 s) |");
        line("|---|---:|---:|---:|---:|");
        for (Row r : latency) {
            line(String.format(Locale.ROOT, "| %s | %s, %s / %s / %s ms | %s, %s / %s / %s ms | %s | %s |",
                    name(r.subject()), r.v(1), r.v(2), r.v(3), r.v(4), r.v(5), r.v(6), r.v(7), r.v(8), r.v(9), r.v(11)));
        }
        line("");
    }

    // ---- check ------------------------------------------------------------------------------

    private void checkSection() {
        List<Row> check = section("check");
        if (check.isEmpty()) {
            return;
        }
        line("### Step 04's behaviour, checked");
        line("");
        if (check.stream().allMatch(r -> r.subject().equals("none"))) {
            line("The checker (`tutorial.checker.Checker`) was not built: skipped.");
            line("");
            return;
        }
        line("`java -cp checker/target/classes tutorial.checker.Checker --step 04 --clients " + check.get(0).connections()
                + " 127.0.0.1:PORT` against each server: the checks of steps 01-04, step 04's own tests' scenarios from outside"
                + " (a slow reader gets every byte, a half-close gets the whole echo, " + grouped(Double.parseDouble(check.get(0).connections()))
                + " clients at once...). The checker then tries step 05's HTTP checks, which an echo server fails by design:"
                + " they are counted apart and not shown.");
        line("");
        line("| server | checker exit status | checks of steps 01-04: PASS | FAIL | checker's summary |");
        line("|---|---:|---:|---:|---|");
        for (Row r : check) {
            line(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |", name(r.subject()), r.v(1), r.v(2), r.v(3),
                    r.v(5).isEmpty() ? "-" : r.v(5).replace("|", "/")));
        }
        line("");
        for (Row r : check) {
            List<String> lines = checks.stream().filter(c -> c[0].equals(r.subject())).map(c -> c[1]).toList();
            if (!lines.isEmpty()) {
                line(name(r.subject()) + ":");
                line("");
                line("```text");
                lines.forEach(this::line);
                line("```");
                line("");
            }
        }
    }

    // ---- the concurrency models (chapter 06) --------------------------------------------------

    /** Step 04 and the two thread-per-connection variants of step 02, in this order. */
    private static final List<String> MODELS = List.of("step04", "pooled", "virtual");
    private static final Map<String, String> MODEL_COLOURS = Map.of("step04", "#1f77b4", "pooled", "#e07b00", "virtual", "#2a9d3a");
    /** The checks of step 04's behaviour the chapter names, as the checker calls them. */
    private static final Map<String, String> BEHAVIOUR_CHECKS = new LinkedHashMap<>();

    static {
        BEHAVIOUR_CHECKS.put("slow-reader-gets-every-byte", "a slow reader gets every byte");
        BEHAVIOUR_CHECKS.put("half-close-gets-the-whole-echo", "a half-close gets the whole echo");
        BEHAVIOUR_CHECKS.put("many-clients-at-once", "clients at once, each its own echo");
    }

    private static String modelName(String subject) {
        return switch (subject) {
            case "step04" -> "step 04: one thread, a selector";
            case "pooled" -> "a pool of platform threads";
            case "virtual" -> "a virtual thread per connection";
            default -> name(subject);
        };
    }

    /** The models with a row in any of the parts the comparison uses. */
    private List<String> models() {
        return MODELS.stream().filter(m -> rows.stream().anyMatch(r -> r.subject().equals(m)
                && List.of("echo", "stream", "hold", "check").contains(r.section()))).toList();
    }

    /** Round trips per second at COUNT connections (NaN: not measured; 0: did not finish). */
    private EchoCell echoOf(String subject, String count) {
        List<Row> runs = filter(section("echo"), r -> r.subject().equals(subject) && r.connections().equals(count));
        return runs.isEmpty() ? new EchoCell("-", Double.NaN) : echoCell(runs);
    }

    /** Median MB/s of the stream, and median ratio to the loopback limit (NaN: not measured). */
    private double[] streamOf(String subject) {
        List<Row> stream = section("stream");
        List<Row> runs = filter(stream, r -> r.subject().equals(subject));
        List<Double> ratios = new ArrayList<>();
        for (Row run : runs) {
            stream.stream().filter(l -> l.subject().equals("limit") && l.rep().equals(run.rep())).findFirst()
                    .ifPresent(l -> ratios.add(run.d(3) / l.d(3)));
        }
        boolean whole = runs.stream().allMatch(r -> r.v(1).equals("1"));
        return new double[] {median(runs, r -> r.d(3)), median(ratios), whole ? 1 : 0};
    }

    private Row holdOf(String subject) {
        return section("hold").stream().filter(r -> r.subject().equals(subject)).findFirst().orElse(null);
    }

    private static double heapPerConnection(Row r) {
        return (r.d(6) - r.d(5)) * 1024 / openHeld(r);
    }

    private static double rssPerConnection(Row r) {
        return (r.d(4) - r.d(3)) * 1024 / openHeld(r);
    }

    private static double openHeld(Row r) {
        return r.d(1) + (Double.isNaN(r.d(2)) ? 0 : r.d(2));
    }

    private static String newClient(Row r) {
        return r.v(9).isEmpty() ? "?" : r.d(9) < 0 ? "**not served in 10 s**" : "served in " + r.v(9) + " ms";
    }

    private void modelsSection() {
        List<String> models = models();
        if (models.isEmpty()) {
            return;
        }
        String skipped = !models.contains("virtual") && machine.getOrDefault("virtual_threads", "").startsWith("skipped")
                ? " Virtual-thread variant " + machine.get("virtual_threads") + "." : "";
        if (inChapter) {
            if (!skipped.isEmpty()) {
                line(skipped.trim());
                line("");
            }
        } else {
            line("### The concurrency models: one thread, a pool of threads, a virtual thread each");
            line("");
            String poolThreads = setting("pool_threads").matches("\\d+") ? grouped(Double.parseDouble(setting("pool_threads"))) : "?";
            line("Step 04 beside step 02's server with a thread per connection, from a fixed pool of " + poolThreads
                    + " platform threads (bench/variants/PooledEchoServer.java) or a new virtual thread each"
                    + " (bench/variants/VirtualThreadEchoServer.java), all from the same run: the echo, stream, held-connections and checker"
                    + " parts (their own tables give the details). Each server alone on one core." + skipped);
            line("");
        }
        line("| | " + models.stream().map(Summarize::modelName).collect(Collectors.joining(" | ")) + " |");
        line("|---|" + "---:|".repeat(models.size()));
        for (String count : distinct(section("echo"), Row::connections)) {
            StringBuilder cells = new StringBuilder("| round trips per second, " + grouped(Double.parseDouble(count)) + " connection"
                    + (count.equals("1") ? "" : "s") + " |");
            for (String m : models) {
                EchoCell cell = echoOf(m, count);
                cells.append(' ').append(Double.isNaN(cell.roundTripsPerSecond()) ? "-"
                        : cell.roundTripsPerSecond() > 0 ? grouped(cell.roundTripsPerSecond()) : cell.text()).append(" |");
            }
            line(cells.toString());
        }
        if (!section("stream").isEmpty()) {
            StringBuilder cells = new StringBuilder("| " + mib(section("stream").get(0).d(5)) + " MiB stream: MB/s (of the loopback limit) |");
            for (String m : models) {
                double[] s = streamOf(m);
                cells.append(' ').append(Double.isNaN(s[0]) ? "-" : String.format(Locale.ROOT, "%.0f%s%s", s[0],
                        Double.isNaN(s[1]) ? "" : String.format(Locale.ROOT, " (%.2fx)", s[1]), s[2] == 1 ? "" : ", **bytes lost**")).append(" |");
            }
            line(cells.toString());
        }
        Row anyHold = models.stream().map(this::holdOf).filter(r -> r != null).findFirst().orElse(null);
        if (anyHold != null) {
            String held = grouped(Double.parseDouble(anyHold.connections())) + " idle connections";
            modelRow(models, held + ": answered", r -> grouped(r.d(1)) + (r.d(2) > 0 ? " (" + grouped(r.d(2)) + " waiting, unanswered)" : ""));
            modelRow(models, held + ": RSS per connection", r -> bytes(rssPerConnection(r)));
            modelRow(models, held + ": live heap per connection", r -> bytes(heapPerConnection(r)));
            modelRow(models, held + ": threads in the server (before)", r -> grouped(r.d(8)) + " (" + r.v(7) + ")");
            modelRow(models, held + ": a new client, meanwhile", Summarize::newClient);
        }
        List<Row> check = filter(section("check"), r -> models.contains(r.subject()));
        if (!check.isEmpty()) {
            StringBuilder cells = new StringBuilder("| the checker, `--step 04`: checks of steps 01-04 passed |");
            for (String m : models) {
                Row r = check.stream().filter(c -> c.subject().equals(m)).findFirst().orElse(null);
                cells.append(' ').append(r == null ? "-" : r.v(2) + " of " + (int) (r.d(2) + r.d(3))).append(" |");
            }
            line(cells.toString());
            for (Map.Entry<String, String> behaviour : BEHAVIOUR_CHECKS.entrySet()) {
                String label = behaviour.getKey().equals("many-clients-at-once")
                        ? grouped(Double.parseDouble(check.get(0).connections())) + " " + behaviour.getValue() : behaviour.getValue();
                StringBuilder row = new StringBuilder("| the checker: " + label + " |");
                for (String m : models) {
                    String verdict = checks.stream().filter(c -> c[0].equals(m) && c[1].matches("(PASS|FAIL)\\s+" + behaviour.getKey() + "\\b.*"))
                            .map(c -> c[1].startsWith("PASS") ? "PASS" : "**FAIL**").findFirst().orElse("-");
                    row.append(' ').append(verdict).append(" |");
                }
                line(row.toString());
            }
        }
        line("");
        if (chartLink != null) {
            line("![The concurrency models: round trips per second at each number of connections, the stream's MB/s, and the memory"
                    + " each idle connection costs (RSS and live heap), for " + models.stream().map(Summarize::modelName)
                    .collect(Collectors.joining(", ")) + "](" + chartLink + ")");
            line("");
        }
    }

    private void modelRow(List<String> models, String label, java.util.function.Function<Row, String> cell) {
        StringBuilder cells = new StringBuilder("| " + label + " |");
        for (String m : models) {
            Row r = holdOf(m);
            cells.append(' ').append(r == null ? "-" : cell.apply(r)).append(" |");
        }
        line(cells.toString());
    }

    // ---- the models' chart, as SVG ----------------------------------------------------------

    /** Three panels: round trips per second, the stream, an idle connection's memory; null if nothing to draw. */
    String modelsChart() {
        List<String> models = models().stream().filter(m -> !filter(section("echo"), r -> r.subject().equals(m)).isEmpty()
                || holdOf(m) != null).toList();
        if (models.isEmpty()) {
            return null;
        }
        Svg svg = new Svg(980, 460);
        svg.text(20, 28, "The concurrency models, measured by bench/run: " + machine.getOrDefault("date", ""), 17, "start", "bold");
        svg.text(20, 48, machine.getOrDefault("java", "") + "; each server alone on one core of " + machine.getOrDefault("cpu", "?")
                + "; load average " + machine.getOrDefault("load_before", "?") + " before, " + machine.getOrDefault("load_after", "?") + " after", 12, "start", "normal");
        double x = 20;
        for (String m : models) {
            svg.rect(x, 60, 14, 14, MODEL_COLOURS.get(m), 1);
            svg.text(x + 20, 72, modelName(m), 13, "start", "normal");
            x += 28 + 7.2 * modelName(m).length();
        }

        // 1. Round trips per second, bars grouped by the number of connections.
        List<String> counts = distinct(section("echo"), Row::connections);
        if (!counts.isEmpty()) {
            Map<String, List<Double>> values = new LinkedHashMap<>();
            for (String m : models) {
                values.put(m, counts.stream().map(c -> echoOf(m, c).roundTripsPerSecond()).toList());
            }
            svg.groupedBars(40, 110, 370, 270, "Echo: round trips per second", "concurrent connections",
                    counts.stream().map(c -> grouped(Double.parseDouble(c))).toList(), values, "did not finish");
        }
        // 2. The stream.
        if (!section("stream").isEmpty()) {
            Map<String, List<Double>> values = new LinkedHashMap<>();
            for (String m : models) {
                values.put(m, List.of(streamOf(m)[0]));
            }
            double limit = median(filter(section("stream"), r -> r.subject().equals("limit")), r -> r.d(3));
            svg.groupedBars(470, 110, 140, 270, mib(section("stream").get(0).d(5)) + " MiB stream: MB/s", Double.isNaN(limit) ? "one connection"
                    : String.format(Locale.ROOT, "loopback limit: %.0f MB/s", limit), List.of(""), values, "-");
        }
        // 3. An idle connection's memory: RSS (full colour) and live heap (pale), per model.
        Map<String, List<Double>> memory = new LinkedHashMap<>();
        List<String> labels = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (String m : models) {
            Row r = holdOf(m);
            if (r != null) {
                memory.put(m, List.of(rssPerConnection(r), heapPerConnection(r)));
                notes.add(String.format(Locale.ROOT, "%s threads;a new client:;%s", grouped(r.d(8)),
                        r.d(9) < 0 ? "not served" : "served in " + r.v(9) + " ms"));
                labels.add(m);
            }
        }
        if (!memory.isEmpty()) {
            Row any = holdOf(labels.get(0));
            svg.pairedBars(660, 110, 300, 270, grouped(Double.parseDouble(any.connections())) + " idle connections: bytes each",
                    "RSS (full colour), live heap (pale)", memory, notes);
        }
        return svg.toString();
    }

    /** Just enough SVG for bar charts: no script, no external font (GitHub shows it as an image). */
    private static final class Svg {
        private final StringBuilder b = new StringBuilder();
        private final int width;
        private final int height;

        Svg(int width, int height) {
            this.width = width;
            this.height = height;
            b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                    + " font-family=\"Helvetica, Arial, sans-serif\">\n", width, height, width, height));
            rect(0, 0, width, height, "#ffffff", 1);
        }

        void rect(double x, double y, double w, double h, String fill, double opacity) {
            b.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"%s/>\n",
                    x, y, w, h, fill, opacity < 1 ? String.format(Locale.ROOT, " fill-opacity=\"%.2f\"", opacity) : ""));
        }

        void line(double x1, double y1, double x2, double y2, String stroke, String dash) {
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"%s/>\n",
                    x1, y1, x2, y2, stroke, dash == null ? "" : " stroke-dasharray=\"" + dash + "\""));
        }

        void text(double x, double y, String text, int size, String anchor, String weight) {
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\" font-weight=\"%s\" fill=\"#222222\">%s</text>\n",
                    x, y, size, anchor, weight, escape(text)));
        }

        /** Axis from 0 to a round maximum, with its grid; returns the maximum. */
        private double axis(double x, double y, double w, double h, double max) {
            double step = niceStep(max / 4);
            double top = Math.max(step, Math.ceil(max / step) * step);
            if (max > 0.92 * top) {
                top += step; // room for the tallest bar's label under the title
            }
            for (double v = 0; v <= top + step / 2; v += step) {
                double yy = y + h - v / top * h;
                line(x, yy, x + w, yy, "#dddddd", null);
                text(x - 4, yy + 4, compact(v), 10, "end", "normal");
            }
            line(x, y + h, x + w, y + h, "#888888", null);
            return top;
        }

        /** Bars of SERIES (one colour each), one group per label of GROUPS; NaN: no bar; 0: MISSING. */
        void groupedBars(double x, double y, double w, double h, String title, String xLabel, List<String> groups,
                         Map<String, List<Double>> series, String missing) {
            text(x + w / 2, y - 12, title, 14, "middle", "bold");
            double max = series.values().stream().flatMap(List::stream).filter(v -> !v.isNaN()).mapToDouble(Double::doubleValue).max().orElse(1);
            double top = axis(x, y, w, h, max);
            double groupWidth = w / groups.size();
            double barWidth = Math.min(40, groupWidth * 0.8 / series.size());
            for (int g = 0; g < groups.size(); g++) {
                double start = x + g * groupWidth + (groupWidth - barWidth * series.size()) / 2;
                int i = 0;
                for (Map.Entry<String, List<Double>> s : series.entrySet()) {
                    double v = s.getValue().get(g);
                    double bx = start + i++ * barWidth;
                    if (Double.isNaN(v)) {
                        continue;
                    }
                    if (v <= 0) {
                        text(bx + barWidth / 2, y + h - 6, missing, 9, "middle", "normal");
                        continue;
                    }
                    double bh = v / top * h;
                    rect(bx + 1, y + h - bh, barWidth - 2, bh, MODEL_COLOURS.get(s.getKey()), 1);
                    text(bx + barWidth / 2, y + h - bh - 4, compact(v), 10, "middle", "normal");
                }
                text(x + g * groupWidth + groupWidth / 2, y + h + 16, groups.get(g), 12, "middle", "normal");
            }
            text(x + w / 2, y + h + 34, xLabel, 12, "middle", "normal");
        }

        /** Two bars per model: the first value in full colour, the second pale; a note under each. */
        void pairedBars(double x, double y, double w, double h, String title, String xLabel, Map<String, List<Double>> values, List<String> notes) {
            text(x + w / 2, y - 12, title, 14, "middle", "bold");
            double max = values.values().stream().flatMap(List::stream).filter(v -> !v.isNaN() && !v.isInfinite())
                    .mapToDouble(Double::doubleValue).max().orElse(1);
            double top = axis(x, y, w, h, max);
            double groupWidth = w / values.size();
            double barWidth = Math.min(34, groupWidth * 0.4);
            int g = 0;
            for (Map.Entry<String, List<Double>> e : values.entrySet()) {
                double start = x + g * groupWidth + groupWidth / 2 - barWidth;
                for (int i = 0; i < 2; i++) {
                    double v = e.getValue().get(i);
                    if (Double.isNaN(v) || Double.isInfinite(v)) {
                        continue;
                    }
                    double bh = Math.max(0, v) / top * h;
                    rect(start + i * barWidth + 1, y + h - bh, barWidth - 2, bh, MODEL_COLOURS.get(e.getKey()), i == 0 ? 1 : 0.4);
                    text(start + i * barWidth + barWidth / 2, y + h - bh - 4, compact(v), 10, "middle", "normal");
                }
                String[] note = notes.get(g).split(";");
                for (int n = 0; n < note.length; n++) {
                    text(x + g * groupWidth + groupWidth / 2, y + h + 16 + 13 * n, note[n], 10, "middle", "normal");
                }
                g++;
            }
            text(x + w / 2, y + h + 62, xLabel, 12, "middle", "normal");
        }

        private static double niceStep(double rough) {
            double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(rough, 1e-9))));
            for (double f : new double[] {1, 2, 2.5, 5, 10}) {
                if (f * magnitude >= rough) {
                    return f * magnitude;
                }
            }
            return 10 * magnitude;
        }

        private static String compact(double v) {
            if (v >= 1e6) {
                return String.format(Locale.ROOT, "%.1fM", v / 1e6);
            }
            if (v >= 1e4) {
                return String.format(Locale.ROOT, "%.0fk", v / 1e3);
            }
            if (v >= 1e3) {
                return String.format(Locale.ROOT, "%.1fk", v / 1e3);
            }
            return String.format(Locale.ROOT, "%.0f", v);
        }

        private static String escape(String text) {
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        }

        @Override
        public String toString() {
            return b + "</svg>\n";
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** A Mermaid xychart-beta with one line per series (Mermaid draws no legend: the caption names them). */
    private void xyChart(String title, String xLabel, List<String> xs, String yLabel, Map<String, List<Double>> series) {
        List<String> names = new ArrayList<>(series.keySet());
        names.sort(Comparator.comparing(Summarize::name));
        double max = series.values().stream().flatMap(List::stream).filter(v -> !v.isNaN()).mapToDouble(Double::doubleValue).max().orElse(1);
        line("```mermaid");
        line("xychart-beta");
        line("    title \"" + title + "\"");
        line("    x-axis \"" + xLabel + "\" [" + xs.stream().map(x -> "\"" + x + "\"").collect(Collectors.joining(", ")) + "]");
        line("    y-axis \"" + yLabel + "\" 0 --> " + (long) niceCeiling(max));
        for (String name : names) {
            line("    line [" + series.get(name).stream().map(v -> v.isNaN() ? "0" : String.valueOf(Math.round(v))).collect(Collectors.joining(", ")) + "]");
        }
        line("```");
        line("");
        line("Lines, in the order Mermaid colours them: " + names.stream().map(Summarize::name).collect(Collectors.joining(", "))
                + ". A run that did not finish is drawn at 0.");
        line("");
    }

    private static double niceCeiling(double max) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(max, 1))));
        return Math.ceil(max / magnitude) * magnitude;
    }

    /** What a subject is called in the tables. */
    private static String name(String subject) {
        if (subject.contains("@")) {
            return name(subject.substring(0, subject.indexOf('@'))) + " at " + subject.substring(subject.indexOf('@') + 1);
        }
        return switch (subject) {
            case "jdk" -> "JDK HttpServer";
            case "nginx" -> "nginx";
            case "limit" -> "loopback limit (blocking copy, 64 KiB)";
            case "pooled" -> "pool of platform threads (variant)";
            case "virtual" -> "virtual thread per connection (variant)";
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
        return Double.isNaN(value) ? "?" : String.format(Locale.ROOT, "%,d", Math.round(value));
    }

    private static String bytes(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "?" : String.format(Locale.ROOT, "%,d bytes", Math.round(value));
    }

    private static String micros(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.1f us", value);
    }

    private static String millis(double value) {
        return value < 1 ? String.format(Locale.ROOT, "%.2f ms", value) : String.format(Locale.ROOT, "%.1f ms", value);
    }

    private static String mib(double bytes) {
        return String.format(Locale.ROOT, "%.0f", bytes / 1048576);
    }

    private static String mibOfKb(double kb) {
        return Double.isNaN(kb) ? "?" : String.format(Locale.ROOT, "%.1f MiB", kb / 1024);
    }

    private void line(String text) {
        out.append(text).append('\n');
    }

    // ---- the docs ---------------------------------------------------------------------------

    /**
     * Writes each region of the docs whose parts this run measured, from a full run only; says on
     * standard error what it wrote and what it left, and why.
     */
    void updateDocs(Path docs, String chart) throws IOException {
        if (!"full".equals(machine.get("mode"))) {
            System.err.println("docs not updated: a --quick run's numbers are only a try-out (bench/run --update-docs, without --quick)");
            return;
        }
        String links = DOCS_CHART;
        if (measured(ALL_PARTS)) {
            writeRegion(docs.resolve("benchmarks.md"), "results", markdown(chart == null ? null : links));
        } else {
            System.err.println("docs/benchmarks.md not updated: it shows every part (" + ALL_PARTS + "), this run measured " + machine.get("parts"));
        }
        if (measured(MODELS_PARTS) && chart != null) {
            Files.createDirectories(docs.resolve(DOCS_CHART).getParent());
            Files.writeString(docs.resolve(DOCS_CHART), chart);
            writeRegion(docs.resolve("06-whats-next.md"), "results:concurrency-models",
                    render(links, () -> {
                        inChapter = true;
                        provenance();
                        modelsSection();
                        inChapter = false;
                    }));
        } else {
            System.err.println("docs/06-whats-next.md not updated: it needs the parts " + MODELS_PARTS + ", this run measured " + machine.get("parts"));
        }
        if (measured(HTTPS_PARTS) && !section("https").isEmpty()) {
            writeRegion(docs.resolve("07-tls.md"), "results:https", render(null, () -> {
                inChapter = true;
                provenance();
                httpsSection();
                inChapter = false;
            }));
        } else {
            System.err.println("docs/07-tls.md not updated: it needs the part " + HTTPS_PARTS + " and its rows, this run measured " + machine.get("parts"));
        }
    }

    private boolean measured(String parts) {
        Set<String> ran = Set.of(machine.getOrDefault("parts", "").split(","));
        return ran.containsAll(List.of(parts.split(",")));
    }

    /** One line: which run the tables come from, for a chapter that shows only some of them. */
    private void provenance() {
        line(String.format(Locale.ROOT, "From `bench/run` on %s: %s, %s cores, %s; load average %s before, %s after"
                        + " (all the run's tables, and how it measures: [benchmarks](benchmarks.md)).",
                machine.getOrDefault("date", "?"), machine.getOrDefault("cpu", "?"), machine.getOrDefault("nproc", "?"),
                machine.getOrDefault("java", "?"), machine.getOrDefault("load_before", "?"), machine.getOrDefault("load_after", "?")));
        line("");
    }

    /** Replaces what lies between "<!-- NAME:begin -->" and "<!-- NAME:end -->" in DOC. */
    private static void writeRegion(Path doc, String name, String content) throws IOException {
        String begin = "<!-- " + name + ":begin -->";
        String end = "<!-- " + name + ":end -->";
        String text = Files.readString(doc);
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            System.err.println(doc + " not updated: it has no " + begin + " ... " + end + " region");
            return;
        }
        Files.writeString(doc, text.substring(0, from + begin.length()) + "\n\n" + content + text.substring(to));
        System.err.println(doc + ": " + name + " written");
    }
}
