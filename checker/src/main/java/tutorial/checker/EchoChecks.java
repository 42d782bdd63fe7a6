package tutorial.checker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/** The checks of an echo server, steps 01 to 04: what comes back, to whom, and when. */
final class EchoChecks {

    static final int LONG_MESSAGE_BYTES = 100_000;
    static final long LARGE_STREAM_BYTES = 32L * 1024 * 1024;
    // A socket that takes nothing for this long while we read nothing: the kernel's buffers on
    // both sides are full, and the server has stopped reading from us. Not much shorter: a server
    // that keeps all it owes in memory also stops now and then, for a garbage collection of its
    // growing buffers (half a second was seen), and then reads on.
    static final Duration STALL = Duration.ofMillis(1500);
    // However slowly a server goes on reading from a client that reads nothing, after this long
    // it has shown that it does not stop: on loopback a correct server stops within a second.
    static final Duration LONGEST_BURST = Duration.ofSeconds(20);
    // The half-closing client reads 64 KiB, then waits this long: about 6 MB/s at most.
    private static final Duration READ_PAUSE = Duration.ofMillis(10);
    private static final int SMALL_BUFFER = 64 * 1024;
    private static final int TINY_BUFFER = 16 * 1024;
    private static final int ROUNDS = 5;
    private static final int MESSAGE_BYTES = 64;

    private EchoChecks() {
    }

    static List<Check> all() {
        return List.of(
                new Check("echo-round-trip", 1, Check.Kind.ECHO,
                        "a short message comes back, byte for byte",
                        "docs/01-blocking-echo.md#the-whole-server-on-one-screen", EchoChecks::roundTrip),
                new Check("long-message-comes-back-whole", 2, Check.Kind.ECHO,
                        "100000 bytes, far more than one read's 1024, come back whole and in order",
                        "docs/02-sendall.md#sendall", EchoChecks::longMessage),
                new Check("message-in-pieces-comes-back-whole", 2, Check.Kind.ECHO,
                        "a message written in three pieces, 50 ms apart, comes back whole",
                        "docs/01-blocking-echo.md#a-one-read-is-not-one-message-fixed-in-step-02", EchoChecks::messageInPieces),
                new Check("second-client-is-served-while-first-stays", 3, Check.Kind.ECHO,
                        "client B gets its echo while client A stays connected",
                        "docs/03-selector.md#the-event-loop", EchoChecks::secondClient),
                new Check("many-clients-at-once", 3, Check.Kind.ECHO,
                        "N clients (--clients, default 100) connected together each get their own bytes back",
                        "docs/03-selector.md#how-it-works", EchoChecks::manyClients),
                new Check("slow-reader-gets-every-byte", 4, Check.Kind.ECHO,
                        "a client that sends 32 MiB before it reads gets every byte back, in order",
                        "docs/04-multi-client.md#interest-follows-state-op_write-only-while-needed-backpressure",
                        EchoChecks::slowReader),
                new Check("half-close-gets-the-whole-echo", 4, Check.Kind.ECHO,
                        "a client that half-closes (shutdownOutput) while the server owes it output gets all of it, then end of stream",
                        "docs/04-multi-client.md#the-loop-and-one-event", EchoChecks::halfClose),
                new Check("client-that-never-reads-does-not-block-others", 4, Check.Kind.ECHO,
                        "while client A sends and never reads, client B is served",
                        "docs/04-multi-client.md#interest-follows-state-op_write-only-while-needed-backpressure",
                        EchoChecks::clientThatNeverReads));
    }

    static String roundTrip(CheckContext context) throws IOException, CheckFailed {
        Peer client = Peer.connect(context, "client");
        long start = System.nanoTime();
        exchange(client, "Hello World");
        return "sent 11 bytes, got the same 11 back in " + millisSince(start);
    }

    static String longMessage(CheckContext context) throws IOException, CheckFailed {
        Peer client = Peer.connect(context, "client");
        long start = System.nanoTime();
        client.exchangePattern(LONG_MESSAGE_BYTES); // sends and reads at once, as a correct client must
        return "sent " + LONG_MESSAGE_BYTES + " bytes, got all " + LONG_MESSAGE_BYTES + " back, in order, in "
                + millisSince(start);
    }

