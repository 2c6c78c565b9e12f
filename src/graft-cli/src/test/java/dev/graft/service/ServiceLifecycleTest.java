package dev.graft.service;

import static dev.graft.service.ServeFixtures.await;
import static dev.graft.service.ServeFixtures.csv;
import static dev.graft.service.ServeFixtures.drop;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.registry.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schedules and shutdown of `graft serve`. */
class ServiceLifecycleTest {

    @TempDir
    Path dir;

    @Test
    void aCronScheduleRetrainsOnTheNewestDataSetInAFolder() throws Exception {
        Path datasets = Files.createDirectories(dir.resolve("datasets"));
        Files.writeString(datasets.resolve("old.csv"), "label,a\n0,x\n"); // unreadable: must not be picked
        Thread.sleep(50);
        Files.writeString(datasets.resolve("new.csv"), csv(80, 3, false));
        Files.setLastModifiedTime(datasets.resolve("old.csv"), java.nio.file.attribute.FileTime.fromMillis(0));
        Path registry = dir.resolve("registry");
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("nightly.yaml"), """
                - route:
                    id: every-second
                    from:
                      uri: quartz:test/every-second
                      parameters:
                        cron: "0/1 * * * * ?"
                      steps:
                        - to: graft:fetch-dataset?source=newest:%s&format=csv&scale=1
                        - to: graft:create-model?architecture=mlp
                        - to: graft:train?epochs=1
                        - to: graft:publish?registry=%s&name=nightly
                """.formatted(datasets, registry));
        try (GraftService service = new GraftService(new GraftService.Settings(routes, registry, dir.resolve("state"),
                "127.0.0.1", 0, null, Duration.ofSeconds(10), dev.graft.engine.StepRegistry.discover(), Map.of()))) {
            service.start();
            await("a scheduled run", Duration.ofSeconds(60), () -> service.runs().list(10).stream()
                    .anyMatch(r -> r.status().equals("succeeded")));
            RunRecord run = service.runs().list(10).stream().filter(r -> r.status().equals("succeeded")).findFirst()
                    .orElseThrow();
            assertThat(run.trigger()).isEqualTo("schedule");
            assertThat(run.route()).isEqualTo("every-second");
        }
        assertThat(new ModelRegistry(registry).versions("nightly")).isNotEmpty();
    }

    @Test
    void stoppingDuringTrainingAbandonsTheRunAfterItsEpochAndPublishesNothing() throws Exception {
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Path registry = dir.resolve("registry");
        Path routes = ServeFixtures.route(dir, inbox, registry, 100_000);
        GraftService service = new GraftService(new GraftService.Settings(routes, registry, dir.resolve("state"),
                "127.0.0.1", 0, null, Duration.ofSeconds(30), dev.graft.engine.StepRegistry.discover(), Map.of()));
        service.start();
        drop(inbox, "long.csv", csv(100, 1, false));
        await("training under way", Duration.ofSeconds(60), () -> service.runs().list(1).stream()
                .anyMatch(r -> r.status().equals("running")));
        Thread.sleep(1500);
        long start = System.nanoTime();
        service.close();
        double closeSeconds = (System.nanoTime() - start) / 1e9;
        assertThat(closeSeconds).isLessThan(30);
        RunRecord run = service.runs().list(1).get(0);
        assertThat(run.status()).isEqualTo("failed");
        assertThat(run.error()).contains("abandoned").contains("shutting down");
        assertThat(new ModelRegistry(registry).versions("toy")).isEmpty();
        assertThat(Files.readString(inbox.resolve(".failed/long.csv.error.txt"))).contains("transient");
    }
}
