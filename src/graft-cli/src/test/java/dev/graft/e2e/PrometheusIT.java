package dev.graft.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.TinyRoutes;
import dev.graft.engine.StepRegistry;
import dev.graft.service.GraftService;
import dev.graft.service.ServeFixtures;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A real Prometheus (Debian package prometheus) scrapes {@code graft run --metrics-port} while a small route
 * trains, evaluates and publishes, then answers queries over its HTTP API with Graft's training and evaluation
 * series; promtool accepts the shipped config and rules and passes the alert tests. Run with
 * {@code mvn -B verify -Pmonitoring}.
 */
class PrometheusIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final int EPOCHS = 4;

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Path tool(String property, String fallback) {
        Path path = Path.of(System.getProperty(property, fallback));
        assertThat(Files.isExecutable(path)).as(path + " (install it with: apt-get install -y prometheus)").isTrue();
        return path;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Process start(Path log, String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    private static String run(Path log, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The result vector of an instant query: each sample's labels and value. */
    private static List<JsonNode> query(int port, String promql) throws IOException, InterruptedException {
        HttpResponse<String> response = get("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("status").asText()).isEqualTo("success");
        List<JsonNode> samples = new ArrayList<>();
        body.at("/data/result").forEach(samples::add);
        return samples;
    }

    private static double value(JsonNode sample) {
        return Double.parseDouble(sample.at("/value/1").asText());
    }

    private static double single(int port, String promql) throws IOException, InterruptedException {
        List<JsonNode> samples = query(port, promql);
        assertThat(samples).as(promql).hasSize(1);
        return value(samples.get(0));
    }

    /** The shipped monitoring/prometheus.yml, with a 1 s interval, the test's Graft port and absolute rule paths. */
    @SuppressWarnings("unchecked")
    private Path prometheusConfig(int graftPort) throws IOException {
        Map<String, Object> config = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(Path.of("monitoring/prometheus.yml")));
        Map<String, Object> global = (Map<String, Object>) config.get("global");
        global.put("scrape_interval", "1s");
        global.put("evaluation_interval", "1s");
        List<Object> rules = new ArrayList<>();
        for (Object rule : (List<Object>) config.get("rule_files")) {
            rules.add(Path.of("monitoring").resolve(rule.toString()).toAbsolutePath().toString());
        }
        config.put("rule_files", rules);
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) config.get("scrape_configs");
        assertThat(jobs).extracting(j -> j.get("job_name")).containsExactly("graft");
        Map<String, Object> target = new LinkedHashMap<>(((List<Map<String, Object>>) jobs.get(0)
                .get("static_configs")).get(0));
        target.put("targets", List.of("127.0.0.1:" + graftPort));
        jobs.get(0).put("static_configs", List.of(target));
        return Files.writeString(dir.resolve("prometheus.yml"),
                new Dump(DumpSettings.builder().build()).dumpToString(config));
    }

    @Test
    void promtoolAcceptsTheConfigAndRulesAndTheAlertTestsPass() throws Exception {
        Path promtool = tool("graft.promtool", "/usr/bin/promtool");
        System.out.println(run(dir.resolve("check-config.log"), promtool.toString(), "check", "config",
                "monitoring/prometheus.yml"));
        System.out.println(run(dir.resolve("check-rules.log"), promtool.toString(), "check", "rules",
                "monitoring/alerts.yml"));
        System.out.println(run(dir.resolve("test-rules.log"), promtool.toString(), "test", "rules",
                "monitoring/alerts_test.yml"));
    }

    @Test
    void prometheusScrapesTrainingAndEvaluationSeriesFromARunningGraft() throws Exception {
        Path prometheus = tool("graft.prometheus", "/usr/bin/prometheus");
        Path jar = Path.of("target/graft.jar");
        assertThat(jar).as("the packaged CLI; failsafe runs after mvn package").exists();
        int graftPort = freePort();
        int promPort = freePort();
        Path route = TinyRoutes.sampleRoute(dir, "scraped", dir.resolve("registry"), "scraped-model", EPOCHS);

        start(dir.resolve("prometheus.log"), prometheus.toString(),
                "--config.file=" + prometheusConfig(graftPort), "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + promPort, "--log.level=warn");
        awaitReady("http://127.0.0.1:" + promPort + "/-/ready", Duration.ofSeconds(60), dir.resolve("prometheus.log"));

        long started = System.nanoTime();
        Process graft = start(dir.resolve("graft.log"),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g", "-jar", jar.toString(),
                "run", route.toString(), "--metrics-port", String.valueOf(graftPort), "--linger", "120",
                "-p", "graft.registry=" + dir.resolve("registry"));

        double runs = awaitValue(promPort, "graft_runs_total{outcome=\"success\",route=\"scraped\"}", 1,
                Duration.ofSeconds(180), graft);
        double runSeconds = (System.nanoTime() - started) / 1e9;
        Thread.sleep(3000); // two more scrapes after the run ended: the lingering process serves the final values

        double up = single(promPort, "up{job=\"graft\"}");
        double loss = single(promPort, "graft_train_loss{route=\"scraped\"}");
        double trainAccuracy = single(promPort, "graft_train_accuracy{route=\"scraped\"}");
        double validationAccuracy = single(promPort, "graft_train_validation_accuracy{route=\"scraped\"}");
        double epoch = single(promPort, "graft_train_epoch{route=\"scraped\"}");
        double epochsTimed = single(promPort, "graft_train_epoch_duration_seconds_count{route=\"scraped\"}");
        double lossSamples = single(promPort, "count_over_time(graft_train_loss{route=\"scraped\"}[10m])");
        double lossChanges = single(promPort, "changes(graft_train_loss{route=\"scraped\"}[10m])");
        double evaluation = single(promPort, "graft_evaluation_accuracy{route=\"scraped\"}");
        double f1 = single(promPort, "graft_evaluation_f1{route=\"scraped\"}");
        double champion = single(promPort, "graft_champion_accuracy{route=\"scraped\",model=\"scraped-model\"}");
        double championVersion = single(promPort, "graft_champion_version{model=\"scraped-model\"}");
        double gap = single(promPort, "graft_champion_accuracy - ignoring(model) group_left graft_evaluation_accuracy");
        double trainSteps = single(promPort, "graft_step_duration_seconds_count{step=\"train\",outcome=\"success\"}");
        double trainSeconds = single(promPort, "graft_step_duration_seconds_sum{step=\"train\",outcome=\"success\"}");
        double verdicts = single(promPort, "graft_verdicts_total{outcome=\"passed\"}");
        double camelExchanges = single(promPort, "camel_exchanges_succeeded_total{eventType=\"route\",routeId=\"scraped\"}");
        double heap = single(promPort, "sum(jvm_memory_used_bytes{area=\"heap\"})");

        System.out.printf("""
                Prometheus IT: run finished after %.1f s; up %.0f; graft_runs_total{success} %.0f
                  training: loss %.4f (%.0f samples scraped, %.0f changes), train accuracy %.4f, validation accuracy %.4f, \
                epoch %.0f, %.0f epochs timed
                  evaluation: accuracy %.4f, F1 %.4f; champion accuracy %.4f (version %.0f), gap %.4f; \
                verdicts passed %.0f
                  steps: train %.0f x %.2f s; Camel exchanges %.0f; heap %.0f MB
                """, runSeconds, up, runs, loss, lossSamples, lossChanges, trainAccuracy, validationAccuracy, epoch, epochsTimed,
                evaluation, f1, champion, championVersion, gap, verdicts, trainSteps, trainSeconds, camelExchanges,
                heap / 1e6);

        assertThat(up).isEqualTo(1);
        assertThat(loss).isFinite().isGreaterThan(0);
        assertThat(trainAccuracy).isGreaterThan(0).isLessThanOrEqualTo(1);
        assertThat(validationAccuracy).isGreaterThan(0).isLessThanOrEqualTo(1);
        assertThat(epoch).isEqualTo(EPOCHS);
        assertThat(epochsTimed).isEqualTo(EPOCHS);
        assertThat(lossSamples).isGreaterThanOrEqualTo(2);
        assertThat(evaluation).isGreaterThan(0).isLessThanOrEqualTo(1);
        assertThat(f1).isGreaterThan(0).isLessThanOrEqualTo(1);
        assertThat(champion).isEqualTo(evaluation);
        assertThat(championVersion).isEqualTo(1);
        assertThat(gap).isZero();
        assertThat(trainSteps).isEqualTo(1);
        assertThat(trainSeconds).isGreaterThan(0);
        assertThat(verdicts).isEqualTo(1);
        assertThat(camelExchanges).isEqualTo(1);
        assertThat(heap).isGreaterThan(0);
        assertRulesLoadedAndHealthy(promPort);
        assertThat(graft.isAlive()).as("graft still lingering").isTrue();
        assertThat(Files.readString(dir.resolve("graft.log"))).contains("serving metrics at http://127.0.0.1:" + graftPort)
                .contains("graft: route scraped finished");
    }

    /**
     * {@code graft serve} with a file-drop route, scraped by a real Prometheus from before the drop: after exactly
     * one drop every dashboard query that should be non-zero is, because the counters and step timers it reads
     * started at 0 when the route loaded, so {@code increase()} sees the first event. The queries that must stay 0
     * after one good run (failures, divergence, quarantine, featurize-once, which this route does not use) are named.
     */
    @Test
    void afterExactlyOneDropEveryDashboardQueryThatShouldBeNonZeroIs() throws Exception {
        Path prometheus = tool("graft.prometheus", "/usr/bin/prometheus");
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Path registry = dir.resolve("registry");
        Files.writeString(routes.resolve("dropped.yaml"), ServeFixtures.dropRoute("dropped", inbox, """
                - to: graft:fetch-dataset?classes=0-2&trainLimit=300&testLimit=150&validation=0.2
                - to: graft:create-model?architecture=mlp
                - to: graft:train?epochs=%d&batchSize=32
                - to: graft:evaluate?gate=accuracy>=0.5
                - to: graft:publish?registry=%s&name=dropped-model&alias=champion
                """.formatted(EPOCHS, registry)));
        try (GraftService service = new GraftService(new GraftService.Settings(routes, registry, dir.resolve("state"),
                "127.0.0.1", 0, null, Duration.ofSeconds(20), StepRegistry.discover(), Map.of()))) {
            service.start();
            int graftPort = service.address().getPort();
            int promPort = freePort();
            start(dir.resolve("prometheus.log"), prometheus.toString(),
                    "--config.file=" + prometheusConfig(graftPort), "--storage.tsdb.path=" + dir.resolve("tsdb"),
                    "--web.listen-address=127.0.0.1:" + promPort, "--log.level=warn");
            awaitReady("http://127.0.0.1:" + promPort + "/-/ready", Duration.ofSeconds(60), dir.resolve("prometheus.log"));
            // Prometheus has the zeros before the drop: the first run is then an increase, not a new series
            awaitSeries(promPort, "graft_runs_total{route=\"dropped\",outcome=\"success\"} == 0");
            awaitSeries(promPort, "graft_step_duration_seconds_count{route=\"dropped\",step=\"train\",outcome=\"success\"} == 0");
            awaitSeries(promPort, "graft_publications_total{route=\"dropped\",model=\"dropped-model\",outcome=\"promoted\"} == 0");
            Path tmp = Files.writeString(dir.resolve("upload.tmp"), "go\n");
            Files.move(tmp, inbox.resolve("monday.csv"));
            awaitSeries(promPort, "graft_runs_total{route=\"dropped\",outcome=\"success\"} == 1");
            Thread.sleep(3000); // two more scrapes after the run

            JsonNode dashboard = JSON.readTree(Path.of("monitoring/grafana/dashboards/graft.json").toFile());
            Set<String> zeroAfterOneGoodRun = Set.of("Failed runs", "Step failures", "Diverged epochs",
                    "Quarantined drops", "Challenger minus champion", "Featurize cache", "Featurize time (longest, recent)",
                    "Data drift", "Prefetch queue depth");
            List<String> zero = new ArrayList<>();
            List<String> nonZero = new ArrayList<>();
            for (JsonNode panel : dashboard.get("panels")) {
                String title = panel.get("title").asText();
                for (JsonNode target : panel.path("targets")) {
                    String expr = target.get("expr").asText();
                    String promql = expr.replace("$__range", "10m").replace("$route", ".*").replace("$model", ".*");
                    boolean anyNonZero = query(promPort, promql).stream().anyMatch(v -> value(v) != 0 && !Double.isNaN(value(v)));
                    (anyNonZero ? nonZero : zero).add(title + ": " + expr);
                    boolean camelFailures = expr.contains("camel_exchanges_failed_total");
                    boolean gcIdle = expr.contains("jvm_gc_pause_seconds_sum"); // no collection in the last minute is fine
                    if (zeroAfterOneGoodRun.contains(title) || camelFailures) {
                        assertThat(anyNonZero).as(title + ": " + promql + " must be 0 after one good run").isFalse();
                    } else if (!gcIdle) {
                        assertThat(anyNonZero).as(title + ": " + promql + " must be non-zero after one run").isTrue();
                    }
                }
            }
            System.out.println("Prometheus IT (serve, one drop): " + nonZero.size() + " dashboard queries non-zero, "
                    + zero.size() + " zero: " + zero);
            assertThat(nonZero).hasSizeGreaterThan(30);
        }
    }

    private static void awaitSeries(int port, String promql) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            if (!query(port, promql).isEmpty()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Prometheus never saw " + promql);
    }

    private static void assertRulesLoadedAndHealthy(int port) throws IOException, InterruptedException {
        JsonNode rules = JSON.readTree(get("http://127.0.0.1:" + port + "/api/v1/rules").body());
        List<String> names = new ArrayList<>();
        for (JsonNode group : rules.at("/data/groups")) {
            for (JsonNode rule : group.get("rules")) {
                names.add(rule.get("name").asText());
                assertThat(rule.get("health").asText()).as(rule.toString()).isEqualTo("ok");
            }
        }
        assertThat(names).containsExactly("GraftRunFailed", "GraftNoSuccessfulRetrain", "GraftChallengerBelowChampion",
                "GraftTrainingDiverged", "GraftDropQuarantined", "GraftDataDrift");
        List<String> firing = new ArrayList<>();
        JSON.readTree(get("http://127.0.0.1:" + port + "/api/v1/alerts").body()).at("/data/alerts")
                .forEach(a -> firing.add(a.at("/labels/alertname").asText()));
        System.out.println("Prometheus IT: rules " + names + " healthy; alerts pending or firing: " + firing);
        assertThat(firing).as("a healthy run fires nothing").isEmpty();
    }

    private static void awaitReady(String url, Duration timeout, Path log) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (get(url).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError(url + " not ready after " + timeout + "; log:\n" + Files.readString(log));
    }

    private double awaitValue(int port, String promql, double expected, Duration timeout, Process graft)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<JsonNode> samples = query(port, promql);
            if (samples.size() == 1 && value(samples.get(0)) == expected) {
                return expected;
            }
            if (!graft.isAlive()) {
                throw new AssertionError("graft exited with " + graft.exitValue() + " before Prometheus saw " + promql
                        + "; log:\n" + Files.readString(dir.resolve("graft.log")));
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Prometheus never saw " + promql + " = " + expected + "; graft log:\n"
                + Files.readString(dir.resolve("graft.log")) + "\nprometheus log:\n"
                + Files.readString(dir.resolve("prometheus.log")));
    }
}
