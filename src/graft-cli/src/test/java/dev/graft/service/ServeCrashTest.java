package dev.graft.service;

import static dev.graft.service.ServeFixtures.await;
import static dev.graft.service.ServeFixtures.csv;
import static dev.graft.service.ServeFixtures.drop;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.registry.ModelRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real `graft serve` process killed with SIGKILL during training, then restarted. */
class ServeCrashTest {

    @TempDir
    Path dir;

    private Process serve(Path routes, Path registry, Path state, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                "dev.graft.cli.GraftCli", "serve", "--routes", routes.toString(), "--registry", registry.toString(),
                "--state", state.toString(), "--port", "0", "--plugins", dir.resolve("no-plugins").toString()));
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("OMP_NUM_THREADS", "1"); // tiny model: one thread is fastest on a busy machine
        return builder.start();
    }

    @Test
    void aRunKilledDuringTrainingRunsAgainAfterRestartWhileDoneFilesDoNot() throws Exception {
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Path registry = dir.resolve("registry");
        Path state = dir.resolve("state");
        Path routes = ServeFixtures.route(dir, inbox, registry, 400);
        Path log1 = dir.resolve("serve-1.log");
        Process first = serve(routes, registry, state, log1);
        try {
            drop(inbox, "first.csv", csv(120, 1, false));
            await("first.csv done", Duration.ofSeconds(300), () -> Files.exists(inbox.resolve(".done/first.csv")));
            drop(inbox, "second.csv", csv(120, 2, false));
            await("training of second.csv under way", Duration.ofSeconds(60), () -> {
                try {
                    return Files.readString(log1).split("train: epoch 20/400", -1).length >= 3;
                } catch (IOException e) {
                    return false;
                }
            });
        } finally {
            first.destroyForcibly(); // SIGKILL: no shutdown hook runs
            first.waitFor();
        }
        assertThat(Files.exists(inbox.resolve("second.csv"))).as("the interrupted drop stays in the inbox").isTrue();
        ModelRegistry models = new ModelRegistry(registry);
        assertThat(models.versions("toy")).containsExactly(1);

        Path log2 = dir.resolve("serve-2.log");
        Process second = serve(routes, registry, state, log2);
        try {
            await("second.csv done after the restart", Duration.ofSeconds(300),
                    () -> Files.exists(inbox.resolve(".done/second.csv")));
            RunStore store = new RunStore(state.resolve("runs.db"));
            await("its run recorded", Duration.ofSeconds(10), () -> store.list(100).stream()
                    .anyMatch(r -> r.status().equals("succeeded") && r.inputFile().endsWith("second.csv")));
            List<RunRecord> runs = store.list(100);
            assertThat(runs).filteredOn(r -> r.inputFile().endsWith("first.csv")).hasSize(1);
            assertThat(runs).filteredOn(r -> r.inputFile().endsWith("second.csv"))
                    .extracting(RunRecord::status).containsExactlyInAnyOrder("interrupted", "succeeded");
            assertThat(models.versions("toy")).containsExactly(1, 2);
            try (Stream<Path> s = Files.list(registry.resolve("toy").resolve("versions"))) {
                assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("1", "2");
            }
            for (String v : List.of("1", "2")) {
                Path version = registry.resolve("toy").resolve("versions").resolve(v);
                assertThat(version.resolve("model.zip")).exists();
                assertThat(version.resolve("metadata.json")).exists();
            }
        } finally {
            second.destroy();
            second.waitFor();
        }
    }
}
