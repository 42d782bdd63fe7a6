package tutorial.step05;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A real HTTP client, the JDK's own, loading the built-in site. */
class HttpClientTest {

    private static final Path SITE = RunningServer.builtInSite();

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(20))
            .build();
    private RunningServer running;

    @BeforeEach
    void start() throws IOException {
        running = new RunningServer(SITE);
    }

    @AfterEach
    void stop() throws Exception {
        running.close();
        if (client instanceof AutoCloseable closeable) {
            closeable.close(); // JDK 21 and later; on 17 the client's thread ends when it is collected
        }
    }

    @Test
    void getsTheIndexPage() throws Exception {
        HttpResponse<byte[]> response = get("/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(response.body()).isEqualTo(Files.readAllBytes(SITE.resolve("index.html")));
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(response.body().length);
        running.awaitLog("\"GET / HTTP/1.1\" 200 " + response.body().length);
    }

    @Test
    void getsABinaryFileByteForByte() throws Exception {
        HttpResponse<byte[]> response = get("/img/packets.png");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(response.body()).isEqualTo(Files.readAllBytes(SITE.resolve("img/packets.png")));
    }

    @Test
    void headGivesTheHeadersAndNoBody() throws Exception {
        HttpRequest head = HttpRequest.newBuilder(running.uri("/style.css"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();

        HttpResponse<byte[]> response = client.send(head, HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(Files.size(SITE.resolve("style.css")));
        assertThat(response.body()).isEmpty();
    }

    @Test
    void twoRequestsReuseOneConnection() throws Exception {
        assertThat(get("/").statusCode()).isEqualTo(200);
        assertThat(get("/about.html").statusCode()).isEqualTo(200);

        running.awaitLog("\"GET /about.html HTTP/1.1\" 200");
        assertThat(running.log()).contains("\"GET / HTTP/1.1\" 200");
        assertThat(running.logLines("Got connection from")).isEqualTo(1);
    }

    @Test
    void everyLinkOfTheBuiltInSiteLoads() throws Exception {
        List<String> links = new ArrayList<>();
        for (String page : List.of("index.html", "about.html")) {
            Matcher link = Pattern.compile("(?:href|src)=\"(/[^\"]*)\"").matcher(Files.readString(SITE.resolve(page)));
            while (link.find()) {
                links.add(link.group(1));
            }
        }

        assertThat(links).contains("/about.html", "/img/packets.png", "/img/loop.svg", "/style.css");
        for (String link : links) {
            int expected = link.equals("/no-such-page") ? 404 : 200;
            assertThat(get(link).statusCode()).as(link).isEqualTo(expected);
        }
    }

    @Test
    @DisplayName("/favicon.ico, which browsers ask for on every page, is a real icon: the log has no 404 the learner did not cause")
    void theFaviconThatBrowsersAskForIsThere() throws Exception {
        HttpResponse<byte[]> response = get("/favicon.ico");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("image/x-icon");
        ByteBuffer icon = ByteBuffer.wrap(response.body()).order(ByteOrder.LITTLE_ENDIAN);
        // An ICONDIR: reserved 0, type 1 (icon), then how many images it holds.
        assertThat(icon.getShort()).isZero();
        assertThat(icon.getShort()).isEqualTo((short) 1);
        assertThat(icon.getShort()).isPositive();
    }

    @Test
    void aMissingFileIs404WithAMessage() throws Exception {
        HttpResponse<byte[]> response = get("/no-such-page");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(new String(response.body())).isEqualTo("404 Not Found: no such file: /no-such-page\n");
    }

    private HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(running.uri(path)).timeout(Duration.ofSeconds(20)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }
}