    static String messageInPieces(CheckContext context) throws IOException, CheckFailed, InterruptedException {
        Peer client = Peer.connect(context, "client");
        String[] pieces = {"Hello", " from", " three pieces"};
        for (int i = 0; i < pieces.length; i++) {
            try {
                client.send(bytes(pieces[i]));
            } catch (CheckFailed e) {
                throw e.after("client had sent " + i + " of 3 pieces");
            }
            // A pause, so that each piece arrives on its own and the server's reads see them apart.
            Thread.sleep(50);
        }
        String whole = String.join("", pieces);
        String back = text(client.receive(whole.length()));
        requireEqual(client, whole, back);
        return "sent " + whole.length() + " bytes in 3 writes 50 ms apart (5, 5, 13 bytes), got all "
                + whole.length() + " back";
    }

    static String secondClient(CheckContext context) throws IOException, CheckFailed {
        Peer first = Peer.connect(context, "A");
        exchange(first, "I am A, and I stay");
        Peer second = Peer.connect(context, "B");
        long start = System.nanoTime();
        try {
            exchange(second, "I am B, the second client");
        } catch (CheckFailed e) {
            throw e.after("A was served and stayed connected");
        }
        String waited = millisSince(start);
        exchange(first, "A again, still connected");
        return "A was served and stayed connected; B was served meanwhile in " + waited + "; then A again";
    }

