package tutorial.checker;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One client connection of the HTTP checks: it sends exactly the bytes a check gives it, and
 * reads answers the way HTTP frames them (head up to the blank line, then Content-Length bytes,
 * chunks, or everything until the server closes). Every read gives up after the timeout
 * (SO_TIMEOUT); a write that blocks that long is ended by closing the socket from a watchdog
 * thread. So a server that stops answering gets a FAIL, never a stuck checker.
 */
final class HttpConnection implements Closeable {

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3})(?: .*)?");
    private static final int MAX_STATUS_LINE = 8 * 1024;
    private static final int MAX_HEAD = 64 * 1024;
    private static final int MAX_BODY_UNTIL_CLOSE = 64 * 1024 * 1024;
    // Closes the socket of a write that blocks too long: the only way to end a blocking write.
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "checker-write-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    private final String name;
    private final Socket socket;
    private final Socket tcp;
    private final InputStream in;
    private final OutputStream out;
    private final Wire wire;
    private final Duration timeout;
    private volatile String writeFailure;

    /**
     * A connection that reads {@code input} and writes {@code output}; {@code socket} holds the read
     * timeout (SO_TIMEOUT), closing {@code tcp} ends the connection.
     */
    private HttpConnection(String name, Socket socket, Socket tcp, InputStream input, OutputStream output, CheckContext context)
            throws IOException {
        this.name = name;
        this.socket = socket;
        this.tcp = tcp;
        this.wire = context.wire();
        this.timeout = context.timeout();
        socket.setSoTimeout((int) timeout.toMillis());
        this.in = new BufferedInputStream(new Recorded(input));
        this.out = output;
    }

    static HttpConnection open(CheckContext context, String name) throws CheckFailed {
        return open(context, name, 0);
    }

    /** Opens a connection; {@code receiveBufferBytes} > 0 makes its receive buffer that small. */
    static HttpConnection open(CheckContext context, String name, int receiveBufferBytes) throws CheckFailed {
        try {
            Connector.Link link = context.settings().connector().open(context.settings().address(), context.timeout(),
                    receiveBufferBytes, context.wire(), name);
            context.track(link.tcp());
            return context.track(new HttpConnection(name, link.socket(), link.tcp(), link.socket().getInputStream(),
                    link.socket().getOutputStream(), context));
        } catch (SocketTimeoutException e) {
            context.wire().note(name, "got no handshake in " + Wire.seconds(context.timeout()));
            throw new CheckFailed(name + " could not connect: no handshake in " + Wire.seconds(context.timeout()), name);
        } catch (TlsConnector.HandshakeFailed e) {
            throw new CheckFailed(name + " could not connect: " + e.getMessage(), name).learning(e.learn());
        } catch (IOException e) {
            throw new CheckFailed(name + " could not connect: " + e.getMessage(), name);
        }
    }

    /** HTTP over a TLS connection of the checker's own making, which reads and writes its records itself. */
    static HttpConnection over(TlsPeer peer, CheckContext context) throws IOException {
        return context.track(new HttpConnection(peer.name(), peer.tcp(), peer.tcp(), peer.plaintextInput(),
                peer.plaintextOutput(), context));
    }

    String name() {
        return name;
    }

    void send(String text) throws CheckFailed {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Writes every byte; FAILs if the server does not take them within the timeout. */
    void send(byte[] bytes) throws CheckFailed {
        writeFailure = null;
        write(bytes);
        if (writeFailure != null) {
            throw new CheckFailed(name + " could not send its " + bytes.length + " bytes: " + writeFailure, name);
        }
    }

    /**
     * Writes on a thread of its own, for a request so large that the server may answer (and stop
     * reading) before it has all of it: the check reads the answer meanwhile. A failed write is
     * only noted on the wire: the answer is what the check judges.
     */
    void sendInBackground(byte[] bytes) {
        Thread writer = new Thread(() -> write(bytes), "checker-writer-" + name);
        writer.setDaemon(true);
        writer.start();
    }

    private void write(byte[] bytes) {
        try {
            int chunk = 16 * 1024;
            for (int offset = 0; offset < bytes.length; offset += chunk) {
                int length = Math.min(chunk, bytes.length - offset);
                // Each piece has the timeout to go: a server that takes bytes gets time again.
                ScheduledFuture<?> alarm = WATCHDOG.schedule(this::giveUpWriting, timeout.toMillis(), TimeUnit.MILLISECONDS);
                wire.sent(name, bytes, offset, length); // before the write: an answer may come back before it returns
                try {
                    out.write(bytes, offset, length);
                } finally {
                    alarm.cancel(false);
                }
            }
        } catch (IOException e) {
            if (writeFailure == null) {
                writeFailure = e.getMessage();
            }
            wire.note(name, "could not write: " + writeFailure);
        }
    }

    private void giveUpWriting() {
        writeFailure = "the server took none of the rest for " + Wire.seconds(timeout);
        closeQuietly();
    }

    /** Reads one whole answer to a request made with {@code method}. */
    HttpResponse read(String method) throws CheckFailed {
        HttpResponse.Head head = readHead();
        return new HttpResponse(head, readBody(head, method));
    }

    /** Reads a status line and headers; FAILs on anything that is not an HTTP answer. */
    HttpResponse.Head readHead() throws CheckFailed {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        try {
            String statusLine = readLine(seen, MAX_STATUS_LINE, true);
            Matcher status = STATUS_LINE.matcher(statusLine);
            if (!status.matches()) {
                throw new CheckFailed(name + " got an answer that is not HTTP: it starts with "
                        + Wire.quote(seen.toString(StandardCharsets.ISO_8859_1), seen.size())
                        + " (an HTTP answer starts with a status line such as \"HTTP/1.1 200 OK\")", name);
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            while (true) {
                String line = readLine(seen, MAX_HEAD, false);
                if (line.isEmpty()) {
                    break;
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new CheckFailed(name + " got a header line without a name and a colon: "
                            + Wire.quote(line, line.length()), name);
                }
                headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
            return new HttpResponse.Head(statusLine, Integer.parseInt(status.group(1)), headers, seen.size());
        } catch (SocketTimeoutException e) {
            wire.silence(name, timeout);
            throw new CheckFailed(seen.size() == 0 ? name + " got no answer in " + Wire.seconds(timeout)
                    : name + " got " + seen.size() + " bytes of an answer's head, then nothing for " + Wire.seconds(timeout), name);
        } catch (IOException e) {
            throw failure(e, seen.size() == 0 ? "before any answer" : "after " + seen.size() + " bytes of an answer's head");
        }
    }

    /** Like {@link #readHead()}, but an end of stream before the first byte gives null instead of a FAIL. */
    HttpResponse.Head readHeadOrEndOfStream() throws CheckFailed {
        try {
            in.mark(1);
            if (in.read() == -1) {
                wire.note(name, "got end of stream");
                return null;
            }
            in.reset();
        } catch (SocketTimeoutException e) {
            wire.silence(name, timeout);
            throw new CheckFailed(name + " got no answer in " + Wire.seconds(timeout), name);
        } catch (IOException e) {
            throw failure(e, "before any answer");
        }
        return readHead();
    }

    /** The body that follows {@code head}, framed as HTTP/1.1 frames it. */
    byte[] readBody(HttpResponse.Head head, String method) throws CheckFailed {
        int status = head.status();
        if (method.equals("HEAD") || status / 100 == 1 || status == 204 || status == 304) {
            return new byte[0];
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            if (head.chunked()) {
                readChunks(body);
            } else if (head.contentLength() >= 0) {
                long length = head.contentLength();
                byte[] bytes = in.readNBytes((int) Math.min(length, Integer.MAX_VALUE));
                body.write(bytes);
                if (bytes.length < length) {
                    throw new CheckFailed(name + " got " + bytes.length + " of the " + length
                            + " body bytes that Content-Length announced, then end of stream", name);
                }
            } else {
                byte[] bytes = in.readNBytes(MAX_BODY_UNTIL_CLOSE); // no length: the body ends when the server closes
                body.write(bytes);
            }
            return body.toByteArray();
        } catch (SocketTimeoutException e) {
            wire.silence(name, timeout);
            throw new CheckFailed(name + " got " + body.size() + " body bytes, then nothing for " + Wire.seconds(timeout)
                    + (head.contentLength() >= 0 ? " (Content-Length: " + head.contentLength() + ")" : ""), name);
        } catch (IOException e) {
            throw failure(e, "after " + body.size() + " body bytes");
        }
    }

    private void readChunks(ByteArrayOutputStream body) throws IOException, CheckFailed {
        ByteArrayOutputStream ignored = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(ignored, 1024, false);
            int semicolon = sizeLine.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new CheckFailed(name + " got a malformed chunk size line: " + Wire.quote(sizeLine, sizeLine.length()), name);
            }
            if (size == 0) {
                while (!readLine(ignored, MAX_HEAD, false).isEmpty()) {
                    // trailer fields: not used here
                }
                return;
            }
            byte[] chunk = in.readNBytes((int) size);
            body.write(chunk);
            if (chunk.length < size || !readLine(ignored, 2, false).isEmpty()) {
                throw new CheckFailed(name + " got a chunk cut short or not followed by CRLF", name);
            }
        }
    }

    /** A line up to LF (the CR before it dropped); on the status line, FAILs early on anything but "HTTP/". */
    private String readLine(ByteArrayOutputStream seen, int most, boolean statusLine) throws IOException, CheckFailed {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b == -1) {
                wire.note(name, "got end of stream");
                throw new CheckFailed(name + (seen.size() == 0 ? " got no answer: the server closed the connection"
                        : " got " + seen.size() + " bytes, then end of stream, in the middle of " + (statusLine ? "a status line" : "an answer")), name);
            }
            seen.write(b);
            if (b == '\n') {
                int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
                return line.substring(0, end);
            }
            line.append((char) b);
            if (statusLine && line.length() == 5 && !line.toString().equals("HTTP/")) {
                // Not HTTP: show what is already here of this line, without waiting for more.
                while (line.length() < 60 && in.available() > 0 && (b = in.read()) != -1 && b != '\n') {
                    seen.write(b);
                    line.append((char) b);
                }
                return line.toString();
            }
            if (line.length() > most) {
                throw new CheckFailed(name + " got a line of more than " + most + " bytes in an answer's head", name);
            }
        }
    }

    /** The raw input after the head, for a check that reads a body at its own pace. */
    InputStream input() {
        return in;
    }

    /**
     * Reads and drops whatever still comes until the server closes the connection (end of stream
     * or reset), then closes our side too, as a client does; returns how long that took, or null if
     * it was still open after {@code max}.
     */
    Duration awaitClose(Duration max) throws CheckFailed {
        long start = System.nanoTime();
        long giveUp = start + max.toNanos();
        byte[] drop = new byte[8192];
        try {
            while (true) {
                long left = giveUp - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                try {
                    if (in.read(drop) == -1) {
                        closeQuietly(); // a server that waits for our side to close (too) is not held up
                        return Duration.ofNanos(System.nanoTime() - start);
                    }
                } catch (SocketTimeoutException e) {
                    // checked at the top of the loop
                }
            }
        } catch (IOException e) {
            closeQuietly();
            return Duration.ofNanos(System.nanoTime() - start); // a reset closes the connection too
        } finally {
            try {
                socket.setSoTimeout((int) timeout.toMillis());
            } catch (IOException e) {
                // the socket is closed: nothing more will be read from it
            }
        }
    }

    CheckFailed failure(IOException e, String when) {
        wire.note(name, "got an error: " + e.getMessage());
        return new CheckFailed(name + ": " + e.getMessage() + " " + when, name);
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput(); // over TLS: close_notify
        if (tcp != socket) {
            tcp.shutdownOutput(); // then TCP's FIN
        }
        wire.note(name, "half-closed its side (shutdownOutput)");
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            tcp.close(); // under TLS too: at once, with no close_notify that could block
        } catch (IOException e) {
            // closing: nothing more to do
        }
    }

    /** Puts every byte read from the socket on the wire log, as it arrives. */
    private final class Recorded extends FilterInputStream {

        Recorded(InputStream socketInput) {
            super(socketInput);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            int read = super.read(bytes, offset, length);
            if (read > 0) {
                wire.received(name, bytes, offset, read);
            }
            return read;
        }
    }
}
