package dev.graft.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.registry.ModelRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The registry over HTTP after two real retraining runs: versions, search, artifacts, edits with the token. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryHttpTest {

    private static final String TOKEN = "t0ken";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path dir;
    private Path registry;
    private GraftService service;

    @BeforeAll
    void twoRuns() throws Exception {
        dir = Files.createTempDirectory("graft-registry-http");
        registry = dir.resolve("registry");
        service = ServeFixtures.withTwoVersions(dir, TOKEN, 2, 160, 2, Duration.ofSeconds(60));
    }

    @AfterAll
    void stop() throws IOException {
        service.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private HttpResponse<String> call(String method, String path, String token) throws Exception {
        return ServeFixtures.http(method, URI.create("http://127.0.0.1:" + service.address().getPort() + path), null,
                token);
    }

    private JsonNode json(String path) throws Exception {
        HttpResponse<String> r = call("GET", path, null);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private int champion() {
        return new ModelRegistry(registry).aliases("toy").get("champion");
    }

    @Test
    void runsEmbedTheirStepsAsJsonNotAsAString() throws Exception {
        JsonNode run = json("/runs").get(0);
        assertThat(run.has("stepsJson")).isFalse();
        assertThat(run.get("steps").isArray()).isTrue();
        assertThat(run.get("steps").get(0).get("seconds").isNumber()).isTrue();
    }

    @Test
    void editsNeedTheTokenAndTagsDescriptionsAndSearchWorkWithIt() throws Exception {
        String tags = "/models/toy/versions/1/tags?add=nightly,fashion";
        assertThat(call("POST", tags, null).statusCode()).isEqualTo(401);
        assertThat(call("POST", tags, "wrong").statusCode()).isEqualTo(401);
        assertThat(new ModelRegistry(registry).version("toy", 1).tags()).isEmpty();
        assertThat(call("POST", tags, TOKEN).statusCode()).isEqualTo(200);
        HttpResponse<String> described = call("POST", "/models/toy/versions/1/description?text=%3Cb%3Ebold%3C%2Fb%3E",
                TOKEN);
        assertThat(described.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(described.body()).get("description").asText()).isEqualTo("<b>bold</b>");
        assertThat(json("/versions?tag=nightly")).extracting(v -> v.get("version").asInt()).containsExactly(1);
        assertThat(json("/versions?metric=accuracy%3E%3D0").size()).isEqualTo(2);
        assertThat(json("/versions?alias=champion")).extracting(v -> v.get("version").asInt())
                .containsExactly(champion());
        assertThat(call("GET", "/versions?metric=accuracy=%3E1", null).statusCode()).isEqualTo(400);
        assertThat(call("POST", "/models/toy/versions/1/tags?add=..%2Fx", TOKEN).statusCode()).isEqualTo(400);
        String page = call("GET", "/ui/models/toy/versions/1", null).body();
        assertThat(page).contains("&lt;b&gt;bold&lt;/b&gt;").doesNotContain("<b>bold</b>");
    }

    @Test
    void theChampionIsNeverDeletedNorArchivedAndPromoteAndRollbackMoveIt() throws Exception {
        int champion = champion();
        assertThat(call("DELETE", "/models/toy/versions/" + champion, null).statusCode()).isEqualTo(401);
        HttpResponse<String> refused = call("DELETE", "/models/toy/versions/" + champion, TOKEN);
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.body()).contains("aliases [champion] point to it");
        assertThat(call("POST", "/models/toy/versions/" + champion + "/archive", TOKEN).statusCode()).isEqualTo(409);
        assertThat(new ModelRegistry(registry).versions("toy")).contains(champion);
        int other = champion == 1 ? 2 : 1;
        assertThat(call("POST", "/models/toy/aliases/staging?version=" + other, null).statusCode()).isEqualTo(401);
        assertThat(call("POST", "/models/toy/aliases/staging?version=" + other, TOKEN).statusCode()).isEqualTo(200);
        assertThat(new ModelRegistry(registry).aliases("toy")).containsEntry("staging", other);
        assertThat(call("POST", "/models/toy/aliases/staging?version=" + champion, TOKEN).statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(call("POST", "/models/toy/aliases/staging/rollback", TOKEN).body())
                .get("version").asInt()).isEqualTo(other);
        assertThat(call("POST", "/models/toy/aliases/staging?version=99", TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void artifactsDownloadAndNothingElseDoes() throws Exception {
        HttpResponse<String> meta = call("GET", "/models/toy/versions/1/metadata.json", null);
        assertThat(meta.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(meta.body()).get("name").asText()).isEqualTo("toy");
        HttpResponse<String> zip = call("GET", "/models/toy/versions/1/model.zip", null);
        assertThat(zip.statusCode()).isEqualTo(200);
        assertThat(zip.headers().firstValue("Content-Disposition")).contains("attachment; filename=\"toy-v1.zip\"");
        assertThat(zip.headers().firstValue("Content-Type")).contains("application/zip");
        HttpResponse<String> report = call("GET", "/models/toy/versions/1/report.html", null);
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.headers().firstValue("Content-Security-Policy")).isPresent();
        String runId = new ModelRegistry(registry).version("toy", 1).runId();
        assertThat(call("GET", "/runs/" + runId + "/report.html", null).body()).isEqualTo(report.body());
        assertThat(call("GET", "/models/toy/versions/1", null).body()).as("paths shown relative, as /runs shows them")
                .contains("csv-drop.yaml").doesNotContain(dir.toString());
        assertThat(call("GET", "/ui/models/toy/versions/1", null).body()).doesNotContain(dir.toString());
        assertThat(call("GET", "/models/toy/versions/1/aliases.json", null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/models/toy/versions/7/model.zip", null).statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/models/toy/versions/1/..%2f..%2faliases.json", "/models/toy/versions/%2e%2e/model.zip",
        "/models/%2e%2e/versions/1/model.zip", "/models/toy/versions/-1/model.zip", "/models/toy/versions/1x",
        "/ui/models/%2e%2e", "/runs/..%2F/report.html"})
    void pathsThatLeaveTheRegistryAreRefused(String path) throws Exception {
        assertThat(call("GET", path, null).statusCode()).as(path).isEqualTo(400);
    }

    @Test
    void consolePagesRenderAndTheOpenApiDocumentIsServed() throws Exception {
        for (String page : List.of("/", "/ui/models/toy", "/ui/models/toy/versions/2", "/ui/runs",
                "/ui/runs?outcome=succeeded&trigger=file", "/ui/compare?model=toy&v=1&v=2", "/ui/console.js",
                "/ui/console.css")) {
            HttpResponse<String> r = call("GET", page, null);
            assertThat(r.statusCode()).as(page + ": " + r.body()).isEqualTo(200);
        }
        assertThat(call("GET", "/ui/compare?model=toy&v=1&v=2", null).body()).contains("<svg", "Difference v2");
        assertThat(call("GET", "/ui/runs?outcome=nonsense", null).statusCode()).isEqualTo(400);
        assertThat(json("/openapi.json").get("openapi").asText()).startsWith("3.");
    }
}
