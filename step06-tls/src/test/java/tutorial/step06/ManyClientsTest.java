package tutorial.step06;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many clients at once, on the one thread: every one of them gets its own, correct answer. */
class ManyClientsTest {

    // Step 05 holds 500; here each client first costs a TLS handshake, on the test's side as on
    // the server's one thread (about 20 ms a client on a loaded 2-core machine, and the first
    // client would be idle for longer than the 10 s timeout before the last one is connected):
    // 100 keep the test short.
    private static final int CLIENTS = 100;
    private static final List<String> FILES = List.of("/index.html", "/style.css", "/app.js", "/image.png", "/docs/");

    @TempDir
    Path temp;

    @Test
    void aHundredConcurrentClientsEachGetACorrectResponse() throws Exception {
        Descriptors.assumeFree(2 * CLIENTS + 100); // a socket at each end of each connection, in this process
        Path root = TestSite.create(temp);
        List<RawClient> clients = new ArrayList<>();
        try (RunningServer running = new RunningServer(root)) {
            try {
                // All connected at the same time, then all requests sent, then all answers read:
                // the server holds 100 open connections with a request pending on each.
                for (int i = 0; i < CLIENTS; i++) {
                    clients.add(running.connect());
                }
                for (int i = 0; i < CLIENTS; i++) {
                    clients.get(i).send("GET " + FILES.get(i % FILES.size()) + " HTTP/1.1\r\nHost: x\r\n\r\n");
                }
                for (int i = 0; i < CLIENTS; i++) {
                    RawClient.RawResponse response = clients.get(i).readResponse();
                    String file = FILES.get(i % FILES.size());

                    assertThat(response.status()).as("client %d", i).isEqualTo(200);
                    assertThat(response.body()).as("client %d", i)
                            .isEqualTo(Files.readAllBytes(root.resolve(file.substring(1) + (file.endsWith("/") ? "index.html" : ""))));
                }
                assertThat(running.server().openConnections()).isEqualTo(CLIENTS);
            } finally {
                for (RawClient client : clients) {
                    client.close();
                }
            }
        }
    }
}
