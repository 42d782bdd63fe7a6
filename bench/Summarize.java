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
 * Usage: java Summarize CSV MACHINE-TXT CLK_TCK [CHECKS-TXT]   (Markdown on standard output)
 *        java Summarize --update-docs DOC LATEST-MD
 */
public class Summarize {

    private static final String BEGIN = "<!-- results:begin -->";
    private static final String END = "<!-- results:end -->";
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
    private final StringBuilder out = new StringBuilder();

    public static void main(String[] args) throws IOException {
        if (args.length == 3 && args[0].equals("--update-docs")) {
            updateDocs(Path.of(args[1]), Files.readString(Path.of(args[2])));
            return;
        }
        if (args.length != 3 && args.length != 4) {
            System.err.println("usage: Summarize CSV MACHINE-TXT CLK_TCK [CHECKS-TXT] | Summarize --update-docs DOC LATEST-MD");
            System.exit(2);
        }
        Summarize summary = new Summarize(Path.of(args[0]), Path.of(args[1]), Double.parseDouble(args[2]),
                args.length == 4 ? Path.of(args[3]) : null);
        System.out.print(summary.markdown());
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

    String markdown() {
        machineSection();
        echoSection();
        streamSection();
        httpSection();
        holdSection();
        limitsSection();
        latencySection();
        checkSection();
        return out.toString();
    }

    // ---- machine ----------------------------------------------------------------------------

    private void machineSection() {
        line("### The machine and the run");
        line("");
        line("| | |");
        line("|---|---|");
        for (String key : List.of("date", "mode", "parts", "nproc", "cpu", "memory", "kernel", "java", "wrk", "nginx",
                "server_opts", "limits_opts", "pinning", "virtual_threads", "before", "step05_classes", "load_before", "load_after",
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
                + " 127.0.0.1:PORT` against each server: step 04's own tests' scenarios, from outside (slow reader gets every byte,"
                + " half-close, many concurrent clients).");
        line("");
        line("| server | checker exit status | PASS | FAIL |");
        line("|---|---:|---:|---:|");
        for (Row r : check) {
            line(String.format(Locale.ROOT, "| %s | %s | %s | %s |", name(r.subject()), r.v(1), r.v(2), r.v(3)));
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
