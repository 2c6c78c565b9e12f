package dev.graft.training;

import dev.graft.training.fastpath.LocalTraining;
import dev.graft.modelio.ModelFiles;
import dev.graft.testing.TinyNets;
import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.HeadLayer;
import dev.graft.training.featurize.FeaturizePlan;
import dev.graft.spi.EpochRecord;
import dev.graft.spi.TrainingHistory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.DataSplits;
import dev.graft.spi.ConfigurationException;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

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
        Trainer.Result result = LocalTraining.train(model, data, new Trainer.Settings(2, 16, new Adam(1e-2), 5, false), QUIET);
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
        Trainer.Result full = LocalTraining.train(model, data, new Trainer.Settings(3, 16, new Adam(1e-2), 5, false), QUIET);
        Trainer.Result featurized = LocalTraining.train(model, data, new Trainer.Settings(3, 16, new Adam(1e-2), 5, true), QUIET);
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
        Trainer.Result result = LocalTraining.train(TinyNets.lenetLike(3), TinyNets.splits(150, 60, 3),
                new Trainer.Settings(8, 16, new Adam(1e-2), 5, true), QUIET);
        assertThat(result.history().epochs()).hasSize(8);
        assertThat(result.history().epochs().get(7).trainAccuracy()).isGreaterThan(0.9);
        assertThat(result.history().epochs().get(7).loss()).isLessThan(result.history().epochs().get(0).loss());
    }

    private static Trainer.Settings settings(int epochs, IUpdater updater, List<Regularization> regularization,
                                             int patience, boolean restoreBest, int checkpointEvery, Path dir) {
        return new Trainer.Settings(epochs, 16, updater, 5, false, regularization, patience, restoreBest,
                Trainer.Monitor.VAL_ACCURACY, checkpointEvery, dir);
    }

    @Test
    void l2AndWeightDecayNeverTouchFrozenParametersButShrinkTrainableOnes() {
        // conv1's own configuration carries an L2 penalty before it is frozen: frozen must still mean unchanged
        ComputationGraph penalised = GraphSurgery.withTraining(TinyNets.lenetLike(3), new Adam(1e-2),
                List.of(new L2Regularization(0.5)));
        ComputationGraph model = GraphSurgery.withHead(GraphSurgery.freeze(penalised, List.of("conv1", "pool1", "conv2")),
                List.of("dense1"), HeadLayer.parseAll("output(3,softmax)"), TinyNets.INPUT, 3, 11);
        DataSplits data = TinyNets.splits(96, 30, 3);
        Trainer.Result plain = LocalTraining.train(model, data, settings(3, new Sgd(0.1), List.of(), 0, false, 0, null), QUIET);
        Trainer.Result l2 = LocalTraining.train(model, data,
                settings(3, new Sgd(0.1), List.of(new L2Regularization(0.5)), 0, false, 0, null), QUIET);
        Trainer.Result decay = LocalTraining.train(model, data,
                settings(3, new Sgd(0.1), List.of(new WeightDecay(0.5, true)), 0, false, 0, null), QUIET);
        for (Trainer.Result r : List.of(plain, l2, decay)) {
            assertThat(r.model().getLayer("conv1").params()).isEqualTo(model.getLayer("conv1").params());
            assertThat(r.model().getLayer("conv2").params()).isEqualTo(model.getLayer("conv2").params());
        }
        double plainNorm = plain.model().getLayer("dense1").getParam("W").norm2Number().doubleValue();
        assertThat(l2.model().getLayer("dense1").getParam("W").norm2Number().doubleValue()).isLessThan(plainNorm * 0.7);
        assertThat(decay.model().getLayer("dense1").getParam("W").norm2Number().doubleValue()).isLessThan(plainNorm * 0.7);
    }

    @Test
    void anEpochScheduleSetsTheLearningRateDl4jTrainsWith() {
        ComputationGraph model = TinyNets.lenetLike(3);
        DataSplits data = TinyNets.splits(96, 30, 3);
        LearningRateSchedule nearlyStop = LearningRateSchedule.parse("step(1e-6,1)");
        Trainer.Result one = LocalTraining.train(model, data, settings(1, new Sgd(0.1), List.of(), 0, false, 0, null), QUIET);
        Trainer.Result constant = LocalTraining.train(model, data, settings(2, new Sgd(0.1), List.of(), 0, false, 0, null), QUIET);
        Trainer.Result scheduled = LocalTraining.train(model, data,
                settings(2, new Sgd(nearlyStop.toSchedule(0.1, 2)), List.of(), 0, false, 0, null), QUIET);
        assertThat(scheduled.history().epochs()).extracting(EpochRecord::learningRate)
                .containsExactly(0.1, 0.1 * 1e-6);
        // epoch 2 at a millionth of the rate barely moves the weights; at the full rate it does
        assertThat(scheduled.model().params().sub(one.model().params()).amaxNumber().doubleValue()).isLessThan(1e-5);
        assertThat(constant.model().params().sub(one.model().params()).amaxNumber().doubleValue()).isGreaterThan(1e-3);
    }

    @Test
    void patienceStopsEarlyAndRestoreBestEndsWithTheBestEpochsWeights(@TempDir Path dir) {
        DataSplits data = TinyNets.splitsWithValidation(150, 60, 30, 3);
        Trainer.Result r = LocalTraining.train(TinyNets.lenetLike(3), data,
                settings(40, new Adam(1e-2), List.of(), 2, true, 1, dir), QUIET);
        TrainingHistory h = r.history();
        assertThat(h.stoppedEarly()).isTrue();
        assertThat(h.epochs()).hasSize(h.bestEpoch() + 2);
        double best = h.epochs().get(h.bestEpoch() - 1).validationAccuracy();
        assertThat(h.epochs()).allSatisfy(e -> assertThat(e.validationAccuracy()).isLessThanOrEqualTo(best));
        assertThat(h.restoredBest()).isTrue();
        ComputationGraph atBest = ModelFiles.load(dir.resolve("epoch-" + h.bestEpoch() + ".zip"));
        ComputationGraph atLast = ModelFiles.load(dir.resolve("epoch-" + h.epochs().size() + ".zip"));
        assertThat(r.model().params()).isEqualTo(atBest.params());
        assertThat(r.model().params()).isNotEqualTo(atLast.params());
        assertThat(dir.resolve("epoch-" + (h.epochs().size() + 1) + ".zip")).doesNotExist();
    }

    @Test
    void monitoringValidationLossKeepsTheEpochWithTheLowestOne() {
        // few, very noisy examples: the network overfits and validation loss turns back up
        DataSplits data = TinyNets.splitsWithValidation(48, 60, 30, 3, 1.5f);
        Trainer.Result r = LocalTraining.train(TinyNets.lenetLike(3), data, new Trainer.Settings(8, 16, new Adam(3e-2), 5,
                false, List.of(), 0, true, Trainer.Monitor.VAL_LOSS, 0, null), QUIET);
        List<EpochRecord> epochs = r.history().epochs();
        EpochRecord lowest = epochs.stream().min(java.util.Comparator.comparingDouble(EpochRecord::validationLoss))
                .orElseThrow();
        assertThat(r.history().bestEpoch()).isEqualTo(lowest.epoch()).isLessThan(8);
        assertThat(r.history().restoredBest()).isTrue();
        assertThat(epochs).allSatisfy(e -> assertThat(e.validationLoss()).isPositive().isFinite());
        double restoredLoss = Trainer.loss(r.model(), new org.nd4j.linalg.api.ndarray.INDArray[] {
                data.validation().features()}, data.validation().labels());
        assertThat(restoredLoss).isCloseTo(lowest.validationLoss(), org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void checkpointsOfAFeaturizedRunHoldTheWholeModel(@TempDir Path dir) {
        Trainer.Result r = LocalTraining.train(frozenWithHead(), TinyNets.splits(96, 30, 3),
                new Trainer.Settings(4, 16, new Adam(1e-2), 5, true, List.of(), 0, false, Trainer.Monitor.VAL_LOSS, 2,
                        dir), QUIET);
        assertThat(r.history().featurized()).isTrue();
        assertThat(dir.resolve("epoch-1.zip")).doesNotExist();
        assertThat(ModelFiles.load(dir.resolve("epoch-4.zip")).params()).isEqualTo(r.model().params());
        assertThat(GraphSurgery.layerNames(ModelFiles.load(dir.resolve("epoch-2.zip"))))
                .isEqualTo(GraphSurgery.layerNames(r.model()));
    }

    @Test
    void earlyStoppingWithoutAValidationSplitSaysWhatToAdd() {
        assertThatThrownBy(() -> LocalTraining.train(TinyNets.lenetLike(3), TinyNets.splits(30, 30, 3),
                settings(3, new Adam(1e-2), List.of(), 2, false, 0, null), QUIET))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("train: patience=2 needs a validation split; expected 'fetch-dataset' with "
                        + "validation=<fraction>, e.g. validation=0.1");
    }
}