    /** Like step 04's MultiConnectionClient: N connections on one selector, every client sends before any reads. */
    static String manyClients(CheckContext context) throws IOException, CheckFailed {
        int count = context.settings().clients();
        long start = System.nanoTime();
        long connected;
        String backlog;
        try (Selector selector = Selector.open()) {
            List<SocketChannel> clients = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                SocketChannel channel = context.track(SocketChannel.open());
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                clients.add(channel);
            }
            connectAll(context, selector, clients);
            connected = System.nanoTime() - start;
            // A connect that takes a second or more was dropped once and retried by our kernel:
            // what happens when a burst of connections is larger than the server's listen backlog.
            backlog = connected >= 1_000_000_000L
                    ? "some were dropped and retried, as when the listen backlog is smaller than the burst" : "";
            for (int round = 1; round <= ROUNDS; round++) {
                for (int i = 0; i < count; i++) {
                    ByteBuffer message = ByteBuffer.wrap(bytes(message(i + 1, round)));
                    clients.get(i).write(message); // 64 bytes: an empty send buffer always takes them
                    if (message.hasRemaining()) {
                        throw new CheckFailed("client " + (i + 1) + " could not even write 64 bytes", "client " + (i + 1));
                    }
                    context.wire().sent("client " + (i + 1), message.flip());
                }
                try {
                    receiveRound(context, selector, clients, round);
                } catch (CheckFailed e) {
                    throw backlog.isEmpty() ? e : e.adding("(the " + count + " connects took " + millis(connected) + ": "
                            + backlog + ")");
                }
            }
        }
        return count + " clients connected together in " + millis(connected) + (backlog.isEmpty() ? "" : " (" + backlog + ")")
                + "; " + ROUNDS + " rounds in which every client sent " + MESSAGE_BYTES + " bytes before any read:"
                + " each got its own " + ROUNDS * MESSAGE_BYTES + " bytes back, in " + millisSince(start) + " in all";
    }

    private static void connectAll(CheckContext context, Selector selector, List<SocketChannel> clients)
            throws IOException, CheckFailed {
        InetSocketAddress address = context.settings().address();
        int connected = 0;
        for (SocketChannel channel : clients) {
            if (channel.connect(address)) {
                connected++;
            } else {
                channel.register(selector, SelectionKey.OP_CONNECT);
            }
        }
        while (connected < clients.size()) {
            if (selector.select(context.timeout().toMillis()) == 0) {
                int first = firstUnconnected(clients);
                context.wire().note("client " + first, "got no handshake in " + Wire.seconds(context.timeout()));
                throw new CheckFailed(connected + " of " + clients.size() + " clients connected; the other "
                        + (clients.size() - connected) + " got no handshake in " + Wire.seconds(context.timeout())
                        + " (client " + first + " the first of them)", "client " + first);
            }
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                SocketChannel channel = (SocketChannel) key.channel();
                try {
                    channel.finishConnect();
                } catch (IOException e) {
                    throw new CheckFailed("client " + (clients.indexOf(channel) + 1) + " could not connect: " + e.getMessage());
                }
                key.interestOps(0);
                connected++;
            }
        }
    }

    private static int firstUnconnected(List<SocketChannel> clients) {
        for (int i = 0; i < clients.size(); i++) {
            if (!clients.get(i).isConnected()) {
                return i + 1;
            }
        }
        return clients.size();
    }

    private static void receiveRound(CheckContext context, Selector selector, List<SocketChannel> clients, int round)
            throws IOException, CheckFailed {
        ByteBuffer[] replies = new ByteBuffer[clients.size()];
        for (int i = 0; i < clients.size(); i++) {
            replies[i] = ByteBuffer.allocate(MESSAGE_BYTES);
            clients.get(i).keyFor(selector).interestOps(SelectionKey.OP_READ).attach(i);
        }
        int complete = 0;
        while (complete < clients.size()) {
            if (selector.select(context.timeout().toMillis()) == 0) {
                int waiting = firstIncomplete(replies);
                String who = "client " + (waiting + 1);
                context.wire().silence(who, context.timeout());
                throw new CheckFailed("round " + round + ": " + complete + " of " + clients.size()
                        + " clients got their echo; " + who + " got " + replies[waiting].position() + " of "
                        + MESSAGE_BYTES + " bytes, then nothing for " + Wire.seconds(context.timeout()), who);
            }
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                int i = (Integer) key.attachment();
                String who = "client " + (i + 1);
                int start = replies[i].position();
                int read = ((SocketChannel) key.channel()).read(replies[i]);
                if (read == -1) {
                    context.wire().note(who, "got end of stream");
                    throw new CheckFailed("round " + round + ": " + who + " got " + start + " of " + MESSAGE_BYTES
                            + " bytes, then end of stream", who);
                }
                context.wire().received(who, replies[i].duplicate().flip().position(start));
                if (!replies[i].hasRemaining()) {
                    key.interestOps(0);
                    complete++;
                    String expected = message(i + 1, round);
                    String got = new String(replies[i].array(), StandardCharsets.ISO_8859_1);
                    if (!got.equals(expected)) {
                        throw new CheckFailed("round " + round + ": " + who + " got back " + Wire.quote(got, got.length())
                                + " instead of its own " + Wire.quote(expected, expected.length()), who);
                    }
                }
            }
        }
    }

    private static int firstIncomplete(ByteBuffer[] replies) {
        for (int i = 0; i < replies.length; i++) {
            if (replies[i].hasRemaining()) {
                return i;
            }
        }
        return 0;
    }

    /** 64 bytes that say whose they are: "[client 17 round 3]" and dots. */
    private static String message(int client, int round) {
        String label = String.format(Locale.ROOT, "[client %d round %d]", client, round);
        return label + ".".repeat(MESSAGE_BYTES - label.length());
    }

    // tag::slow-reader[]
    static String slowReader(CheckContext context) throws IOException, CheckFailed {
        Peer client = Peer.connect(context, "client", SMALL_BUFFER, 0);
        long start = System.nanoTime();
        Peer.Burst burst = client.sendUntilStalled(LARGE_STREAM_BYTES, STALL, LONGEST_BURST);
        long sentBeforeReading = client.sent();
        if (burst == Peer.Burst.STILL_TAKING) {
            throw new CheckFailed("after " + Wire.seconds(LONGEST_BURST) + " the server had read " + sentBeforeReading
                    + " bytes from a client that read none, and was still reading: it keeps what it owes in memory"
                    + " (no backpressure)", client.name());
        }
        if (burst == Peer.Burst.ALL_SENT) {
            // All 32 MiB went in while we read nothing: far more than socket buffers hold. The
            // server either dropped what it could not write, or kept it all in memory.
            client.shutdownOutput();
            try {
                client.receivePatternUntilEnd(Duration.ZERO);
            } catch (CheckFailed e) {
                throw e.after("the server read all " + LARGE_STREAM_BYTES + " bytes while the client read none"
                        + " (it never stopped reading)");
            }
            throw new CheckFailed("the server read all " + LARGE_STREAM_BYTES + " bytes while the client read none"
                    + (client.received() < LARGE_STREAM_BYTES
                            ? " (it never stopped reading); " + client.lostBytes(LARGE_STREAM_BYTES, "then end of stream")
                                    + " (dropped)"
                            : ", and sent all of them back afterwards: it held up to 32 MiB for one client that did not"
                                    + " read (no backpressure: a client that never reads would make it hold without end)"),
                    client.name());
        }
        client.exchangePattern(LARGE_STREAM_BYTES);
        return "the client's writes stalled after " + sentBeforeReading + " bytes sent and none read"
                + " (the buffers were full: the server stopped reading); then all " + LARGE_STREAM_BYTES
                + " bytes came back, in order, in " + millisSince(start);
    }
    // end::slow-reader[]

    static String halfClose(CheckContext context) throws IOException, CheckFailed {
        Peer client = Peer.connect(context, "client", 0, TINY_BUFFER);
        // Until the buffers are full: a server that stops reading now owes us what they hold.
        Peer.Burst burst = client.sendUntilStalled(LARGE_STREAM_BYTES, STALL, LONGEST_BURST);
        long sent = client.sent();
        String how = "sent " + sent + " bytes without reading " + switch (burst) {
            case STALLED -> "until the server stopped reading";
            case ALL_SENT -> "(the server never stopped reading)";
            case STILL_TAKING -> "(the server still read, slowly, after " + Wire.seconds(LONGEST_BURST) + ")";
        } + ", then half-closed";
        client.shutdownOutput();
        try {
            // Slowly: the server reads on only as we read, so it still owes us output when it
            // reads our end of stream, and a server that closes right then loses it.
            client.receivePatternUntilEnd(READ_PAUSE);
        } catch (CheckFailed e) {
            throw e.after(how);
        }
        if (client.received() < sent) {
            throw new CheckFailed(how + "; " + client.lostBytes(sent, "then end of stream"), client.name());
        }
        return how + " (shutdownOutput); got all " + sent + " bytes back, in order, then end of stream";
    }

    static String clientThatNeverReads(CheckContext context) throws IOException, CheckFailed {
        Peer greedy = Peer.connect(context, "A", SMALL_BUFFER, 0);
        Peer.Burst burst = greedy.sendUntilStalled(LARGE_STREAM_BYTES, STALL, LONGEST_BURST);
        String how = "A sent " + greedy.sent() + " bytes and read none (" + switch (burst) {
            case STALLED -> "its writes stalled";
            case ALL_SENT -> "the server kept reading";
            case STILL_TAKING -> "the server still read, slowly, after " + Wire.seconds(LONGEST_BURST);
        } + ")";
        Peer other = Peer.connect(context, "B");
        long start = System.nanoTime();
        try {
            exchange(other, "Hello from B, while A sends");
        } catch (CheckFailed e) {
            throw e.after(how);
        }
        return how + "; B was served meanwhile, in " + millisSince(start);
    }

    /** Sends a short message and FAILs unless exactly the same bytes come back. */
    private static void exchange(Peer peer, String message) throws IOException, CheckFailed {
        peer.send(bytes(message));
        requireEqual(peer, message, text(peer.receive(message.length())));
    }

    private static void requireEqual(Peer peer, String sent, String back) throws CheckFailed {
        if (!back.equals(sent)) {
            throw new CheckFailed(peer.name() + " sent " + Wire.quote(sent, sent.length()) + " and got back "
                    + Wire.quote(back, back.length()), peer.name());
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    static String millisSince(long startNanos) {
        return millis(System.nanoTime() - startNanos);
    }

    private static String millis(long nanos) {
        long millis = nanos / 1_000_000;
        return millis < 10_000 ? millis + " ms" : Wire.seconds(Duration.ofMillis(millis));
    }
}
