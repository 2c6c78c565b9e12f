package dev.graft.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.metrics.GraftMeters;
import dev.graft.surgery.GraphSurgery;
import dev.graft.modelio.ModelFiles;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import dev.graft.spi.MissingInputException;
import dev.graft.spi.RunContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real route files from routes/, loaded through a real CamelContext and run on the embedded sample. */
class RouteRunTest {

    @TempDir
    static Path registry;

    private static Map<String, String> props() {
        return Map.of("graft.registry", registry.toString(), "graft.pretrainEpochs", "1", "graft.trainLimit", "600",
                "graft.headEpochs", "10", "graft.fineTuneEpochs", "2", "graft.scratchEpochs", "1");
    }

    @BeforeAll
    static void pretrainBackbone() {
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), props())) {
            engine.load(Path.of("routes/pretrain-backbone.yaml"));
            engine.prepareRunOnce();
            RunContext run = engine.runOnce("pretrain-backbone");
            assertThat(run.published()).isPresent();
        }
    }

    @Test
    void theTransferRouteFromRoutesTrainsAndPublishesWithMetadata() throws IOException {
        RunContext run;
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), props())) {
            assertThat(engine.load(Path.of("routes/fashion-transfer.yaml"))).containsExactly("fashion-transfer");
            engine.prepareRunOnce();
            run = engine.runOnce("fashion-transfer");
            var meters = engine.metrics().registry();
            assertThat(meters.get(GraftMeters.FEATURIZE_CACHE).tags("route", "fashion-transfer", "outcome", "miss")
                    .counter().count()).as("featurize-once computed the frozen features").isEqualTo(1);
            assertThat(meters.get(GraftMeters.FEATURIZE_CACHE).tags("outcome", "hit").counter().count()).isZero();
            assertThat(meters.get(GraftMeters.CHAMPION_ACCURACY).tags("model", "fashion-5-9").gauge().value())
                    .isEqualTo(run.evaluation().orElseThrow().accuracy());
        }
        assertThat(run.data().orElseThrow().train().size()).isEqualTo(600);
        assertThat(run.data().orElseThrow().classNames()).containsExactly("Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
        assertThat(run.history().orElseThrow().featurized()).isTrue();
        assertThat(run.evaluation().orElseThrow().accuracy()).isGreaterThan(0.7);
        assertThat(run.timings()).extracting(RunContext.StepTiming::step).containsExactly("fetch-dataset",
                "load-backbone", "freeze-layers", "build-head", "train", "evaluate", "publish");

        ModelRegistry models = new ModelRegistry(registry);
        ModelRegistry.ResolvedModel published = models.resolve("fashion-5-9", "champion").orElseThrow();
        Map<String, Object> meta = models.metadata("fashion-5-9", published.version());
        assertThat(meta).containsKeys("metrics", "verdict", "dataset", "backbone", "steps", "versions", "layers");
        assertThat(meta.get("routeFile").toString()).endsWith("fashion-transfer.yaml");
        assertThat(((Map<?, ?>) meta.get("backbone")).get("sha256").toString()).hasSize(64);
        assertThat(run.report()).contains(published.directory().resolve("report.html"));
        assertThat(Files.readString(published.directory().resolve("report.html")))
                .contains("id=\"loss-chart\" data-points=\"5\"").contains(meta.get("runId").toString());

        ComputationGraph reloaded = ModelFiles.load(published.modelFile());
        ComputationGraph backbone = ModelFiles.load(models.resolve("lenet-fashion-0-4", "champion").orElseThrow().modelFile());
        assertThat(GraphSurgery.frozenLayers(reloaded)).containsExactly("conv1", "pool1", "conv2");
        assertThat(reloaded.getLayer("conv1").params()).isEqualTo(backbone.getLayer("conv1").params());
        assertThat(reloaded.getLayer("conv2").params()).isEqualTo(backbone.getLayer("conv2").params());
        assertThat(reloaded.getLayer("dense1").params()).isNotEqualTo(backbone.getLayer("dense1").params());
    }

    private static RunContext run(String file, String routeId) {
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), props())) {
            assertThat(engine.load(Path.of("routes/" + file))).containsExactly(routeId);
            engine.prepareRunOnce();
            return engine.runOnce(routeId);
        }
    }

    @Test
    void theTwoPhaseRouteTrainsAFrozenHeadThenFineTunesTheTopOfTheBackbone() throws IOException {
        RunContext run = run("two-phase-fine-tune.yaml", "two-phase-fine-tune");
        assertThat(run.timings()).extracting(RunContext.StepTiming::step).containsExactly("fetch-dataset",
                "load-backbone", "freeze-layers", "build-head", "train", "unfreeze-layers", "train", "evaluate",
                "publish");
        assertThat(run.data().orElseThrow().validation().size()).isEqualTo(60);
        assertThat(run.histories()).hasSize(2);
        assertThat(run.histories().get(0).featurized()).isTrue();
        assertThat(run.histories().get(0).epochs()).extracting(e -> e.learningRate()).containsOnly(3e-3);
        assertThat(run.histories().get(1).epochs().get(0).learningRate()).isEqualTo(3e-4);
        assertThat(run.evaluation().orElseThrow().accuracy()).isGreaterThan(0.7);

        ModelRegistry models = new ModelRegistry(registry);
        ModelRegistry.ResolvedModel published = models.resolve("fashion-5-9-two-phase", "champion").orElseThrow();
        ComputationGraph reloaded = ModelFiles.load(published.modelFile());
        ComputationGraph backbone = ModelFiles.load(models.resolve("lenet-fashion-0-4", "champion").orElseThrow().modelFile());
        assertThat(GraphSurgery.frozenLayers(reloaded)).containsExactly("conv1", "pool1");
        assertThat(reloaded.getLayer("conv1").params()).isEqualTo(backbone.getLayer("conv1").params());
        assertThat(reloaded.getLayer("conv2").params()).isNotEqualTo(backbone.getLayer("conv2").params());
        Map<String, Object> meta = models.metadata("fashion-5-9-two-phase", published.version());
        assertThat((java.util.List<?>) meta.get("trainingPhases")).hasSize(2);
        // the path each phase took, in metadata.json: the small head in SIMD Java, then the top of the CNN by fit
        assertThat(((Map<?, ?>) ((java.util.List<?>) meta.get("trainingPhases")).get(0)).get("path")).isEqualTo(Map.of(
                "engine", "local", "loop", "SmallHeadLoop", "kernels", "vector", "featurized", true,
                "featureCache", "NONE", "nativeHelpers", true));
        assertThat((Map<Object, Object>) ((Map<?, ?>) meta.get("training")).get("path")).containsEntry("loop", "fit")
                .containsEntry("kernels", null).containsEntry("featurized", true).containsEntry("nativeHelpers", true);
    }

    @Test
    void theFeatureExtractionRouteMergesTwoLayerOutputsIntoOneHead() {
        RunContext run = run("feature-extraction-merged.yaml", "feature-extraction-merged");
        ComputationGraph model = run.model().orElseThrow();
        assertThat(GraphSurgery.frozenLayers(model)).containsExactly("conv1", "pool1", "conv2", "pool2", "dense1");
        assertThat(model.getConfiguration().getVertexInputs().get("head-merge")).containsExactly("pool2-avgpool", "dense1");
        assertThat(model.getLayer("head-1-dense").params().length()).isEqualTo((50 + 500) * 128 + 128);
        assertThat(run.history().orElseThrow().featurized()).isTrue();
        assertThat(run.evaluation().orElseThrow().accuracy()).isGreaterThan(0.7);
    }

    @Test
    void theFromScratchBaselineTrainsTheSameCnnWithoutABackbone() throws IOException {
        RunContext run = run("from-scratch-baseline.yaml", "from-scratch-baseline");
        assertThat(GraphSurgery.layerNames(run.model().orElseThrow()))
                .containsExactly("conv1", "pool1", "conv2", "pool2", "dense1", "output");
        assertThat(GraphSurgery.frozenLayers(run.model().orElseThrow())).isEmpty();
        assertThat(run.data().orElseThrow().train().size()).isEqualTo(600);
        assertThat(run.published()).isPresent();
        var published = run.published().orElseThrow();
        Map<String, Object> meta = new ModelRegistry(registry).metadata(published.name(), published.version());
        assertThat((Map<Object, Object>) ((Map<?, ?>) meta.get("training")).get("path")).as("the whole CNN trained by fit")
                .containsEntry("engine", "local").containsEntry("loop", "fit").containsEntry("kernels", null)
                .containsEntry("featurized", false).containsEntry("featureCache", "NONE")
                .containsEntry("nativeHelpers", true);
    }

    @Test
    void thePluginsDemoRouteMixesPluginsWithCamelEipsAndPostsTheSummary() throws Exception {
        java.util.concurrent.BlockingQueue<String> received = new java.util.concurrent.LinkedBlockingQueue<>();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    + "|" + exchange.getRequestHeaders().getFirst("Content-Type"));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        RunContext run;
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(Path.of("plugins")), Map.of(
                "graft.registry", registry.toString(), "graft.trainLimit", "300",
                "graft.webhook", "http://127.0.0.1:" + server.getAddress().getPort() + "/hook"))) {
            engine.load(Path.of("routes/plugins-demo.yaml"));
            engine.prepareRunOnce();
            run = engine.runOnce("plugins-demo");
        } finally {
            server.stop(0);
        }
        assertThat(run.data().orElseThrow().train().size()).isEqualTo(600);
        String[] message = received.poll(5, java.util.concurrent.TimeUnit.SECONDS).split("\\|");
        assertThat(message[1]).isEqualTo("application/json");
        Map<?, ?> json = new com.fasterxml.jackson.databind.ObjectMapper().readValue(message[0], Map.class);
        assertThat(json.get("routeId")).isEqualTo("plugins-demo");
        assertThat(json.get("runId")).isEqualTo(run.runId());
        assertThat(((Map<?, ?>) json.get("verdict")).get("outcome")).isEqualTo(run.evaluation().orElseThrow().verdict().outcome().name());
        assertThat((Double) ((Map<?, ?>) json.get("metrics")).get("accuracy")).isEqualTo(run.evaluation().orElseThrow().accuracy());
        assertThat(((Map<?, ?>) json.get("model")).get("name")).isEqualTo("fashion-5-9-augmented");
        assertThat(((Map<?, ?>) json.get("model")).get("version")).isEqualTo(run.published().orElseThrow().version());
        // the Camel file component wrote the verdict line built from Graft's headers
        String line = Files.readString(registry.resolve("verdicts").resolve(run.runId() + ".txt"));
        assertThat(line).startsWith("fashion-5-9-augmented v" + run.published().orElseThrow().version() + " "
                + run.evaluation().orElseThrow().verdict().outcome());
    }

    @Test
    void unknownLayerFailsTheRunAndPublishesNothing(@TempDir Path dir) throws IOException {
        Path route = Files.writeString(dir.resolve("bad-layer.yaml"), """
                - route:
                    id: bad-layer
                    from:
                      uri: direct:bad-layer
                      steps:
                        - to: graft:fetch-dataset?classes=5-9&trainLimit=100&testLimit=100
                        - to: graft:load-backbone?source=registry:lenet-fashion-0-4&registry=%s
                        - to: graft:freeze-layers?names=conv6
                        - to: graft:publish?registry=%s&name=never
                """.formatted(registry, registry));
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of("graft.reports", dir.resolve("reports").toString()))) {
            engine.load(route);
            engine.prepareRunOnce();
            assertThatThrownBy(() -> engine.runOnce("bad-layer")).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("freeze-layers: unknown layer 'conv6'; expected one of [conv1, pool1, conv2, "
                            + "pool2, dense1, output]");
        }
        assertThat(new ModelRegistry(registry).versions("never")).isEmpty();
    }

    @Test
    void corruptDataFailsTheRunAndPublishesNothing(@TempDir Path dir) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.write(data.resolve("train-images-idx3-ubyte"), new byte[] {0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2});
        Files.write(data.resolve("train-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 10, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0});
        Path route = Files.writeString(dir.resolve("corrupt.yaml"), """
                - route:
                    id: corrupt
                    from:
                      uri: direct:corrupt
                      steps:
                        - to: graft:fetch-dataset?source=%s
                        - to: graft:create-model
                        - to: graft:publish?registry=%s&name=never
                """.formatted(data, registry));
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of("graft.reports", dir.resolve("reports").toString()))) {
            engine.load(route);
            engine.prepareRunOnce();
            assertThatThrownBy(() -> engine.runOnce("corrupt")).isInstanceOf(DataException.class)
                    .hasMessageContaining("train-images-idx3-ubyte");
        }
        assertThat(new ModelRegistry(registry).versions("never")).isEmpty();
    }

    @Test
    void aStepWhoseInputIsMissingNamesTheStepThatMustComeFirst(@TempDir Path dir) throws IOException {
        Path route = Files.writeString(dir.resolve("order.yaml"), """
                - route:
                    id: order
                    from:
                      uri: direct:order
                      steps:
                        - to: graft:train
                """);
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of("graft.reports", dir.resolve("reports").toString()))) {
            engine.load(route);
            engine.prepareRunOnce();
            assertThatThrownBy(() -> engine.runOnce("order")).isInstanceOf(MissingInputException.class)
                    .hasMessageContaining("train: no data set in this run; expected step 'fetch-dataset' to run before 'train'");
        }
    }

    @Test
    void badOptionsFailWhenTheRouteLoadsBeforeAnyTraining(@TempDir Path dir) throws IOException {
        Path route = Files.writeString(dir.resolve("typo.yaml"), """
                - route:
                    id: typo
                    from:
                      uri: direct:typo
                      steps:
                        - to: graft:fetch-dataset
                        - to: graft:train?epochz=3
                """);
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of("graft.reports", dir.resolve("reports").toString()))) {
            assertThatThrownBy(() -> engine.load(route)).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining(route + ":7: train: unknown option 'epochz'");
        }
    }
}
