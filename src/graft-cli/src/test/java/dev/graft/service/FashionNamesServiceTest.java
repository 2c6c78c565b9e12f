package dev.graft.service;

import static dev.graft.service.ServeFixtures.await;
import static dev.graft.service.ServeFixtures.drop;
import static dev.graft.service.ServeFixtures.http;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.engine.StepRegistry;
import dev.graft.registry.ModelRegistry;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A served Fashion route (classes 5-9 of the embedded sample, as the demo) retrained twice: Fashion-MNIST's class
 * names are in metadata.json, the input contract, the report (per-class table against the champion, confusion
 * matrix), /predict answers and the console; version 2's report links to version 1's, both as files and over HTTP.
 */
class FashionNamesServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> NAMES = List.of("Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    @TempDir
    Path dir;

    @Test
    void classNamesAndTheLinkToThePreviousReportReachEveryPage() throws Exception {
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Path registry = dir.resolve("registry");
        Files.writeString(routes.resolve("fashion.yaml"), ServeFixtures.dropRoute("fashion", inbox, """
                - to: graft:fetch-dataset?classes=5-9&trainLimit=500&testLimit=250
                - to: graft:create-model?architecture=mlp&seed=5
                - to: graft:train?epochs=1&batchSize=32
                - to: graft:evaluate?champion=fashion-names&registry=%s
                - to: graft:publish?registry=%s&name=fashion-names&alias=champion
                """.formatted(registry, registry)));
        try (GraftService service = new GraftService(new GraftService.Settings(routes, registry, dir.resolve("state"),
                "127.0.0.1", 0, null, Duration.ofSeconds(20), StepRegistry.discover(), Map.of()))) {
            service.start();
            URI base = URI.create("http://127.0.0.1:" + service.address().getPort() + "/");
            drop(inbox, "monday.csv", "a\n");
            await("v1", Duration.ofSeconds(120), () -> new ModelRegistry(registry).versions("fashion-names").size() == 1);
            drop(inbox, "tuesday.csv", "b\n");
            await("v2", Duration.ofSeconds(120), () -> new ModelRegistry(registry).versions("fashion-names").size() == 2);
            await("both runs recorded", Duration.ofSeconds(20), () -> service.runs().list(10).stream()
                    .filter(r -> r.status().equals("succeeded")).count() == 2);

            JsonNode metadata = JSON.readTree(registry.resolve("fashion-names/versions/2/metadata.json").toFile());
            assertThat(strings(metadata.at("/dataset/classes"))).isEqualTo(NAMES);
            assertThat(strings(metadata.findValue("classNames"))).isEqualTo(NAMES);

            HttpResponse<String> report = http("GET", base.resolve("models/fashion-names/versions/2/report.html"), null, null);
            assertThat(report.statusCode()).isEqualTo(200);
            assertThat(report.body()).contains("<h2>Against the champion</h2>").contains("<tr><th>Ankle boot</th>")
                    .contains("<th>champion F1</th>");
            Matcher href = Pattern.compile("<a id=\"previous-report\" href=\"([^\"]+)\">").matcher(report.body());
            assertThat(href.find()).isTrue();
            assertThat(href.group(1)).isEqualTo("../1/report.html");
            URI previous = base.resolve("models/fashion-names/versions/2/report.html").resolve(href.group(1));
            assertThat(previous.getPath()).isEqualTo("/models/fashion-names/versions/1/report.html");
            HttpResponse<String> first = http("GET", previous, null, null);
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.body()).contains("This is the first version of fashion-names");
            assertThat(registry.resolve("fashion-names/versions/2").resolve(href.group(1)).normalize()).exists();

            String zeros = String.join(",", Collections.nCopies(784, "0"));
            HttpResponse<String> predicted = http("POST", base.resolve("models/fashion-names/predict"),
                    "{\"instances\": [[" + zeros + "]]}", null);
            assertThat(predicted.statusCode()).as(predicted.body()).isEqualTo(200);
            assertThat(JSON.readTree(predicted.body()).findValue("label").asText()).isIn(NAMES);

            HttpResponse<String> page = http("GET", base.resolve("ui/models/fashion-names/versions/2"), null, null);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("Sandal").contains("Ankle boot");
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
