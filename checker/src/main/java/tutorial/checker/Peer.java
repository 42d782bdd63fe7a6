package tutorial.checker;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * One client connection of the echo checks. The channel is non-blocking and has a selector of its
 * own, so that every wait has a deadline: a server that stops answering makes a check FAIL with
 * "nothing for 5.0 s", never hang. Large transfers use {@link BytePattern}: {@code sent} and
 * {@code verifier} say how far each direction got, and whether every byte came back right.
 */
final class Peer implements Closeable {

    private static final int CHUNK = 64 * 1024;
    // However steadily a server trickles, a transfer that has not finished by then FAILs: the
    // largest one here (32 MiB each way) takes about a second on loopback.
    private static final Duration TRANSFER_LIMIT = Duration.ofSeconds(60);
    // Once a stalled transfer moves again, a few seconds may pass without a byte: while the
    // window was closed, the peer's probes of it backed off (each waits twice as long as the one
    // before), and the transfer resumes at the next probe. Seen here: 3 s without a byte.
    private static final Duration RESUME_ALLOWANCE = Duration.ofSeconds(10);

    private final String name;
    private final SocketChannel channel;
    private final Selector selector;
    private final Wire wire;
    private final Duration timeout;
    private final Duration transferTimeout; // for the large pattern transfers: see RESUME_ALLOWANCE
    private final ByteBuffer outgoing = ByteBuffer.allocate(CHUNK).limit(0);
    private final ByteBuffer incoming = ByteBuffer.allocate(CHUNK);
    private final BytePattern.Verifier verifier = new BytePattern.Verifier();
    private long sent; // pattern bytes handed to the kernel so far

    private Peer(String name, SocketChannel channel, Selector selector, CheckContext context) {
        this.name = name;
        this.channel = channel;
        this.selector = selector;
        this.wire = context.wire();
        this.timeout = context.timeout();
        this.transferTimeout = context.timeout().compareTo(RESUME_ALLOWANCE) > 0 ? context.timeout() : RESUME_ALLOWANCE;
    }

    /** Connects, or FAILs with what went wrong: refused, or no handshake within the timeout. */
    static Peer connect(CheckContext context, String name) throws IOException, CheckFailed {
        return connect(context, name, 0, 0);
    }

