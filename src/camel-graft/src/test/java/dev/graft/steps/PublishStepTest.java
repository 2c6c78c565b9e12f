package dev.graft.steps;

import dev.graft.training.fastpath.LocalTraining;
import dev.graft.engine.RunState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.data.Sha256;
import dev.graft.engine.StepRegistry;
import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.HeadLayer;
import dev.graft.modelio.ModelFiles;
import dev.graft.testing.TinyNets;
import dev.graft.training.Trainer;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.RunContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

class PublishStepTest {

    @TempDir
    Path registry;

    @Test
    void aPublishedModelReloadsWithIdenticalPredictionsAndItsFrozenLayoutInMetadata() throws Exception {
        // batch norm inside the frozen part: the case DL4J's own transfer helpers get wrong after a save
        ComputationGraph frozen = GraphSurgery.freeze(TinyNets.withBatchNorm(4), List.of("conv1", "bn1", "pool1"));
        ComputationGraph headed = GraphSurgery.withHead(frozen, List.of("dense1"),
                HeadLayer.parseAll("dense(8,relu),output(3,softmax)"), TinyNets.INPUT, 3, 9);
        ComputationGraph trained = LocalTraining.train(headed, TinyNets.splits(60, 30, 3),
                new Trainer.Settings(1, 16, new Adam(1e-2), 5, true), (r, e) -> { }).model();
        RunContext context = new RunState("run-1", "route-1", null, null);
        context.setModel(trained);
        StepRegistry.discover().configure("publish", Map.of("registry", registry.toString(), "name", "tiny"))
                .run(context);

        ModelRegistry models = new ModelRegistry(registry);
        ModelRegistry.ResolvedModel published = models.resolve("tiny", "latest").orElseThrow();
        ComputationGraph reloaded = ModelFiles.load(published.modelFile());
        INDArray x = TinyNets.images(20, 3, 8).features();
        assertThat(reloaded.outputSingle(x)).isEqualTo(trained.outputSingle(x));
        assertThat(reloaded.params()).isEqualTo(trained.params());
        assertThat(GraphSurgery.frozenLayers(reloaded)).containsExactly("conv1", "bn1", "pool1");

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) models.metadata("tiny", published.version())
                .get("layers");
        assertThat(layers).extracting(l -> l.get("name")).containsExactly("conv1", "bn1", "pool1", "dense1",
                "head-1-dense", "head-output");
        assertThat(layers).extracting(l -> l.get("frozen")).containsExactly(true, true, true, false, false, false);
        assertThat(layers).extracting(l -> ((Number) l.get("params")).longValue())
                .containsExactly(40L, 16L, 0L, 36 * 16 + 16L, 16 * 8 + 8L, 8 * 3 + 3L); // pool1: 4 channels x 3 x 3
    }

    @Test
    void recordsTheTagsAndDescriptionGivenAndRefusesBadTags() throws Exception {
        RunContext context = new RunState("run-1", "route-1", null, null);
        context.setModel(TinyNets.vectorBlock(4, 1));
        StepRegistry.discover().configure("publish", Map.of("registry", registry.toString(), "name", "tiny",
                "tags", "nightly, fashion", "description", "first try")).run(context);
        var version = new ModelRegistry(registry).version("tiny", 1);
        assertThat(version.tags()).containsExactly("nightly", "fashion");
        assertThat(version.description()).isEqualTo("first try");
        assertThatThrownBy(() -> StepRegistry.discover().configure("publish", Map.of("registry", registry.toString(),
                "name", "tiny", "tags", "ok,../bad"))).hasMessageContaining("tags").hasMessageContaining("../bad");
    }

    private static void publish(RunContext context, Path registry) {
        try {
            StepRegistry.discover().configure("publish", Map.of("registry", registry.toString(), "name", "tiny",
                    "alias", "champion")).run(context);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aRunOfTheSameDropAfterACrashAdoptsTheVersionItsInterruptedRunPublished(@TempDir Path inbox) throws Exception {
        Path drop = Files.writeString(inbox.resolve("drop.csv"), "label,a\n0,1\n");
        ComputationGraph model = TinyNets.vectorBlock(4, 1);
        RunContext interrupted = new RunState("run-1", "retrain", null, drop);
        interrupted.setModel(model);
        publish(interrupted, registry);
        RunContext rerun = new RunState("run-2", "retrain", null, drop);
        rerun.setModel(TinyNets.vectorBlock(4, 2));
        publish(rerun, registry);

        ModelRegistry models = new ModelRegistry(registry);
        assertThat(models.versions("tiny")).containsExactly(1);
        assertThat(rerun.published().orElseThrow().adopted()).isTrue();
        assertThat(rerun.published().orElseThrow().version()).isEqualTo(1);
        assertThat(models.aliases("tiny")).containsEntry("champion", 1);
        assertThat(models.metadata("tiny", 1).get("publish")).isEqualTo(Map.of("runId", "run-1", "routeId", "retrain",
                "dropSha256", Sha256.ofFile(drop), "aliases", List.of("champion")));
        // the model of the first run, not the re-run's
        assertThat(ModelFiles.load(models.resolve("tiny", "1").orElseThrow().modelFile()).params())
                .isEqualTo(model.params());

        // another drop through the same route is a new version; so is the same drop through another route
        RunContext other = new RunState("run-3", "retrain", null, Files.writeString(inbox.resolve("b.csv"), "x"));
        other.setModel(model);
        publish(other, registry);
        RunContext elsewhere = new RunState("run-4", "another-route", null, drop);
        elsewhere.setModel(model);
        publish(elsewhere, registry);
        assertThat(models.versions("tiny")).containsExactly(1, 2, 3);
    }

    @Test
    void aPublishOntoAFullDiskFailsTheStepAndLeavesNoVersion() throws Exception {
        ModelRegistry models = new ModelRegistry(registry);
        models.publish("tiny", f -> Files.writeString(f, "v1"), Map.of(), List.of("champion"));
        RunContext context = new RunState("run-1", "route-1", null, null);
        context.setModel(TinyNets.vectorBlock(4, 1));
        // a file where the staging folder's parent should be: every write of the publish fails
        Path blocked = registry.resolve("blocked");
        Files.writeString(blocked, "not a folder");
        assertThatThrownBy(() -> StepRegistry.discover().configure("publish", Map.of("registry", blocked.toString(),
                "name", "tiny")).run(context)).isInstanceOf(java.io.IOException.class);
        assertThat(context.published()).isEmpty();
        assertThat(models.versions("tiny")).containsExactly(1);
    }

    @Test
    void refusesAModelNameThatIsNotOneWhenTheRouteStarts() {
        assertThatThrownBy(() -> StepRegistry.discover().configure("publish", Map.of("registry", registry.toString(),
                "name", "..")))
                .hasMessageContaining("'..'");
    }
}
