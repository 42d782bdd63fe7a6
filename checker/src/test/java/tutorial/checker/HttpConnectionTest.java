package tutorial.checker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The checker reads answers as HTTP frames them, whatever the server chooses, and fails fast on what is not HTTP. */
class HttpConnectionTest {

    @Test
    void aChunkedBodyIsPutTogether() throws Exception {
        HttpResponse response = answerTo("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHello\r\n6;x=y\r\n World\r\n0\r\n\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(new String(response.body(), StandardCharsets.US_ASCII)).isEqualTo("Hello World");
    }

    @Test
    void aBodyWithoutALengthEndsWhenTheServerCloses() throws Exception {
        HttpResponse response = answerTo("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");

        assertThat(response.head().statusText()).isEqualTo("200 OK");
        assertThat(new String(response.body(), StandardCharsets.US_ASCII)).isEqualTo("until the end");
    }

    @Test
    void anAnswerThatIsNotHttpFailsAtOnceAndSaysWhatCame() {
        assertThatThrownBy(() -> answerTo("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
                .isInstanceOf(CheckFailed.class)
                .hasMessageStartingWith("client got an answer that is not HTTP: it starts with \"GET / HTTP/1.1\\r\"");
    }

    @Test
    void aBodyCutShortOfItsContentLengthFails() {
        assertThatThrownBy(() -> answerTo("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"))
                .isInstanceOf(CheckFailed.class)
                .hasMessage("client got 5 of the 10 body bytes that Content-Length announced, then end of stream");
    }

    /** A server that answers any request with {@code answer} and closes, and the checker's reading of it. */
    private static HttpResponse answerTo(String answer) throws Exception {
        ThreadPerConnectionServer.Handler handler = socket -> {
            socket.getInputStream().read(new byte[1024]);
            OutputStream out = socket.getOutputStream();
            out.write(answer.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        };
        try (ThreadPerConnectionServer server = new ThreadPerConnectionServer(handler);
             CheckContext context = new CheckContext(new CheckContext.Settings("127.0.0.1", server.port(), Connector.PLAIN,
                     Duration.ofSeconds(5), 1, Duration.ofSeconds(5)))) {
            return HttpChecks.exchange(context, "client", HttpChecks.request(context, "GET", "/"), "GET");
        }
    }
}
