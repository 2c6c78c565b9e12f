package dev.graft.service;

import static dev.graft.service.ServeFixtures.await;
import static dev.graft.service.ServeFixtures.drop;
import static dev.graft.service.ServeFixtures.http;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.engine.StepRegistry;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** While a served run trains, its status over HTTP and its console page say which epoch and batch it is at. */
class ServiceProgressTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aRunningRunsStatusShowsItsEpochBatchAndEta() throws Exception {
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Path routes = Files.createDirectories(dir.resolve("routes"));
        // LeNet from scratch on the embedded sample: DL4J fits batch by batch, a few seconds an epoch
        Files.writeString(routes.resolve("slow.yaml"), ServeFixtures.dropRoute("slow", inbox, """
                - to: graft:fetch-dataset?classes=0-4&trainLimit=1000&testLimit=100
                - to: graft:create-model?architecture=lenet&seed=3
                - to: graft:train?epochs=2&batchSize=16
                - to: graft:evaluate
                """));
        try (GraftService service = new GraftService(new GraftService.Settings(routes, dir.resolve("registry"),
                dir.resolve("state"), "127.0.0.1", 0, null, Duration.ofSeconds(20), StepRegistry.discover(), Map.of()))) {
            service.start();
            URI runs = URI.create("http://127.0.0.1:" + service.address().getPort() + "/runs");
            drop(inbox, "go.csv", "anything\n");

            JsonNode[] seen = new JsonNode[1];
            await("a running run with progress", Duration.ofSeconds(120), () -> {
                JsonNode run = firstRun(runs);
                JsonNode p = run == null ? null : run.get("progress");
                if (p != null && p.get("phase").asText().equals("train") && p.get("batch").asInt() > 0
                        && p.get("batch").asInt() < p.get("batches").asInt()) {
                    seen[0] = run;
                    return true;
                }
                return false;
            });
            JsonNode run = seen[0];
            JsonNode p = run.get("progress");
            assertThat(run.get("status").asText()).isEqualTo("running");
            assertThat(p.get("epoch").asInt()).isBetween(1, 2);
            assertThat(p.get("epochs").asInt()).isEqualTo(2);
            assertThat(p.get("batches").asInt()).isEqualTo(63);
            assertThat(p.get("etaSeconds").asDouble()).isPositive();
            assertThat(p.get("loss").asDouble()).isPositive();

            HttpResponse<String> page = http("GET", runs.resolve("/ui/runs/" + run.get("id").asText()), null, null);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).containsPattern("train epoch [12]/2 · batch \\d+/63 · ETA \\d+ s · loss \\d\\.\\d{4}");

            await("the run finished", Duration.ofSeconds(180), () -> !firstRun(runs).get("status").asText()
                    .equals("running"));
            assertThat(firstRun(runs).get("status").asText()).isEqualTo("succeeded");
            assertThat(firstRun(runs).has("progress")).as("a finished run has no progress").isFalse();
        }
    }

    private static JsonNode firstRun(URI runs) {
        try {
            HttpResponse<String> response = http("GET", runs, null, null);
            JsonNode list = JSON.readTree(response.body());
            return list.size() == 0 ? null : list.get(0);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
