import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Hostile clients for step 05's "Finite resources" (not a unit test): COUNT connections from one
 * thread, each spending what the server has in one way (the MODE), held for a while; then, with
 * all of them still open, one brand-new client asks for a page, as a person would.
 *
 * <pre>
 * idle            connect and send nothing
 * keep-alive      one GET, read the answer, then stay connected and silent
 * trickle MS      a request head that never ends, one byte every MS milliseconds
 * half-headers KB a request line and KB KiB of headers, without the blank line that ends them
 * pipeline        HEAD requests, sent as fast as the server takes them, never reading an answer
 * </pre>
 *
 * Usage: java HostileClients.java HOST PORT COUNT MODE [ARG] [--hold SECONDS] [--path PATH]
 * Ends with one line for scripts: hostile-clients mode=.. connections=.. opened=.. refused=..
 *   answered=.. got_408=.. closed_by_server=.. reset=.. still_open=.. first_close_s=.. last_close_s=..
 *   fresh_client=served|failed fresh_ms=..
 */
public class HostileClients {

    private static final int MAX_PENDING_CONNECTS = 200; // stays well below the server's backlog
    private static final String USAGE = "usage: java HostileClients.java HOST PORT COUNT"
            + " idle|keep-alive|trickle MS|half-headers KB|pipeline [--hold SECONDS] [--path PATH]";

    /** One hostile connection: what it still has to send, and what became of it. */
    private static final class Client {
        final SocketChannel channel;
        ByteBuffer toSend;
        int status; // of the first response, 0 if none yet
        final ByteBuffer firstBytes = ByteBuffer.allocate(12); // "HTTP/1.1 408"
        boolean closed;
        boolean reset;

        Client(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private static String mode;
    private static int modeArgument;
    private static String path = "/";
    private static final ByteBuffer DROP = ByteBuffer.allocate(64 * 1024);

    public static void main(String[] args) throws Exception {
        int holdSeconds = 10;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--hold") && i + 1 < args.length) {
                holdSeconds = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--path") && i + 1 < args.length) {
                path = args[++i];
            } else {
                positional.add(args[i]);
            }
        }
        if (positional.size() < 4) {
            exitWithUsage();
        }
        InetSocketAddress server = new InetSocketAddress(positional.get(0), Integer.parseInt(positional.get(1)));
        int count = Integer.parseInt(positional.get(2));
        mode = positional.get(3);
        boolean needsArgument = mode.equals("trickle") || mode.equals("half-headers");
        if (needsArgument != (positional.size() == 5)
                || !List.of("idle", "keep-alive", "trickle", "half-headers", "pipeline").contains(mode)) {
            exitWithUsage();
        }
        modeArgument = needsArgument ? Integer.parseInt(positional.get(4)) : 0;

        List<Client> clients = new ArrayList<>();
        long start = System.nanoTime();
        double firstClose = -1;
        double lastClose = -1;
        try (Selector selector = Selector.open()) {
            int refused = connectAll(selector, server, count, clients);
            System.out.printf(Locale.ROOT, "%d connections open (%d refused) in %.1f s, mode %s%n",
                    clients.size(), refused, seconds(start), mode + (needsArgument ? " " + modeArgument : ""));
            long holdUntil = System.nanoTime() + holdSeconds * 1_000_000_000L;
            long nextTrickle = System.nanoTime();
            while (System.nanoTime() < holdUntil && clients.stream().anyMatch(c -> !c.closed)) {
                if (mode.equals("trickle") && System.nanoTime() >= nextTrickle) {
                    for (Client client : clients) {
                        send(client, ByteBuffer.wrap(new byte[] {'a'}));
                    }
                    nextTrickle += modeArgument * 1_000_000L;
                }
                long waitMillis = Math.max(1, Math.min(holdUntil, mode.equals("trickle") ? nextTrickle : holdUntil)
                        - System.nanoTime()) / 1_000_000;
                selector.select(Math.max(1, waitMillis));
                for (SelectionKey key : selector.selectedKeys()) {
                    Client client = (Client) key.attachment();
                    if (key.isValid() && key.isWritable()) {
                        writeMore(client, key);
                    }
                    if (key.isValid() && key.isReadable()) {
                        read(client);
                    }
                    if (client.closed) {
                        key.cancel();
                        client.channel.close();
                        lastClose = seconds(start);
                        firstClose = firstClose < 0 ? lastClose : firstClose;
                    }
                }
                selector.selectedKeys().clear();
            }
            long answered = clients.stream().filter(c -> c.status != 0).count();
            long got408 = clients.stream().filter(c -> c.status == 408).count();
            long closedByServer = clients.stream().filter(c -> c.closed && !c.reset).count();
            long reset = clients.stream().filter(c -> c.reset).count();
            long stillOpen = clients.stream().filter(c -> !c.closed).count();
            System.out.printf(Locale.ROOT, "after %.1f s: %d answered (%d with 408), %d closed by the server,"
                    + " %d reset, %d still open%n", seconds(start), answered, got408, closedByServer, reset, stillOpen);

            double freshMillis = freshClient(server);
            String fresh = "a new client, while " + stillOpen + " of them are still connected: ";
            System.out.println(freshMillis >= 0
                    ? String.format(Locale.ROOT, fresh + "200 in %.1f ms", freshMillis)
                    : fresh + "no answer within 10 s");
            System.out.printf(Locale.ROOT, "hostile-clients mode=%s connections=%d opened=%d refused=%d answered=%d"
                            + " got_408=%d closed_by_server=%d reset=%d still_open=%d first_close_s=%s last_close_s=%s"
                            + " fresh_client=%s fresh_ms=%s%n",
                    mode, count, clients.size(), refused, answered, got408, closedByServer, reset, stillOpen,
                    firstClose < 0 ? "-" : String.format(Locale.ROOT, "%.1f", firstClose),
                    lastClose < 0 ? "-" : String.format(Locale.ROOT, "%.1f", lastClose),
                    freshMillis >= 0 ? "served" : "failed",
                    freshMillis >= 0 ? String.format(Locale.ROOT, "%.1f", freshMillis) : "-");
            for (Client client : clients) {
                client.channel.close();
            }
        }
    }

