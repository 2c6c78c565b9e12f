package dev.graft.service;

import static dev.graft.service.ServeFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.data.HostileFiles;
import dev.graft.registry.ModelRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's corpus test: every hostile drop (header bombs, zip bombs, overflowing headers, the giant PNG, the empty
 * file, an identical re-drop) dropped into a running `graft serve` under {@code -Xmx1g} is quarantined with a clear
 * reason within seconds, the service's peak RSS stays under 1 GiB, and a valid drop after them is processed. The
 * service runs in a child JVM so that its heap limit and its RSS (from /proc) are its own.
 */
class HostileDropsTest {

    private static final long GIB = 1L << 30;
    private static final Duration PER_FILE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Process serve(Path routes, Path registry, Path state, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                "dev.graft.cli.GraftCli", "serve", "--routes", routes.toString(), "--registry", registry.toString(),
                "--state", state.toString(), "--port", "0", "--plugins", dir.resolve("no-plugins").toString()));
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        return builder.start();
    }

    private static Path route(Path dir, Path inbox, Path registry) throws IOException {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("hostile-drop.yaml"), """
                - route:
                    id: hostile-drop
                    from:
                      uri: file:%s
                      parameters:
                        readLock: changed
                        readLockCheckInterval: 200
                        readLockMinLength: 0
                        delay: 100
                        move: "${exchangeProperty.GraftDropTarget}"
                        moveFailed: "${exchangeProperty.GraftDropTarget}"
                      steps:
                        - to: graft:fetch-dataset?source=trigger&classes=0-9&scale=1&testFraction=0.25
                        - to: graft:create-model?architecture=mlp&seed=1
                        - to: graft:train?epochs=1&batchSize=16
                        - to: graft:publish?registry=%s&name=hostile
                """.formatted(inbox, registry));
        return routes;
    }

    /** VmHWM (peak resident set) of a process, in bytes. */
    static long peakRss(long pid) throws IOException {
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        Matcher m = Pattern.compile("VmHWM:\\s+(\\d+) kB").matcher(status);
        if (!m.find()) {
            throw new IOException("no VmHWM in /proc/" + pid + "/status");
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    private static void move(Path file, Path inbox) throws IOException {
        Files.move(file, inbox.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void everyHostileDropIsQuarantinedWithAReasonUnderOneGibibyteAndAValidDropStillRuns() throws Exception {
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Path registry = dir.resolve("registry");
        Path state = dir.resolve("state");
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        List<Path> hostile = HostileFiles.writeAll(corpus);
        Path log = dir.resolve("serve.log");
        Process service = serve(route(dir, inbox, registry), registry, state, log);
        Map<String, Double> seconds = new LinkedHashMap<>();
        try {
            await("the service listening", Duration.ofSeconds(90), () -> {
                try {
                    return Files.readString(log).contains("graft: serving routes");
                } catch (IOException e) {
                    return false;
                }
            });
            Matcher port = Pattern.compile("on http://[^:]+:(\\d+)").matcher(Files.readString(log));
            assertThat(port.find()).isTrue();
            URI health = URI.create("http://127.0.0.1:" + port.group(1) + "/health");

            for (Path file : hostile) {
                String name = file.getFileName().toString();
                long start = System.nanoTime();
                move(file, inbox);
                Path error = inbox.resolve(".failed").resolve(name + ".error.txt");
                await(name + " quarantined", PER_FILE, () -> Files.exists(error) && Files.exists(inbox.resolve(".failed").resolve(name)));
                seconds.put(name, (System.nanoTime() - start) / 1e9);
                String reason = Files.readString(error);
                assertThat(reason).as(name).contains("kind: not retryable");
                String message = reason.lines().filter(l -> l.startsWith("error: ")).findFirst().orElse("error: ");
                System.out.println("  " + name + " -> " + message);
                assertThat(message.substring(7)).as(name + ": a clear reason").hasSizeGreaterThan(25)
                        .doesNotMatch("-?\\d+");
                assertThat(ServeFixtures.http("GET", health, null, null).statusCode()).as("/health after " + name)
                        .isEqualTo(200);
            }

            Path valid = HostileFiles.validCsv(corpus);
            byte[] validBytes = Files.readAllBytes(valid);
            long start = System.nanoTime();
            move(valid, inbox);
            await("the valid drop processed", PER_FILE, () -> Files.exists(inbox.resolve(".done/valid.csv")));
            seconds.put("valid.csv", (System.nanoTime() - start) / 1e9);

            Path again = Files.write(corpus.resolve("valid.csv"), validBytes); // the identical re-drop
            start = System.nanoTime();
            move(again, inbox);
            await("the identical re-drop moved aside", PER_FILE, () -> Files.exists(inbox.resolve(".duplicate/valid.csv")));
            seconds.put("valid.csv (identical re-drop)", (System.nanoTime() - start) / 1e9);

            Path last = HostileFiles.validIdxZip(corpus);
            start = System.nanoTime();
            move(last, inbox);
            await("a valid drop after all of them", PER_FILE, () -> Files.exists(inbox.resolve(".done/valid-idx.zip")));
            seconds.put("valid-idx.zip", (System.nanoTime() - start) / 1e9);

            long rss = peakRss(service.pid());
            System.out.printf("peak RSS of graft serve -Xmx1g over the corpus: %.0f MiB%n", rss / (double) (1 << 20));
            seconds.forEach((name, s) -> System.out.printf("  %-34s %6.1f s to leave the inbox%n", name, s));
            assertThat(rss).as("peak RSS (VmHWM) in bytes").isLessThan(GIB);
            assertThat(new ModelRegistry(registry).versions("hostile")).hasSize(2);
            RunStore runs = new RunStore(state.resolve("runs.db"));
            assertThat(runs.list(100)).filteredOn(r -> r.status().equals("duplicate")).hasSize(1);
            assertThat(runs.list(100)).filteredOn(r -> r.status().equals("failed")).hasSize(hostile.size());
            assertThat(runs.list(100)).noneMatch(r -> r.status().equals("running"));
        } catch (AssertionError e) {
            List<String> lines = Files.readAllLines(log);
            System.out.println("serve.log, last lines:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            throw e;
        } finally {
            service.destroy();
            service.waitFor();
        }
    }
}
