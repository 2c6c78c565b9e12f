package dev.graft.service;

import static dev.graft.service.ServeFixtures.await;
import static dev.graft.service.ServeFixtures.csv;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.engine.StepRegistry;
import dev.graft.modelio.ModelFiles;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two routes with different seeds training at the same time in one {@code graft serve} each publish exactly the
 * model they publish alone: each run's random generator is its own and seeded from its own options.
 */
class ConcurrentRoutesTest {

    /** Route a featurizes once and trains a head with dropout; route b trains the whole network with dropout. */
    private static final Map<String, String> ROUTES = Map.of(
            "a", """
                    - to: graft:create-model?architecture=mlp&seed=1
                    - to: graft:freeze-layers?names=dense1,dense2
                    - to: graft:build-head?from=dense2&layers=dense(16,relu),dropout(0.5),output(2,softmax)
                    - to: graft:together
                    - to: graft:train?epochs=4&batchSize=16&learningRate=0.01&seed=7""",
            "b", """
                    - to: graft:create-model?architecture=mlp&seed=2
                    - to: graft:build-head?from=dense1&layers=dropout(0.3),dense(16,relu),output(2,softmax)
                    - to: graft:together
                    - to: graft:train?epochs=4&batchSize=16&learningRate=0.01&seed=8""");

    @TempDir
    Path dir;

    /** Set while several routes run: each run waits there for the others, so that their train steps run at once. */
    private static volatile CyclicBarrier together;

    /** A step that waits until every route's run has reached it, when a test asks. */
    private static final Step TOGETHER = ServeFixtures.testStep("together", "Waits for the other routes' runs to "
            + "reach this step too, when a test asks (tests only).", context -> {
                CyclicBarrier b = together;
                if (b != null) {
                    b.await(60, TimeUnit.SECONDS);
                }
            });

    /** Serves the given routes, drops the same data into each inbox at once, and returns each published model. */
    private Map<String, ComputationGraph> serve(String phase, List<String> routes) throws IOException {
        Path root = Files.createDirectories(dir.resolve(phase));
        Path routeDir = Files.createDirectories(root.resolve("routes"));
        Path registry = root.resolve("registry");
        for (String r : routes) {
            Path inbox = Files.createDirectories(root.resolve("inbox-" + r));
            Files.writeString(routeDir.resolve(r + ".yaml"), ServeFixtures.dropRoute("route-" + r, inbox, """
                    - to: graft:fetch-dataset?source=trigger&format=csv&scale=1&testFraction=0.25
                    %s
                    - to: graft:evaluate
                    - to: graft:publish?registry=%s&name=model-%s
                    """.formatted(ROUTES.get(r), registry, r)));
        }
        List<Step> steps = new ArrayList<>(StepRegistry.discover().steps());
        steps.add(TOGETHER);
        together = routes.size() > 1 ? new CyclicBarrier(routes.size()) : null;
        Map<String, ComputationGraph> published = new java.util.HashMap<>();
        try (GraftService service = new GraftService(new GraftService.Settings(routeDir, registry, root.resolve("state"),
                "127.0.0.1", 0, "tok", Duration.ofSeconds(20), StepRegistry.of(steps), Map.of()))) {
            service.start();
            List<Path> staged = new ArrayList<>();
            for (String r : routes) {
                staged.add(Files.writeString(root.resolve(r + ".tmp"), csv(160, 5, false)));
            }
            for (int i = 0; i < routes.size(); i++) { // the drops land together
                Files.move(staged.get(i), root.resolve("inbox-" + routes.get(i)).resolve("data.csv"));
            }
            ModelRegistry models = new ModelRegistry(registry);
            await("every route's run", Duration.ofSeconds(120), () -> service.runs().list(10).size() == routes.size()
                    && service.runs().list(10).stream().noneMatch(run -> run.status().equals("running")));
            assertThat(service.runs().list(10)).as("the runs").allSatisfy(run ->
                    assertThat(run.status()).as(run.error()).isEqualTo("succeeded"));
            for (String r : routes) {
                published.put(r, ModelFiles.load(models.resolve("model-" + r, "1").orElseThrow().modelFile()));
            }
        } finally {
            together = null;
        }
        return published;
    }

    private static float[] params(ComputationGraph graph) {
        return graph.params().data().asFloat();
    }

    @Test
    void twoRoutesWithDifferentSeedsTrainingAtOnceEachPublishExactlyWhatTheyPublishAlone() throws Exception {
        ComputationGraph aloneA = serve("alone-a", List.of("a")).get("a");
        ComputationGraph aloneB = serve("alone-b", List.of("b")).get("b");
        for (ComputationGraph alone : List.of(aloneA, aloneB)) { // so that the generator matters while training
            assertThat(alone.getLayers()).as("a dropout layer").anySatisfy(l ->
                    assertThat(l.conf().getLayer()).isInstanceOf(DropoutLayer.class));
        }
        assertThat(params(serve("again-a", List.of("a")).get("a"))).as("route a alone, again").containsExactly(params(aloneA));

        Map<String, ComputationGraph> together = serve("together", List.of("a", "b"));
        assertThat(params(together.get("a"))).as("route a, trained at the same time as route b")
                .containsExactly(params(aloneA));
        assertThat(params(together.get("b"))).as("route b, trained at the same time as route a")
                .containsExactly(params(aloneB));
    }
}