    private static void exitWithUsage() {
        System.err.println(USAGE);
        System.exit(2);
    }

    /** What each connection sends first, by mode. */
    private static ByteBuffer opening() {
        String head = "GET " + path + " HTTP/1.1\r\nHost: x\r\n";
        return switch (mode) {
            case "keep-alive" -> ascii(head + "\r\n");
            case "trickle" -> ascii(head + "X-Trickle: ");
            case "half-headers" -> {
                StringBuilder headers = new StringBuilder(head);
                while (headers.length() < modeArgument * 1024 - 1000) {
                    headers.append("X-Padding: ").append("p".repeat(985)).append("\r\n");
                }
                yield ascii(headers.toString());
            }
            case "pipeline" -> ascii(("HEAD " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").repeat(100));
            default -> ByteBuffer.allocate(0);
        };
    }

    /** Non-blocking connects, at most MAX_PENDING_CONNECTS handshakes at a time; returns how many failed. */
    private static int connectAll(Selector selector, InetSocketAddress server, int count, List<Client> clients)
            throws IOException {
        int started = 0;
        int pending = 0;
        int failed = 0;
        while (started < count || pending > 0) {
            while (started < count && pending < MAX_PENDING_CONNECTS) {
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                Client client = new Client(channel);
                if (channel.connect(server)) {
                    opened(channel.register(selector, 0, client), clients);
                } else {
                    channel.register(selector, SelectionKey.OP_CONNECT, client);
                    pending++;
                }
                started++;
            }
            if (pending > 0 && selector.select(10_000) == 0) {
                System.out.println("no connect finished for 10 s; going on with " + clients.size());
                for (SelectionKey key : selector.keys()) {
                    if (key.isValid() && (key.interestOps() & SelectionKey.OP_CONNECT) != 0) {
                        key.cancel();
                        key.channel().close();
                        failed++;
                    }
                }
                return failed;
            }
            for (SelectionKey key : selector.selectedKeys()) {
                if (key.isValid() && key.isConnectable()) {
                    pending--;
                    try {
                        ((SocketChannel) key.channel()).finishConnect();
                        opened(key, clients);
                    } catch (IOException e) {
                        failed++;
                        key.cancel();
                        key.channel().close();
                    }
                }
            }
            selector.selectedKeys().clear();
        }
        return failed;
    }

    private static void opened(SelectionKey key, List<Client> clients) {
        Client client = (Client) key.attachment();
        clients.add(client);
        client.toSend = opening();
        // Everyone reads, to see a 408 or a close, except the pipeline, which never reads.
        key.interestOps(mode.equals("pipeline") ? SelectionKey.OP_WRITE : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }

    private static void writeMore(Client client, SelectionKey key) {
        if (mode.equals("pipeline") && !client.toSend.hasRemaining()) {
            client.toSend.rewind(); // the same 100 requests again, for as long as the server takes them
        }
        send(client, client.toSend);
        if (!client.toSend.hasRemaining() && !mode.equals("pipeline") && key.isValid()) {
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    private static void send(Client client, ByteBuffer bytes) {
        if (client.closed) {
            return;
        }
        try {
            client.channel.write(bytes);
        } catch (IOException e) {
            client.closed = true;
            client.reset = true;
        }
    }

    private static void read(Client client) {
        try {
            ByteBuffer into = client.firstBytes.hasRemaining() ? client.firstBytes : DROP.clear();
            if (client.channel.read(into) == -1) {
                client.closed = true;
            }
            if (client.status == 0 && !client.firstBytes.hasRemaining()) {
                client.status = Integer.parseInt(new String(client.firstBytes.array(), 9, 3, StandardCharsets.US_ASCII));
            }
        } catch (IOException | NumberFormatException e) {
            client.closed = true;
            client.reset = true;
        }
    }

    /** The time a brand-new client waits for a 200, in milliseconds, or -1 if it got none in 10 s. */
    private static double freshClient(InetSocketAddress server) {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(server, 10_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] status = in.readNBytes(12);
            if (new String(status, StandardCharsets.US_ASCII).equals("HTTP/1.1 200")) {
                in.readAllBytes(); // the whole page, up to the server's close
                return (System.nanoTime() - start) / 1e6;
            }
        } catch (IOException e) {
            // refused, reset or timed out: the fresh client was not served
        }
        return -1;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }
}
