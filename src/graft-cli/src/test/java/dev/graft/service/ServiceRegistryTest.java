package dev.graft.service;

import static dev.graft.service.ServeFixtures.http;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.registry.ModelRegistry;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `graft serve` does with the registry it finds: stale staging cleaned, a broken model isolated. */
class ServiceRegistryTest {

    @TempDir
    Path dir;

    @Test
    void startCleansStaleStagingAndGetModelsListsTheOthersWhenOneAliasesFileIsTruncated() throws Exception {
        Path registry = dir.resolve("registry");
        ModelRegistry models = new ModelRegistry(registry);
        models.publish("good", f -> Files.writeString(f, "1"), Map.of(), List.of("champion"));
        models.publish("broken", f -> Files.writeString(f, "1"), Map.of(), List.of("champion"));
        Files.writeString(registry.resolve("broken/aliases.json"), "{\"champion\": ");
        Path stale = Files.createDirectories(registry.resolve("good/.staging-left-by-a-kill"));
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        GraftService service = new GraftService(new GraftService.Settings(ServeFixtures.route(dir, inbox, registry, 3),
                registry, dir.resolve("state"), "127.0.0.1", 0, null, Duration.ofSeconds(5),
                dev.graft.engine.StepRegistry.discover(), Map.of()));
        service.start();
        try {
            assertThat(stale).doesNotExist();
            HttpResponse<String> r = http("GET", URI.create("http://127.0.0.1:" + service.address().getPort()
                    + "/models"), null, null);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode list = new ObjectMapper().readTree(r.body());
            assertThat(list).hasSize(2);
            assertThat(list.get(0).get("name").asText()).isEqualTo("broken");
            assertThat(list.get(0).get("error").asText()).contains(registry.resolve("broken/aliases.json").toString());
            assertThat(list.get(1).get("aliases").get("champion").asInt()).isEqualTo(1);
        } finally {
            service.close();
        }
    }
}
