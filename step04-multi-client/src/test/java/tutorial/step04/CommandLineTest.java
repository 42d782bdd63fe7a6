package tutorial.step04;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A bad command line gets one line of usage and exit status 2, never a stack trace or a server. */
class CommandLineTest {

    @ParameterizedTest(name = "EchoServer {0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1 0 --max-connections 0        | not a number of connections: 0",
        "127.0.0.1 0 --idle-timeout soon         | not a number of seconds: soon",
        "127.0.0.1 0 --log                       | missing value after --log",
        "127.0.0.1 0 --quiet --log echo.log      | --quiet or --log, not both",
        "--quiet 127.0.0.1                       | 127.0.0.1 must come before the options",
        "127.0.0.1 0 --verbose                   | unknown option --verbose",
        "127.0.0.1 0 --log no/such/folder/x.log  | cannot write to no/such/folder/x.log",
    })
    void badArgumentsGetTheUsageLine(String arguments, String problem) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", mainClasses(), EchoServer.class.getName()));
        command.addAll(List.of(arguments.trim().split(" +")));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);

        assertThat(process.waitFor(20, SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(printed).isEqualTo("usage: EchoServer [host] [port] [--max-connections N] [--idle-timeout SECONDS]"
                + " [--quiet | --log FILE] (" + problem + ")" + System.lineSeparator());
    }

    private static String mainClasses() throws URISyntaxException {
        return Path.of(EchoServer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
