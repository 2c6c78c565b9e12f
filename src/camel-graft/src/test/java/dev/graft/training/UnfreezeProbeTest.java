package dev.graft.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataSplits;
import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.HeadLayer;
import dev.graft.testing.TinyNets;
import dev.graft.training.fastpath.LocalTraining;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

class UnfreezeProbeTest {

    private static final Trainer.Settings SHORT = new Trainer.Settings(2, 16, new Adam(3e-3), 9, true);

    /** A LeNet-like backbone frozen up to dense1 under a new 3-class head: the first phase of a two-phase route. */
    private static ComputationGraph firstPhase() {
        ComputationGraph graph = GraphSurgery.freeze(TinyNets.lenetLike(3),
                List.of("conv1", "pool1", "conv2", "dense1"));
        return GraphSurgery.withHead(graph, List.of("dense1"), HeadLayer.parseAll("output(3,softmax)"),
                TinyNets.INPUT, 3, 11);
    }

    private static Trainer.Result fineTune(ComputationGraph m, DataSplits d) {
        return LocalTraining.train(m, d, SHORT, (record, epochs) -> { });
    }

    @Test
    void defaultCandidatesReachEachFrozenLayerWithParametersFromTheTop() {
        ComputationGraph model = firstPhase();
        List<String> layers = GraphSurgery.layerNames(model);
        List<Integer> candidates = UnfreezeProbe.defaultCandidates(model);
        assertThat(candidates.get(0)).isZero();
        assertThat(candidates).isSorted().doesNotHaveDuplicates().hasSizeGreaterThan(2);
        for (int top : candidates.subList(1, candidates.size())) {
            String lowest = layers.get(layers.size() - top); // the lowest layer the candidate reopens
            assertThat(GraphSurgery.isFrozen(model, lowest)).as(lowest).isTrue();
            assertThat(GraphSurgery.paramCount(model, lowest)).as(lowest).isPositive();
        }
    }

    @Test
    void choosesTheCandidateWithTheBestValidationAccuracyAndRecordsTheTable() {
        DataSplits data = TinyNets.splitsWithValidation(240, 60, 30, 3);
        ComputationGraph model = firstPhase();
        INDArray before = model.params().dup();
        List<Integer> candidates = UnfreezeProbe.defaultCandidates(model);
        List<String> lines = new ArrayList<>();
        UnfreezeProbe.Result r = UnfreezeProbe.probe("unfreeze-layers", model, candidates, data,
                Duration.ofMinutes(5), 2, UnfreezeProbeTest::fineTune, lines::add);
        assertThat(r.rows()).extracting(UnfreezeProbe.Row::top).containsExactlyElementsOf(candidates);
        assertThat(r.rows()).allMatch(row -> row.status() == UnfreezeProbe.Status.TRIED);
        double best = r.rows().stream().mapToDouble(UnfreezeProbe.Row::validationAccuracy).max().orElseThrow();
        UnfreezeProbe.Row chosen = r.rows().stream().filter(row -> row.top() == r.chosen()).findFirst().orElseThrow();
        assertThat(chosen.validationAccuracy()).isEqualTo(best);
        // a tie goes to the first listed
        assertThat(r.rows().stream().filter(row -> row.validationAccuracy() == best).findFirst().orElseThrow().top())
                .isEqualTo(r.chosen());
        // more layers reopened, more parameters trained
        assertThat(r.rows()).extracting(UnfreezeProbe.Row::trainableParams).isSorted();
        assertThat(r.rows().get(r.rows().size() - 1).trainableParams())
                .isGreaterThan(r.rows().get(0).trainableParams());
        assertThat(lines).hasSize(candidates.size());
        assertThat(model.params()).isEqualTo(before); // every candidate starts from the same weights
        assertThat(r.toJson()).containsEntry("chosen", r.chosen()).containsKey("candidates");
    }

    @Test
    void aCandidatesFigureIsThatOfTheSameShortFineTuneRunAlone() {
        DataSplits data = TinyNets.splitsWithValidation(240, 60, 30, 3);
        ComputationGraph model = firstPhase();
        UnfreezeProbe.Result r = UnfreezeProbe.probe("unfreeze-layers", model, List.of(0, 4), data,
                Duration.ofMinutes(5), 2, UnfreezeProbeTest::fineTune, line -> { });
        Trainer.Result alone = fineTune(UnfreezeProbe.reopen("unfreeze-layers", model, 4), data);
        assertThat(r.rows().get(1).validationAccuracy())
                .isEqualTo(alone.history().epochs().get(1).validationAccuracy());
    }

    @Test
    void candidatesPastTheBudgetAreListedAsSkipped() {
        DataSplits data = TinyNets.splitsWithValidation(120, 30, 30, 3);
        UnfreezeProbe.Result r = UnfreezeProbe.probe("unfreeze-layers", firstPhase(), List.of(2, 0, 4), data,
                Duration.ofMillis(1), 2, UnfreezeProbeTest::fineTune, line -> { });
        assertThat(r.rows()).extracting(UnfreezeProbe.Row::status).containsExactly(UnfreezeProbe.Status.TRIED,
                UnfreezeProbe.Status.SKIPPED, UnfreezeProbe.Status.SKIPPED);
        assertThat(r.rows().get(1).note()).contains("autoBudget");
        assertThat(r.chosen()).isEqualTo(2); // the only one tried
    }

    @Test
    void aCountPastTheLayersIsRefusedNamingTheOption() {
        ComputationGraph model = firstPhase();
        int layers = GraphSurgery.layerNames(model).size();
        assertThatThrownBy(() -> UnfreezeProbe.reopen("unfreeze-layers", model, layers + 1))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("candidates")
                .hasMessageContaining(String.valueOf(layers));
    }
}
