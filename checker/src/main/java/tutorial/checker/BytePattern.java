package tutorial.checker;

import java.nio.ByteBuffer;

/**
 * The bytes of every large transfer: byte number {@code i} is {@code i % 251}. 251 is prime, so a
 * lost, repeated or shifted block of any power-of-two size does not line up again, and the first
 * wrong byte tells where the stream went wrong.
 */
final class BytePattern {

    private BytePattern() {
    }

    static byte at(long index) {
        return (byte) (index % 251);
    }

    /** Fills {@code buffer} (from its position to its limit) with the pattern from byte {@code from} on. */
    static void fill(ByteBuffer buffer, long from) {
        long index = from;
        while (buffer.hasRemaining()) {
            buffer.put(at(index++));
        }
    }

    static byte[] bytes(long from, int length) {
        byte[] bytes = new byte[length];
        fill(ByteBuffer.wrap(bytes), from);
        return bytes;
    }

    /** Counts bytes received and remembers where the first one differs from the pattern. */
    static final class Verifier {
        private long received;
        private long firstWrong = -1;
        private byte wrongValue;

        void accept(ByteBuffer bytes) {
            while (bytes.hasRemaining()) {
                byte b = bytes.get();
                if (firstWrong < 0 && b != at(received)) {
                    firstWrong = received;
                    wrongValue = b;
                }
                received++;
            }
        }

        long received() {
            return received;
        }

        long firstWrong() {
            return firstWrong;
        }

        boolean allRight() {
            return firstWrong < 0;
        }

        /** "byte 1048576 is 0x00 where 0x2c was sent" */
        String firstDifference() {
            return String.format("byte %d is 0x%02x where 0x%02x was sent", firstWrong, wrongValue & 0xFF,
                    at(firstWrong) & 0xFF);
        }
    }
}
