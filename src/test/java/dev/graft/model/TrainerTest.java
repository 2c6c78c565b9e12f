package dev.graft.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.data.DataSplits;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;

class TrainerTest {

    private static final Trainer.Progress QUIET = (record, epochs) -> { };

    private static ComputationGraph frozenWithHead() {
        ComputationGraph graph = GraphSurgery.freeze(TinyNets.lenetLike(3), List.of("conv1", "pool1", "conv2"));
        return GraphSurgery.withHead(graph, List.of("dense1"), HeadLayer.parseAll("output(3,softmax)"),
                TinyNets.INPUT, 3, 11);
    }

    @Test
    void frozenParametersStayBitIdenticalAfterFit() {
        ComputationGraph model = frozenWithHead();
        DataSplits data = TinyNets.splits(96, 30, 3);
        Trainer.Result result = Trainer.train(model, data, new Trainer.Settings(2, 16, new Adam(1e-2), 5, false), QUIET);
        for (String frozen : List.of("conv1", "conv2")) {
            assertThat(result.model().getLayer(frozen).params()).isEqualTo(model.getLayer(frozen).params());
        }
        assertThat(result.model().getLayer("dense1").params()).isNotEqualTo(model.getLayer("dense1").params());
        assertThat(result.history().featurized()).isFalse();
    }

    @Test
    void featurizeOnceGivesTheSameResultAsFullForwardPasses() {
        ComputationGraph model = frozenWithHead();
        DataSplits data = TinyNets.splits(96, 30, 3);
        Trainer.Result full = Trainer.train(model, data, new Trainer.Settings(3, 16, new Adam(1e-2), 5, false), QUIET);
        Trainer.Result featurized = Trainer.train(model, data, new Trainer.Settings(3, 16, new Adam(1e-2), 5, true), QUIET);
        assertThat(featurized.history().featurized()).isTrue();
        assertThat(full.history().featurized()).isFalse();
        double maxDiff = full.model().params().sub(featurized.model().params()).amaxNumber().doubleValue();
        assertThat(maxDiff).isLessThan(1e-5);
        for (int i = 0; i < 3; i++) {
            assertThat(featurized.history().epochs().get(i).loss())
                    .isCloseTo(full.history().epochs().get(i).loss(), org.assertj.core.data.Offset.offset(1e-5));
        }
        assertThat(featurized.model().getLayer("conv1").params()).isEqualTo(model.getLayer("conv1").params());
    }

    @Test
    void featurizePlanStopsAtTheFrozenFrontier() {
        FeaturizePlan plan = FeaturizePlan.of(frozenWithHead()).orElseThrow();
        assertThat(plan.frontier()).containsExactly("conv2");
        assertThat(plan.trainable()).containsExactly("dense1", "head-output");
    }

    @Test
    void noFeaturizingWhenATrainableLayerFeedsAFrozenOne() {
        ComputationGraph graph = GraphSurgery.freeze(TinyNets.lenetLike(3), List.of("conv2"));
        assertThat(FeaturizePlan.of(graph)).isEmpty();
        assertThat(FeaturizePlan.of(TinyNets.lenetLike(3))).isEmpty();
    }

    @Test
    void trainingLearnsTheGeneratedTask() {
        Trainer.Result result = Trainer.train(TinyNets.lenetLike(3), TinyNets.splits(150, 60, 3),
                new Trainer.Settings(8, 16, new Adam(1e-2), 5, true), QUIET);
        assertThat(result.history().epochs()).hasSize(8);
        assertThat(result.history().epochs().get(7).trainAccuracy()).isGreaterThan(0.9);
        assertThat(result.history().epochs().get(7).loss()).isLessThan(result.history().epochs().get(0).loss());
    }
}
