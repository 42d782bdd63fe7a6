import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The step 04 demonstration behind idle-10k.sh (not a unit test): opens COUNT idle connections to
 * an echo server from this one process, checks that a brand-new client is still echoed, and prints
 * what the server process costs meanwhile (resident memory, heap, CPU while everyone is idle).
 *
 * Usage: java IdleConnections.java HOST PORT COUNT SERVER-PID
 */
public class IdleConnections {

    private static final int MAX_PENDING_CONNECTS = 200; // stays well below the server's backlog
    private static final int IDLE_SECONDS = 5;

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: java IdleConnections.java HOST PORT COUNT SERVER-PID");
            System.exit(2);
        }
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        long serverPid = Long.parseLong(args[3]);

        report(serverPid, "server before any connection");
        long start = System.nanoTime();
        List<SocketChannel> held = connectAll(server, count);
        System.out.printf(Locale.ROOT, "connections held: %d (opened in %.1f s)%n",
                held.size(), (System.nanoTime() - start) / 1e9);

        long cpuBefore = cpuTicks(serverPid);
        Thread.sleep(IDLE_SECONDS * 1000L); // a demo, not a test: we want the server to sit idle
        long cpuTicks = cpuTicks(serverPid) - cpuBefore;
        System.out.printf(Locale.ROOT, "server CPU time while all %d were idle for %d s: %.2f s%n",
                held.size(), IDLE_SECONDS, cpuTicks / 100.0);

        echoOnce(server);
        report(serverPid, "server holding " + held.size() + " connections");

        for (SocketChannel channel : held) {
            channel.close();
        }
        System.out.println("closed all " + held.size() + " connections");
        if (held.size() != count) {
            System.exit(1);
        }
    }

    /** Non-blocking connects on one selector, at most MAX_PENDING_CONNECTS handshakes at a time. */
    private static List<SocketChannel> connectAll(InetSocketAddress server, int count) throws IOException {
        List<SocketChannel> connected = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            int started = 0;
            while (connected.size() < count) {
                while (started < count && selector.keys().size() < MAX_PENDING_CONNECTS) {
                    SocketChannel channel = SocketChannel.open();
                    channel.configureBlocking(false);
                    if (channel.connect(server)) {
                        connected.add(channel);
                    } else {
                        channel.register(selector, SelectionKey.OP_CONNECT);
                    }
                    started++;
                }
                if (selector.select(10_000) == 0) {
                    throw new IOException("no connect finished for 10 s; " + connected.size() + " open");
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel channel = (SocketChannel) key.channel();
                    channel.finishConnect(); // throws if refused
                    key.cancel();
                    connected.add(channel);
                }
                selector.selectedKeys().clear();
                selector.selectNow(); // flushes the cancelled keys out of selector.keys()
            }
        }
        return connected;
    }

    private static void echoOnce(InetSocketAddress server) throws IOException {
        byte[] message = "Hello World".getBytes(StandardCharsets.US_ASCII);
        long start = System.nanoTime();
        try (SocketChannel channel = SocketChannel.open(server)) {
            channel.write(ByteBuffer.wrap(message));
            ByteBuffer reply = ByteBuffer.allocate(message.length);
            while (reply.hasRemaining() && channel.read(reply) != -1) {
                // read until the whole echo is back
            }
            String echoed = new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII);
            System.out.printf(Locale.ROOT, "new client: sent \"Hello World\", got back \"%s\" in %.1f ms%n",
                    echoed, (System.nanoTime() - start) / 1e6);
        }
    }

    private static void report(long pid, String when) throws Exception {
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        System.out.println(when + ": " + field(status, "VmRSS") + " resident, " + field(status, "Threads")
                + " JVM threads, heap " + heapUsed(pid));
    }

    private static String field(String status, String name) {
        return status.lines().filter(l -> l.startsWith(name + ":"))
                .map(l -> l.substring(name.length() + 1).trim()).findFirst().orElse("?");
    }

    /** The heap in use after a full GC, from jcmd (in the same JDK as this program). */
    private static String heapUsed(long pid) throws Exception {
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
        run(jcmd.toString(), Long.toString(pid), "GC.run");
        String info = run(jcmd.toString(), Long.toString(pid), "GC.heap_info");
        // One "total NK, used NK" line per generation: one for G1, two for the Serial collector
        // (the JVM picks Serial when it sees one CPU). Metaspace lines have no "total": left out.
        Matcher generation = Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
        long usedKb = 0;
        boolean found = false;
        while (generation.find()) {
            usedKb += Long.parseLong(generation.group(1));
            found = true;
        }
        return found ? usedKb + "K used" : "?";
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output;
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime, in 1/100 s
    }
}
