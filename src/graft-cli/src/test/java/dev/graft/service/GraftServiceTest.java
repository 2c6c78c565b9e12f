package dev.graft.service;

import static dev.graft.service.ServeFixtures.await;
import static dev.graft.service.ServeFixtures.csv;
import static dev.graft.service.ServeFixtures.drop;
import static dev.graft.service.ServeFixtures.http;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.registry.ModelRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An in-process `graft serve` on real files: drops, run history, registry gate, HTTP API. */
class GraftServiceTest {

    private static final String TOKEN = "s3cret-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path inbox;
    private Path registry;
    private GraftService service;

    @BeforeEach
    void start() throws IOException {
        inbox = Files.createDirectories(dir.resolve("inbox"));
        registry = dir.resolve("registry");
        Path routes = ServeFixtures.route(dir, inbox, registry, 3);
        service = new GraftService(new GraftService.Settings(routes, registry, dir.resolve("state"), "127.0.0.1", 0,
                TOKEN, Duration.ofSeconds(20), dev.graft.engine.StepRegistry.discover(), Map.of()));
        service.start();
    }

    @AfterEach
    void stop() {
        service.close();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + service.address().getPort() + path);
    }

    private String scrape() {
        try {
            HttpResponse<String> metrics = http("GET", uri("/metrics"), null, null);
            assertThat(metrics.statusCode()).isEqualTo(200);
            return metrics.body();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private List<RunRecord> finishedRuns() {
        return service.runs().list(1000).stream().filter(r -> !r.status().equals("running")).toList();
    }

    private static List<String> names(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aGoodDropPublishesAndTheChampionMovesOnlyWhenTheGatePasses() throws Exception {
        drop(inbox, "good.csv", csv(200, 1, false));
        await("the good drop's run", Duration.ofSeconds(60), () -> finishedRuns().size() == 1);
        RunRecord good = finishedRuns().get(0);
        assertThat(good.status()).isEqualTo("succeeded");
        assertThat(good.trigger()).isEqualTo("file");
        assertThat(good.inputSha256()).hasSize(64);
        assertThat(good.verdict()).isEqualTo("PASSED");
        assertThat(good.version()).isEqualTo(1);
        ModelRegistry models = new ModelRegistry(registry);
        assertThat(models.aliases("toy")).containsEntry("champion", 1);
        await("the file to move to .done", Duration.ofSeconds(10), () -> Files.exists(inbox.resolve(".done/good.csv")));

        drop(inbox, "noise.csv", csv(200, 2, true));
        await("the noisy drop's run", Duration.ofSeconds(60), () -> finishedRuns().size() == 2);
        RunRecord noisy = service.runs().list(1).get(0);
        assertThat(noisy.status()).isEqualTo("succeeded");
        assertThat(noisy.verdict()).isEqualTo("FAILED");
        assertThat(noisy.verdictReason()).contains("gate 'accuracy>=0.75' failed");
        assertThat(noisy.version()).isEqualTo(2);
        assertThat(models.versions("toy")).containsExactly(1, 2);
        assertThat(models.aliases("toy")).containsEntry("champion", 1);
        await("the held publication in /metrics", Duration.ofSeconds(10), () -> scrape().contains(
                "graft_publications_total{model=\"toy\",outcome=\"held\",route=\"csv-drop\"} 1.0"));
        assertThat(scrape()).contains("graft_champion_version{model=\"toy\",route=\"csv-drop\"} 1.0")
                .contains("graft_runs_total{outcome=\"success\",route=\"csv-drop\"} 2.0")
                .contains("graft_verdicts_total{outcome=\"failed\",route=\"csv-drop\"} 1.0");
        assertThat(registry.resolve("toy/versions/2/report.html")).content().contains("<strong>FAILED</strong>");
    }

    @Test
    void aCorruptDropIsQuarantinedWithItsReasonAndPublishesNothing() throws Exception {
        drop(inbox, "ragged.csv", "label,a,b,c,d\n0,1,2,3,4\n1,2,3\n");
        await("the quarantine", Duration.ofSeconds(60), () -> Files.exists(inbox.resolve(".failed/ragged.csv.error.txt"))
                && Files.exists(inbox.resolve(".failed/ragged.csv")));
        String reason = Files.readString(inbox.resolve(".failed/ragged.csv.error.txt"));
        assertThat(reason).contains("ragged.csv").contains("line 3").contains("not retryable");
        await("the run record", Duration.ofSeconds(10), () -> finishedRuns().size() == 1);
        assertThat(finishedRuns().get(0).status()).isEqualTo("failed");
        assertThat(finishedRuns().get(0).error()).contains("line 3");
        assertThat(new ModelRegistry(registry).versions("toy")).isEmpty();
        await("the failed run in /metrics", Duration.ofSeconds(10), () -> scrape().contains(
                "graft_runs_total{outcome=\"failure\",route=\"csv-drop\"} 1.0"));
        assertThat(scrape()).contains("graft_drops_quarantined_total{route=\"csv-drop\"} 1.0");
        assertThat(registry.resolve("runs/" + finishedRuns().get(0).id() + "/report.html")).content()
                .contains("status failed").contains("line 3");
    }

    @Test
    void twentyMixedDropsInQuickSuccessionGiveExactlyTwentyRuns() throws Exception {
        List<String> good = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String name = "drop-" + i + ".csv";
            if (i % 3 == 2) {
                drop(inbox, name, "label,a\n0,x\n");
                bad.add(name);
            } else {
                drop(inbox, name, csv(60, i, false));
                good.add(name);
            }
        }
        await("20 finished runs", Duration.ofSeconds(240), () -> finishedRuns().size() >= 20);
        Thread.sleep(1500); // a 21st run would show up here
        assertThat(service.runs().list(1000)).hasSize(20);
        assertThat(finishedRuns()).filteredOn(r -> r.status().equals("succeeded")).hasSize(good.size());
        assertThat(finishedRuns()).filteredOn(r -> r.status().equals("failed")).hasSize(bad.size());
        await("every file moved", Duration.ofSeconds(10), () -> {
            try {
                return names(inbox.resolve(".done")).containsAll(good)
                        && names(inbox.resolve(".failed")).containsAll(bad);
            } catch (IOException e) {
                return false;
            }
        });
        assertThat(names(inbox)).containsOnly(".done", ".failed");
        assertThat(new ModelRegistry(registry).versions("toy")).hasSize(good.size());
    }

    @Test
    void theRunTriggerRefusesAMissingOrWrongTokenAndStartsARunWithTheRightOne() throws Exception {
        assertThat(http("POST", uri("/routes/csv-drop/runs"), null, null).statusCode()).isEqualTo(401);
        assertThat(http("POST", uri("/routes/csv-drop/runs"), null, "wrong").statusCode()).isEqualTo(401);
        assertThat(http("POST", uri("/routes/nope/runs"), null, TOKEN).statusCode()).isEqualTo(404);
        HttpResponse<String> started = http("POST", uri("/routes/csv-drop/runs"), null, TOKEN);
        assertThat(started.statusCode()).isEqualTo(202);
        String runId = JSON.readTree(started.body()).get("runId").asText();
        // the route reads its trigger file, which an HTTP run does not have: a clear failure, recorded
        await("the HTTP run", Duration.ofSeconds(30), () -> service.runs().get(runId)
                .map(r -> !r.status().equals("running")).orElse(false));
        RunRecord run = service.runs().get(runId).orElseThrow();
        assertThat(run.trigger()).isEqualTo("http");
        assertThat(run.route()).isEqualTo("csv-drop");
        assertThat(run.error()).contains("source 'trigger' but the route has no trigger file");
        HttpResponse<String> one = http("GET", uri("/runs/" + runId), null, null);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.body()).contains(runId);
        assertThat(http("GET", uri("/runs/unknown"), null, null).statusCode()).isEqualTo(404);
        assertThat(http("GET", uri("/health"), null, null).body()).contains("\"UP\"").contains("csv-drop");
    }

    @Test
    void listensOnLoopbackOnlyByDefault() {
        assertThat(service.address().getAddress().isLoopbackAddress()).isTrue();
        assertThat(new picocli.CommandLine(new dev.graft.cli.GraftCli()).getSubcommands().get("serve")
                .getCommandSpec().findOption("--host").defaultValue()).isEqualTo("127.0.0.1");
    }

    @Test
    void promoteAndRollbackChangeWhatPredictAnswersWithoutAFailedRequest() throws Exception {
        drop(inbox, "v1.csv", csv(200, 1, false));
        await("v1", Duration.ofSeconds(60), () -> finishedRuns().size() == 1);
        drop(inbox, "v2.csv", csv(200, 5, false));
        await("v2", Duration.ofSeconds(60), () -> finishedRuns().size() == 2);
        ModelRegistry models = new ModelRegistry(registry);
        assertThat(models.versions("toy")).containsExactly(1, 2);
        String body = "{\"instances\": [[0.5, 1.0, 1.5, 2.0], [-0.5, -1.0, -1.5, -2.0]]}";

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger answers = new AtomicInteger();
        java.util.Set<Integer> versionsSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Thread client = new Thread(() -> {
            while (running.get()) {
                try {
                    HttpResponse<String> r = http("POST", uri("/models/toy/predict"), body, null);
                    if (r.statusCode() != 200) {
                        failures.incrementAndGet();
                    } else {
                        versionsSeen.add(JSON.readTree(r.body()).get("version").asInt());
                        answers.incrementAndGet();
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                }
            }
        });
        client.start();
        int champion = models.aliases("toy").get("champion");
        int other = champion == 1 ? 2 : 1;
        await("answers from the champion", Duration.ofSeconds(20), () -> answers.get() > 5);
        models.promote("toy", "champion", other);
        await("the promoted version answering", Duration.ofSeconds(20), () -> versionsSeen.contains(other));
        models.rollback("toy", "champion");
        int afterRollback = answers.get();
        await("answers after the rollback", Duration.ofSeconds(20), () -> answers.get() > afterRollback + 5);
        running.set(false);
        client.join();
        assertThat(failures.get()).isZero();
        assertThat(versionsSeen).containsExactlyInAnyOrder(1, 2);
        HttpResponse<String> last = http("POST", uri("/models/toy/predict"), body, null);
        assertThat(JSON.readTree(last.body()).get("version").asInt()).isEqualTo(champion);
        assertThat(JSON.readTree(last.body()).get("predictions").get(0).get("label").asText()).isIn("0", "1");
    }
}
