package tutorial.step06;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs a program of this step's scripts/ folder as the chapter shows it: {@code java scripts/Name.java ...}. */
final class Scripts {

    private Scripts() {
    }

    /** Runs the script to its end (two minutes at most) and returns what it printed. */
    static String run(String name, Object... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(moduleFolder().resolve("scripts").resolve(name).toString());
        for (Object arg : args) {
            command.add(arg.toString());
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        boolean ended = process.waitFor(120, SECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor(10, SECONDS);
        }
        assertThat(ended).as("%s ended within two minutes", name).isTrue();
        assertThat(process.exitValue()).as("exit status of %s, which printed:%n%s", name, output).isZero();
        return output;
    }

    /** The step's folder, found from the compiled classes (target/classes), whatever the working directory. */
    private static Path moduleFolder() {
        try {
            Path classes = Path.of(HttpServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.getParent().getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
