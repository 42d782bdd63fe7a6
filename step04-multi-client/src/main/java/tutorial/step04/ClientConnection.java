package tutorial.step04;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One of the multi-connection client's connections: the messages it sends, how far it has got
 * sending them, and how much of their echo has come back.
 */
final class ClientConnection {

    private final int id;
    private final SocketChannel channel;
    private final int messageCount;
    private final int messageBytes;
    // Every message this connection sends, one after the other: what the echo must equal.
    private final byte[] script;
    private int messagesSent;
    private ByteBuffer outgoing; // the message being written now, or null when all are sent
    private long bytesReceived;
    private boolean wrongBytes;

    ClientConnection(int id, SocketChannel channel, int messageCount, int messageBytes) {
        this.id = id;
        this.channel = channel;
        this.messageCount = messageCount;
        this.messageBytes = messageBytes;
        this.script = scriptFor(id, messageCount, messageBytes);
        this.outgoing = ByteBuffer.wrap(script, 0, messageBytes);
    }

    int id() {
        return id;
    }

    SocketChannel channel() {
        return channel;
    }

    int messageCount() {
        return messageCount;
    }

    int messageBytes() {
        return messageBytes;
    }

    /** The message being written now, or null when every message is sent. */
    ByteBuffer outgoing() {
        return outgoing;
    }

    /** Called when {@link #outgoing()} has been written whole: moves on to the next message. */
    void messageSent() {
        messagesSent++;
        outgoing = messagesSent < messageCount
                ? ByteBuffer.wrap(script, messagesSent * messageBytes, messageBytes)
                : null;
    }

    int messagesSent() {
        return messagesSent;
    }

    long bytesSent() {
        // outgoing wraps the whole script, so its position counts every byte sent so far.
        return outgoing == null ? script.length : outgoing.position();
    }

    // tag::received[]
    /** Checks echoed bytes against what was sent, in order. A byte beyond what was sent is wrong too. */
    void received(ByteBuffer bytes) {
        while (bytes.hasRemaining()) {
            byte echoed = bytes.get(); // taken first: every byte is consumed, whatever the checks below
            if (bytesReceived >= script.length || echoed != script[(int) bytesReceived]) {
                wrongBytes = true;
            }
            bytesReceived++;
        }
    }
    // end::received[]

    long bytesReceived() {
        return bytesReceived;
    }

    long bytesExpected() {
        return script.length;
    }

    boolean hasWrongBytes() {
        return wrongBytes;
    }

    /** As many bytes came back as were sent, or more: nothing more to wait for. */
    boolean echoEnded() {
        return bytesReceived >= script.length;
    }

    /** Message n of connection c reads "[c3 m2]" over and over, cut to the message size. */
    private static byte[] scriptFor(int id, int messageCount, int messageBytes) {
        byte[] script = new byte[messageCount * messageBytes];
        for (int m = 0; m < messageCount; m++) {
            byte[] label = ("[c" + id + " m" + (m + 1) + "]").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < messageBytes; i++) {
                script[m * messageBytes + i] = label[i % label.length];
            }
        }
        return script;
    }
}