    /**
     * Connects with socket buffers of the given sizes (0: the system's). Small buffers make the
     * checks that fill them sharper: a small send buffer becomes writable again as soon as the
     * server reads a little, so "took nothing for half a second" really means "stopped reading";
     * a small receive buffer leaves the server's echo nowhere to go but its own memory.
     */
    static Peer connect(CheckContext context, String name, int sendBuffer, int receiveBuffer) throws IOException, CheckFailed {
        SocketChannel channel = SocketChannel.open();
        Selector selector = Selector.open();
        Peer peer = context.track(new Peer(name, channel, selector, context));
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true); // each write leaves as we wrote it
        if (sendBuffer > 0) {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, sendBuffer);
        }
        if (receiveBuffer > 0) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer); // before connect, or TCP ignores it
        }
        try {
            if (!channel.connect(context.settings().address())) {
                channel.register(selector, SelectionKey.OP_CONNECT);
                if (selector.select(context.timeout().toMillis()) == 0) {
                    wire(context, name, "got no handshake in " + Wire.seconds(context.timeout()));
                    throw new CheckFailed(name + " could not connect: no handshake in "
                            + Wire.seconds(context.timeout()), name);
                }
                channel.finishConnect();
            }
        } catch (IOException e) {
            throw new CheckFailed(name + " could not connect: " + e.getMessage(), name);
        }
        return peer;
    }

    private static void wire(CheckContext context, String name, String note) {
        context.wire().note(name, note);
    }

    String name() {
        return name;
    }

    /** Writes every byte, waiting (at most the timeout between two steps forward) while the socket is full. */
    void send(byte[] bytes) throws IOException, CheckFailed {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            int written;
            try {
                written = write(buffer);
            } catch (IOException e) {
                recordWhatArrived(); // what the server sent before it closed tells why it did
                wire.note(name, "could not write: " + e.getMessage());
                throw new CheckFailed(name + " could not send " + bytes.length + " bytes: " + e.getMessage()
                        + " (the server had closed the connection)", name);
            }
            if (written == 0 && !await(SelectionKey.OP_WRITE, timeout)) {
                wire.note(name, "could not write for " + Wire.seconds(timeout));
                throw new CheckFailed(name + " could send only " + buffer.position() + " of " + bytes.length
                        + " bytes: the server read nothing for " + Wire.seconds(timeout), name);
            }
        }
    }

    /** Reads, for the wire log only, what has already arrived (without waiting). */
    private void recordWhatArrived() {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            while (read(buffer.clear()) > 0) {
                // read() puts it on the wire
            }
        } catch (IOException e) {
            // nothing more to read: the connection is gone
        }
    }

    /** Reads exactly {@code count} bytes, or FAILs: end of stream, or nothing for the timeout. */
    byte[] receive(int count) throws IOException, CheckFailed {
        ByteBuffer reply = ByteBuffer.allocate(count);
        while (reply.hasRemaining()) {
            int read = read(reply);
            if (read == -1) {
                throw new CheckFailed(name + " got " + reply.position() + " of " + count
                        + " bytes back, then end of stream", name);
            }
            if (read == 0 && !await(SelectionKey.OP_READ, timeout)) {
                wire.silence(name, timeout);
                throw new CheckFailed(name + " got " + reply.position() + " of " + count + " bytes back, then nothing for "
                        + Wire.seconds(timeout), name);
            }
        }
        return reply.array();
    }

    /** How a burst of writes without reading ended. */
    enum Burst {
        /** The socket took nothing for the stall time: the buffers are full, the server stopped reading. */
        STALLED,
        /** Everything went in: the server read it all while we read nothing. */
        ALL_SENT,
        /** The server still took bytes, slowly, when the time for the burst ran out. */
        STILL_TAKING
    }

    /**
     * Sends the pattern without reading anything, until {@code limit} bytes are sent, or the
     * socket has taken nothing for {@code stall} (the kernel's buffers on both sides are full,
     * and the server is not reading from us), or {@code most} has passed.
     */
    Burst sendUntilStalled(long limit, Duration stall, Duration most) throws IOException, CheckFailed {
        long giveUp = System.nanoTime() + most.toNanos();
        while (sent < limit) {
            if (System.nanoTime() > giveUp) {
                return Burst.STILL_TAKING;
            }
            int written;
            try {
                written = writePattern(limit);
            } catch (IOException e) {
                recordWhatArrived();
                throw new CheckFailed(name + " could send only " + sent + " bytes: " + e.getMessage()
                        + " (the server had closed the connection)", name);
            }
            if (written == 0 && !await(SelectionKey.OP_WRITE, stall)) {
                wire.note(name, "could not write for " + Wire.seconds(stall) + " (and read nothing)");
                return Burst.STALLED;
            }
        }
        return Burst.ALL_SENT;
    }

    /**
     * Sends the rest of the pattern up to {@code total} bytes while reading, until {@code total}
     * bytes are back: FAILs at the first wrong byte, at end of stream, or after the timeout without
     * a step forward in either direction.
     */
    void exchangePattern(long total) throws IOException, CheckFailed {
        long giveUp = System.nanoTime() + TRANSFER_LIMIT.toNanos();
        while (verifier.received() < total) {
            if (System.nanoTime() > giveUp) {
                throw new CheckFailed(lostBytes(total, "still short after " + Wire.seconds(TRANSFER_LIMIT)), name);
            }
            boolean moved;
            int read;
            try {
                moved = sent < total && writePattern(total) > 0;
                read = readPattern();
            } catch (IOException e) {
                throw new CheckFailed(lostBytes(total, "then the connection failed (" + e.getMessage() + ")"), name);
            }
            if (read == -1) {
                throw new CheckFailed(lostBytes(total, "then end of stream"), name);
            }
            if (!verifier.allRight()) {
                throw new CheckFailed(wrongByte(), name);
            }
            if (!moved && read == 0) {
                int wanted = SelectionKey.OP_READ | (sent < total ? SelectionKey.OP_WRITE : 0);
                if (!await(wanted, transferTimeout)) {
                    wire.silence(name, transferTimeout);
                    throw new CheckFailed(lostBytes(total, "then nothing for " + Wire.seconds(transferTimeout)), name);
                }
            }
        }
    }

    /**
     * Reads the pattern until end of stream, pausing {@code pause} after each 64 KiB;
     * FAILs at a wrong byte or after the timeout without one.
     */
    void receivePatternUntilEnd(Duration pause) throws IOException, CheckFailed {
        long giveUp = System.nanoTime() + TRANSFER_LIMIT.toNanos();
        long readSincePause = 0;
        while (true) {
            if (System.nanoTime() > giveUp) {
                throw new CheckFailed(name + " got " + verifier.received() + " of " + sent + " bytes back, and no end of stream"
                        + " after " + Wire.seconds(TRANSFER_LIMIT), name);
            }
            int read;
            try {
                read = readPattern();
            } catch (IOException e) {
                throw new CheckFailed(lostBytes(sent, "then the connection failed (" + e.getMessage() + ")"), name);
            }
            if (!verifier.allRight()) {
                throw new CheckFailed(wrongByte(), name);
            }
            if (read == -1) {
                return;
            }
            readSincePause += Math.max(0, read);
            if (readSincePause >= CHUNK && !pause.isZero()) {
                pauseFor(pause);
                readSincePause = 0;
            }
            if (read == 0 && !await(SelectionKey.OP_READ, transferTimeout)) {
                wire.silence(name, transferTimeout);
                throw new CheckFailed(name + " got " + verifier.received() + " of " + sent + " bytes back, then nothing for "
                        + Wire.seconds(transferTimeout) + " (no end of stream)", name);
            }
        }
    }

    private static void pauseFor(Duration pause) throws CheckFailed {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckFailed("interrupted");
        }
    }

    /** "client got back 4194304 of 33554432 bytes (all right so far), then end of stream: 29360128 lost" */
    String lostBytes(long expected, String then) {
        long received = verifier.received();
        return name + " got back " + received + " of " + expected + " bytes (" + (verifier.allRight() ? "all right" : "not all right")
                + " so far), " + then + ": " + (expected - received) + " missing";
    }

    /** "client got back 4208640 bytes right, then a wrong one: byte 4208640 is 0xb1 where 0x7b was sent" */
    private String wrongByte() {
        return name + " got back " + verifier.firstWrong() + " bytes right, then a wrong one: " + verifier.firstDifference()
                + " (bytes lost, repeated or out of order)";
    }

    /** Half-close: "I send nothing more", while still reading (the server sees end of stream). */
    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
        wire.note(name, "half-closed its side (shutdownOutput)");
    }

    long sent() {
        return sent;
    }

    long received() {
        return verifier.received();
    }

    private int writePattern(long limit) throws IOException {
        if (!outgoing.hasRemaining()) {
            int length = (int) Math.min(CHUNK, limit - sent);
            outgoing.clear().limit(length);
            BytePattern.fill(outgoing, sent);
            outgoing.flip();
        }
        int written = write(outgoing);
        sent += written;
        return written;
    }

    private int readPattern() throws IOException {
        incoming.clear();
        int read = read(incoming);
        verifier.accept(incoming.flip());
        return read;
    }

    private int write(ByteBuffer buffer) throws IOException {
        int start = buffer.position();
        int written = channel.write(buffer);
        wire.sent(name, buffer.duplicate().position(start).limit(start + written));
        return written;
    }

    private int read(ByteBuffer buffer) throws IOException {
        int start = buffer.position();
        int read;
        try {
            read = channel.read(buffer);
        } catch (IOException e) {
            wire.note(name, "read failed: " + e.getMessage());
            throw e;
        }
        if (read == -1) {
            wire.note(name, "got end of stream");
        } else {
            wire.received(name, buffer.duplicate().position(start).limit(start + read));
        }
        return read;
    }

    /** Waits until the channel is ready for {@code ops}; false if {@code wait} passed first. */
    private boolean await(int ops, Duration wait) throws IOException {
        SelectionKey key = channel.keyFor(selector);
        if (key == null) {
            key = channel.register(selector, ops);
        } else {
            key.interestOps(ops);
        }
        boolean ready = selector.select(Math.max(1, wait.toMillis())) > 0;
        selector.selectedKeys().clear();
        return ready;
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            selector.close();
        }
    }
}
