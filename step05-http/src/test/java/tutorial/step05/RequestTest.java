package tutorial.step05;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What a request's target names: the origin form as it is, the absolute form without scheme and authority. */
class RequestTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/index.html?v=2                   | /index.html?v=2",
        "http://localhost/index.html?v=2   | /index.html?v=2",
        "HTTP://Example.COM:8080/a/b       | /a/b",
        "https://127.0.0.1:8443/x          | /x",
        "http://[::1]:8080/x               | /x",
        "http://localhost                  | /",
        "http://localhost?q=1              | /?q=1",
        "http://localhost/../secret.txt    | /../secret.txt",
        "http://localhost/%2e%2e/x         | /%2e%2e/x",
        "*                                 | *",
        "secret.txt                        | secret.txt",
        "ftp://localhost/x                 | ftp://localhost/x",
    })
    void theOriginFormIsWhatTheServerLooksUp(String target, String originForm) throws HttpError {
        // The path checks (.., encodings, NUL, backslash) come after, in StaticFiles, the same
        // for both forms; a target in neither form is left for StaticFiles to refuse.
        assertThat(request(target).originForm()).isEqualTo(originForm);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "http:///index.html",
        "http://:8080/index.html",
        "http://user@localhost/index.html",
        "http://user:secret@localhost/index.html",
        "http://local\\host/index.html",
        "http://localhost#top/index.html",
    })
    void anAbsoluteFormWithoutAProperHostIsRefused(String target) {
        assertThatThrownBy(() -> request(target).originForm())
                .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status).isEqualTo(Status.BAD_REQUEST));
    }

    private static Request request(String target) {
        return new Request("GET", target, "HTTP/1.1", Map.of("host", "x"), 0);
    }

    // The pattern Request.isAuthority replaced with a loop: the loop must say what it said.
    private static final Pattern AUTHORITY_PATTERN =
            Pattern.compile("(?:[A-Za-z0-9._~%!$&'()*+,;=-]+|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]*)?");

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
        "localhost", "localhost:8080", "localhost:", "127.0.0.1:80", "[::1]", "[::1]:8443", "[::1]:",
        "a.b-c_d~e%41!$&'()*+,;=", "", ":", ":80", "[]", "[]:80", "[::1", "::1]", "[::1]x", "[::1]:8x",
        "[g::1]", "host:port", "host:80:80", "user@host", "ho st", "host/", "h?q", "h#f", "[::1]]",
        "\u00e9t\u00e9", "host\t", "LOCALHOST:65535",
    })
    void theAuthorityLoopAgreesWithThePatternItReplaced(String value) {
        assertThat(Request.isAuthority(value)).isEqualTo(AUTHORITY_PATTERN.matcher(value).matches());
    }
}
