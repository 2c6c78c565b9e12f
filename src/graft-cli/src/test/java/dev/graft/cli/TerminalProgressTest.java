package dev.graft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.TinyRoutes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code graft run} in a real pseudo-terminal (util-linux {@code script}, Debian's bsdutils): within an epoch the
 * live line's batch counter and ETA change as the epoch goes; the same run with output to a file has no control
 * characters.
 */
class TerminalProgressTest {

    /** One drawn line: {@code train: epoch 1/2  37% [===>   ] 23/63 batches (0:00:01 / 0:00:02) 31.2 batches/s loss ...}. */
    private static final Pattern DRAWN = Pattern.compile(
            "train: epoch 1/2 +\\d+% \\[[=> ]*\\] +(\\d+)/(\\d+) batches \\((\\d+:\\d\\d:\\d\\d) / (\\d+:\\d\\d:\\d\\d)\\) "
                    + "[?\\d.]+ batches/s loss \\d\\.\\d{4}");

    @TempDir
    Path dir;

    private Path route(int epochs) throws Exception {
        // LeNet trained from scratch: every batch is a step of DL4J's fit, a few seconds an epoch on 2 cores
        return TinyRoutes.directRoute(dir, "pty", """
                - to: graft:fetch-dataset?classes=0-4&trainLimit=1000&testLimit=100
                - to: graft:create-model?architecture=lenet&seed=3
                - to: graft:train?epochs=%d&batchSize=16
                - to: graft:evaluate
                """.formatted(epochs));
    }

    private List<String> graftRun(Path route) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"), GraftCli.class.getName(), "run",
                route.toString());
    }

    private static String quoted(List<String> command) {
        List<String> parts = new ArrayList<>();
        for (String c : command) {
            parts.add("'" + c.replace("'", "'\\''") + "'");
        }
        return String.join(" ", parts);
    }

    private static String run(List<String> command, Path log) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("graft run finished").isTrue();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void inATerminalTheBatchCounterAndEtaUpdateWithinAnEpoch() throws Exception {
        Path script = Path.of("/usr/bin/script");
        assertThat(Files.isExecutable(script)).as("util-linux script (apt-get install bsdutils)").isTrue();
        Path route = route(2);

        String out = run(List.of(script.toString(), "-qfec", quoted(graftRun(route)), "/dev/null"), dir.resolve("pty.log"));

        Set<Integer> batches = new LinkedHashSet<>();
        Set<String> times = new LinkedHashSet<>();
        int total = 0;
        for (String drawn : out.split("[\r\n]")) {
            Matcher m = DRAWN.matcher(drawn.replace("\033[2K", ""));
            if (m.find()) {
                int batch = Integer.parseInt(m.group(1));
                total = Integer.parseInt(m.group(2));
                if (batch < total) {
                    batches.add(batch);
                    times.add(m.group(3) + " / " + m.group(4));
                }
            }
        }
        System.out.println("pty: " + batches.size() + " drawings within epoch 1 (batches " + batches + "), times " + times);
        assertThat(total).isEqualTo(63);
        assertThat(batches).as(out).hasSizeGreaterThanOrEqualTo(3);
        assertThat(times).as("elapsed / ETA pairs").hasSizeGreaterThanOrEqualTo(2);
        assertThat(out).contains("\r").contains("train: epoch 1/2  loss ").contains("train: epoch 2/2  loss ");
    }

    @Test
    void withoutATerminalTheOutputHasNoControlCharacters() throws Exception {
        String out = run(graftRun(route(1)), dir.resolve("plain.log"));

        assertThat(out).contains("train: epoch 1/1  loss ").contains("evaluate: test accuracy");
        assertThat(out.chars().filter(c -> c != '\n').filter(Character::isISOControl).count()).as(out).isZero();
    }
}
