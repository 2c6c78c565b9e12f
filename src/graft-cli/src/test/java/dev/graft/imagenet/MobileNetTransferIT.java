package dev.graft.imagenet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.engine.GraftEngine;
import dev.graft.engine.StepRegistry;
import dev.graft.service.GraftService;
import dev.graft.spi.LabeledSet;
import dev.graft.spi.RunContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The end-to-end check: {@code routes/mobilenet-transfer.yaml} fine-tunes the imported ImageNet MobileNetV2
 * (nsfwjs 4.4.0, fetched by the profile) on a colour JPEG class folder (Fashion-MNIST 5-9 at 96x96 RGB, written by
 * {@code scripts/make-fashion-rgb.py}), evaluates on all 5,000 test images, publishes a version whose metadata.json
 * holds the input contract, and {@code graft serve}'s {@code POST /models/{name}/predict} given test JPEGs as they
 * are on disk answers the class evaluate's forward pass gave each. Run with {@code mvn -B verify -Pimagenet}.
 */
class MobileNetTransferIT {

    private static final String MODEL = "fashion-rgb-mobilenet";
    /** Every this-many-th test image (in the reader's sorted order) is also sent to /predict: 20 of 5,000. */
    private static final int PREDICT_STRIDE = 250;

    @TempDir
    Path dir;

    @Test
    void fineTunesTheImportedMobileNetOnColourJpegsAndPredictAnswersWhatEvaluateGave() throws Exception {
        Path backbone = ImagenetModels.MOBILENET_V2.modelJson();
        assertThat(backbone).as("MobileNetV2; fetch it with scripts/fetch-imagenet-models.sh").exists();
        Path photos = Path.of("target/fashion-rgb");
        makePhotos(photos);
        Path registry = dir.resolve("registry");

        RunContext run;
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of("graft.photos", photos.toString(),
                "graft.backbone", backbone.toString(), "graft.registry", registry.toString()))) {
            engine.load(Path.of("routes/mobilenet-transfer.yaml"));
            engine.prepareRunOnce();
            run = engine.runOnce("mobilenet-transfer");
        }
        LabeledSet test = run.data().orElseThrow().test();
        assertThat(run.data().orElseThrow().train().size()).isEqualTo(2000);
        assertThat(test.size()).isEqualTo(5000);
        double accuracy = run.evaluation().orElseThrow().accuracy();
        System.out.printf("MobileNetV2 frozen-feature transfer: test accuracy %.4f on 5000 images of classes 5-9%n",
                accuracy);
        assertThat(accuracy).isGreaterThanOrEqualTo(0.85);

        Path version = run.published().orElseThrow().directory();
        JsonNode input = new ObjectMapper().readTree(version.resolve("metadata.json").toFile()).path("input");
        assertThat(input.path("shape").toString()).isEqualTo("[3,96,96]");
        assertThat(input.path("channels").asInt()).isEqualTo(3);
        assertThat(input.path("preprocess").path("name").asText()).isEqualTo("tf");
        assertThat(input.path("classNames").toString())
                .isEqualTo("[\"ankle-boot\",\"bag\",\"sandal\",\"shirt\",\"sneaker\"]");

        List<Path> files = testFilesInReaderOrder(photos.resolve("test"));
        assertThat(files).hasSize(5000);
        List<Integer> picked = new ArrayList<>();
        for (int i = 0; i < files.size(); i += PREDICT_STRIDE) {
            picked.add(i);
        }
        int[] evaluated = classes(run.model().orElseThrow(), test, picked);
        try (GraftService service = serve(registry)) {
            for (int k = 0; k < picked.size(); k++) {
                Path jpeg = files.get(picked.get(k));
                JsonNode answer = predictJpeg(service, jpeg);
                assertThat(answer.path("predictions").get(0).path("class").asInt())
                        .as("/predict on %s against evaluate's class", jpeg).isEqualTo(evaluated[k]);
            }
        }
    }

    /** The classes the trained model's forward pass gives the chosen test examples, as evaluate computes them. */
    private static int[] classes(ComputationGraph model, LabeledSet test, List<Integer> rows) {
        INDArray x = Nd4j.pullRows(test.features().reshape(test.size(), -1), 1,
                rows.stream().mapToInt(Integer::intValue).toArray()).reshape(rows.size(), 3, 96, 96);
        return model.outputSingle(false, x).argMax(1).toIntVector();
    }

    /** The test JPEGs in the order fetch-dataset reads them: class folders, then files, by sorted name. */
    private static List<Path> testFilesInReaderOrder(Path test) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> classes = Files.list(test)) {
            for (Path folder : classes.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> images = Files.list(folder)) {
                    images.sorted().forEach(files::add);
                }
            }
        }
        return files;
    }

    private static void makePhotos(Path photos) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/usr/bin/python3", "scripts/make-fashion-rgb.py", photos.toString())
                .inheritIO().start();
        assertThat(p.waitFor()).as("scripts/make-fashion-rgb.py (needs python3-pil, dataset-fashion-mnist)")
                .isZero();
    }

    private GraftService serve(Path registry) throws IOException {
        // serve wants a route; an idle one keeps the check to the model server
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("idle.yaml"), """
                - route:
                    id: idle
                    from:
                      uri: direct:idle
                      steps:
                        - log: idle
                """);
        GraftService service = new GraftService(new GraftService.Settings(routes, registry, dir.resolve("state"),
                "127.0.0.1", 0, "token", Duration.ofSeconds(20), StepRegistry.discover(), Map.of()));
        service.start();
        return service;
    }

    private static JsonNode predictJpeg(GraftService service, Path jpeg) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + service.address().getPort() + "/models/" + MODEL + "/predict");
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                .header("Content-Type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofFile(jpeg)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("/predict on %s: %s", jpeg, answer.body()).isEqualTo(200);
        return new ObjectMapper().readTree(answer.body());
    }
}
