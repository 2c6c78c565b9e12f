package dev.graft.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.TinyRoutes;
import dev.graft.engine.GraftEngine;
import dev.graft.engine.StepRegistry;
import dev.graft.metrics.GraftMeters;
import dev.graft.metrics.MetricsServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The files in monitoring/ against a real scrape of Graft's /metrics after a small route ran: every metric the
 * dashboard and the alerts query exists, and the catalogue in monitoring/README.md matches the meters.
 */
class MonitoringFilesTest {

    private static final Path MONITORING = Path.of("monitoring");
    /** A metric name in a PromQL expression: every name the files use has one of these prefixes. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:graft|camel|jvm|process|system)_[a-z0-9_]+)\\b");

    @TempDir
    static Path dir;

    private static String scrape;
    private static Set<String> scraped;

    @BeforeAll
    static void scrapeGraftAfterASmallRoute() throws Exception {
        Path route = TinyRoutes.sampleRoute(dir, "scraped", dir.resolve("registry"), "scraped-model", 2);
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(),
                Map.of("graft.registry", dir.resolve("registry").toString()));
             MetricsServer server = MetricsServer.start(engine.metrics().prometheusRegistry().orElseThrow(),
                     "127.0.0.1", 0)) {
            engine.load(route);
            engine.prepareRunOnce();
            engine.runOnce("scraped");
            // the GC meters appear at the first collection, reported asynchronously
            System.gc();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (engine.metrics().registry().find("jvm.gc.pause").timer() == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.metricsUri()).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
        scraped = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                scraped.add(line.split("[{ ]", 2)[0]);
            }
        }
    }

    private static Set<String> metricNames(String expression) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = METRIC.matcher(expression);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static List<String> dashboardExpressions(JsonNode dashboard) {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                exprs.add(target.get("expr").asText());
            }
        }
        return exprs;
    }

    @Test
    void everyMetricTheDashboardQueriesIsInARealScrape() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve("grafana/dashboards/graft.json").toFile());
        List<String> exprs = dashboardExpressions(dashboard);
        Set<String> used = new TreeSet<>();
        exprs.forEach(e -> used.addAll(metricNames(e)));

        assertThat(exprs).hasSizeGreaterThan(30);
        assertThat(used).hasSizeGreaterThan(30).allSatisfy(name -> assertThat(scraped).as("scraped metrics")
                .contains(name));
        for (JsonNode variable : dashboard.at("/templating/list")) {
            if (variable.get("type").asText().equals("query")) {
                assertThat(metricNames(variable.get("definition").asText())).isNotEmpty().allSatisfy(name ->
                        assertThat(scraped).contains(name));
            }
        }
    }

    /**
     * Every panel and query reads the data source variable {@code ${datasource}}; the variable's default is the
     * {@code __inputs} entry {@code DS_PROMETHEUS}, which Grafana's import replaces with a Prometheus the person
     * picks, and which a provisioned copy leaves unresolved, so Grafana takes the default data source: the provisioned
     * Prometheus, which must therefore be the default. (Changed deliberately from pinning the provisioned uid in
     * every panel, which broke the import into an existing Grafana.)
     */
    @Test
    void theDashboardReadsADataSourceVariableThatImportsIntoAnyGrafanaAndDefaultsToTheProvisionedOne()
            throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve("grafana/dashboards/graft.json").toFile());
        Map<String, Object> datasources = new Load(LoadSettings.builder().build()).loadFromString(
                Files.readString(MONITORING.resolve("grafana/provisioning/datasources/graft.yml"))) instanceof Map<?, ?> m
                ? castMap(m) : Map.of();
        Map<?, ?> provisioned = (Map<?, ?>) ((List<?>) datasources.get("datasources")).get(0);
        assertThat(provisioned.get("type")).isEqualTo("prometheus");
        assertThat(provisioned.get("isDefault")).isEqualTo(true);
        JsonNode input = dashboard.at("/__inputs/0");
        assertThat(dashboard.get("__inputs")).hasSize(1);
        assertThat(input.get("name").asText()).isEqualTo("DS_PROMETHEUS");
        assertThat(input.get("type").asText()).isEqualTo("datasource");
        assertThat(input.get("pluginId").asText()).isEqualTo("prometheus");
        JsonNode variable = dashboard.at("/templating/list/0");
        assertThat(variable.get("name").asText()).isEqualTo("datasource");
        assertThat(variable.get("type").asText()).isEqualTo("datasource");
        assertThat(variable.get("query").asText()).isEqualTo("prometheus");
        assertThat(variable.at("/current/value").asText()).isEqualTo("${DS_PROMETHEUS}");
        String uid = "${datasource}";
        assertThat(new ObjectMapper().writeValueAsString(dashboard)).doesNotContain(provisioned.get("uid").toString());
        for (JsonNode v : dashboard.at("/templating/list")) {
            if (v.get("type").asText().equals("query")) {
                assertThat(v.at("/datasource/uid").asText()).as(v.get("name").asText()).isEqualTo(uid);
            }
        }
        Set<String> ids = new HashSet<>();
        List<String> rows = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(ids.add(panel.get("id").asText())).as("unique panel id").isTrue();
            JsonNode grid = panel.get("gridPos");
            assertThat(grid.get("x").asInt() + grid.get("w").asInt()).isLessThanOrEqualTo(24);
            if (panel.get("type").asText().equals("row")) {
                rows.add(panel.get("title").asText());
                continue;
            }
            assertThat(panel.at("/datasource/uid").asText()).as(panel.get("title").asText()).isEqualTo(uid);
            for (JsonNode target : panel.get("targets")) {
                assertThat(target.at("/datasource/uid").asText()).isEqualTo(uid);
            }
        }
        assertThat(rows).containsExactly("Runs", "Steps", "Training", "Evaluation and champion", "Registry", "Data",
                "Camel and JVM", "Model $model");
        Set<String> used = new TreeSet<>();
        dashboardExpressions(dashboard).forEach(e -> used.addAll(metricNames(e)));
        assertThat(used).contains("graft_runs_total", "graft_step_duration_seconds_max", "graft_train_loss",
                "graft_train_accuracy", "graft_evaluation_accuracy", "graft_champion_accuracy",
                "graft_champion_version", "graft_champion_published_seconds");
    }

    @Test
    void theModelRowRepeatsForEachModelAndItsPanelsFilterByIt() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve("grafana/dashboards/graft.json").toFile());
        List<JsonNode> panels = new ArrayList<>();
        dashboard.get("panels").forEach(panels::add);
        int row = -1;
        for (int i = 0; i < panels.size(); i++) {
            if (panels.get(i).get("title").asText().equals("Model $model")) {
                row = i;
            }
        }
        assertThat(row).isPositive();
        assertThat(panels.get(row).get("repeat").asText()).isEqualTo("model");
        List<JsonNode> below = panels.subList(row + 1, panels.size());
        assertThat(below).hasSizeGreaterThanOrEqualTo(4).allSatisfy(p -> assertThat(p.at("/targets/0/expr").asText())
                .contains("model=~\"$model\""));
        assertThat(dashboard.at("/templating/list")).anySatisfy(v -> assertThat(v.get("name").asText())
                .isEqualTo("model"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    @Test
    void everyMetricTheAlertsQueryIsInARealScrape() throws IOException {
        Map<String, Object> rules = castMap((Map<?, ?>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(MONITORING.resolve("alerts.yml"))));
        List<String> alerts = new ArrayList<>();
        Set<String> used = new TreeSet<>();
        for (Object group : (List<?>) rules.get("groups")) {
            for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
                alerts.add(((Map<?, ?>) rule).get("alert").toString());
                used.addAll(metricNames(((Map<?, ?>) rule).get("expr").toString()));
            }
        }
        assertThat(alerts).containsExactly("GraftRunFailed", "GraftNoSuccessfulRetrain", "GraftChallengerBelowChampion",
                "GraftTrainingDiverged", "GraftDropQuarantined", "GraftDataDrift");
        assertThat(used).contains("graft_drops_quarantined_total", "graft_train_diverged_total", "graft_drift_watch_drifted")
                .allSatisfy(name -> assertThat(scraped).contains(name));
    }

    @Test
    void theReadmeCatalogueListsEveryMeterAndOnlyScrapedSeries() throws IOException {
        String readme = Files.readString(MONITORING.resolve("README.md"));
        for (String name : GraftMeters.ALL) {
            assertThat(readme).contains("| `" + name + "` |");
        }
        Matcher series = Pattern.compile("`(graft_[a-z0-9_]+)`").matcher(readme);
        int checked = 0;
        while (series.find()) {
            assertThat(scraped).contains(series.group(1));
            checked++;
        }
        // a gauge that only a step sets (the drift statistics) is written "graft_x (after a <step>)": not in this scrape
        Matcher later = Pattern.compile("\\| (graft_[a-z0-9_]+) \\(after a [a-z-]+\\) \\|").matcher(readme);
        while (later.find()) {
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(GraftMeters.ALL.size());
    }

    @Test
    void graftSeriesCarryOnlyTheCatalogueTags() {
        Pattern label = Pattern.compile("([a-zA-Z_]+)=\"");
        for (String line : scrape.split("\n")) {
            if (line.startsWith("graft_") && line.contains("{")) {
                Matcher m = label.matcher(line.substring(line.indexOf('{'), line.lastIndexOf('}')));
                while (m.find()) {
                    assertThat(m.group(1)).as(line).isIn(GraftMeters.ROUTE, GraftMeters.STEP, GraftMeters.OUTCOME,
                            GraftMeters.MODEL);
                }
            }
        }
        assertThat(scrape).contains("graft_train_loss{route=\"scraped\"}")
                .contains("graft_champion_version{model=\"scraped-model\",route=\"scraped\"} 1.0");
    }
}
