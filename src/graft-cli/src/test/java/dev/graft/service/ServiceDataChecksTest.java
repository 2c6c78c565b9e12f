package dev.graft.service;

import static dev.graft.service.ServeFixtures.await;
import static dev.graft.service.ServeFixtures.http;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.TinyRoutes;
import dev.graft.engine.StepRegistry;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** validate-data's checks of a passing and of a warning run, served: in the run history and on GET /runs/{id}. */
class ServiceDataChecksTest {

    private static final String TOKEN = "checks-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aPassingAndAWarningRunKeepEachCheckWithItsVerdictInTheRunRecord() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Path registry = dir.resolve("registry");
        TinyRoutes.sampleRoute(routes, "champion", registry, "sample", 1);
        TinyRoutes.directRoute(routes, "same", """
                - to: graft:fetch-dataset?classes=0-2&trainLimit=300&testLimit=150&seed=99
                - to: graft:validate-data?reference=sample&registry=%s
                - to: graft:create-model?architecture=mlp
                - to: graft:train?epochs=1&batchSize=32
                - to: graft:evaluate
                - to: graft:publish?registry=%s&name=checked
                """.formatted(registry, registry));
        TinyRoutes.directRoute(routes, "skewed", """
                - to: graft:fetch-dataset?classes=0-2&trainLimit=300&limitSample=first
                - to: graft:validate-data?reference=sample&registry=%s&maxClassLinf=0.001&onDrift=warn
                """.formatted(registry));
        try (GraftService service = new GraftService(new GraftService.Settings(routes, registry, dir.resolve("state"),
                "127.0.0.1", 0, TOKEN, Duration.ofSeconds(20), StepRegistry.discover(), Map.of()))) {
            service.start();
            RunRecord champion = run(service, "champion");
            assertThat(champion.status()).isEqualTo("succeeded");
            assertThat(champion.dataChecksJson()).as("no validate-data step").isNull();

            RunRecord same = run(service, "same");
            assertThat(same.status()).isEqualTo("succeeded");
            JsonNode checks = JSON.readTree(same.dataChecksJson());
            assertThat(names(checks)).containsExactly("schema", "class-linf", "class-js", "pixel-psi", "embedding-mmd");
            assertThat(checks.findValuesAsText("verdict")).containsOnly("PASSED");
            assertThat(checks.get(1).path("threshold").asDouble()).isEqualTo(0.1);
            assertThat(checks.get(1).path("reason").asText()).startsWith("largest class share difference");

            // the console's version page shows the profile the version learnt from and the checks its data passed
            String page = http("GET", uri(service, "/ui/models/checked/versions/1"), null, null).body();
            assertThat(page).contains("<h2>Data checks</h2>").contains("<table id=\"data-checks\">")
                    .contains("<td>embedding-mmd</td>").contains("<td>PASSED</td>").doesNotContain("<td>FAILED</td>");
            assertThat(page).contains("<h2>Data profile</h2>").contains("<table id=\"data-profile\">")
                    .contains("examples of shape [1, 28, 28]").contains("classes T-shirt/top, Trouser, Pullover");
            assertThat(page).containsPattern("<td>train</td><td>\\d+</td><td>\\[\\d+, \\d+, \\d+\\]</td>");
            String championPage = http("GET", uri(service, "/ui/models/sample/versions/1"), null, null).body();
            assertThat(championPage).contains("<h2>Data profile</h2>").doesNotContain("<h2>Data checks</h2>");

            RunRecord skewed = run(service, "skewed");
            assertThat(skewed.status()).isEqualTo("succeeded"); // onDrift=warn
            JsonNode warned = JSON.readTree(http("GET", uri(service, "/runs/" + skewed.id()), null, null).body())
                    .path("dataChecks");
            assertThat(names(warned)).containsExactly("schema", "class-linf", "class-js", "pixel-psi", "embedding-mmd");
            assertThat(warned.get(1).path("verdict").asText()).isEqualTo("FAILED");
            assertThat(warned.get(1).path("statistic").asDouble()).isGreaterThan(0.001);
            assertThat(warned.get(1).path("reason").asText()).contains("> 0.001000");
            assertThat(warned.get(0).path("verdict").asText()).isEqualTo("PASSED");
        }
        // the history outlives the service: a new store on the same file reads the checks back
        RunStore reopened = new RunStore(dir.resolve("state").resolve("runs.db"));
        assertThat(reopened.list(10)).filteredOn(r -> r.route().equals("skewed")).singleElement()
                .satisfies(r -> assertThat(r.dataChecksJson()).contains("\"check\":\"class-linf\""));
    }

    private static RunRecord run(GraftService service, String route) throws Exception {
        String runId = JSON.readTree(http("POST", uri(service, "/routes/" + route + "/runs"), null, TOKEN).body())
                .path("runId").asText();
        await("run of " + route, Duration.ofSeconds(120), () -> service.runs().get(runId)
                .map(r -> !r.status().equals("running")).orElse(false));
        return service.runs().get(runId).orElseThrow();
    }

    private static URI uri(GraftService service, String path) {
        return URI.create("http://127.0.0.1:" + service.address().getPort() + path);
    }

    private static List<String> names(JsonNode checks) {
        List<String> out = new ArrayList<>();
        checks.forEach(c -> out.add(c.path("check").asText()));
        return out;
    }
}
