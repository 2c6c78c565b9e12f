package dev.graft.training;

import dev.graft.training.fastpath.LocalTraining;
import dev.graft.testing.TinyNets;
import dev.graft.surgery.GraphSurgery;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.spi.DataSplits;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

class RunningAccuracyTest {

    /** With one minibatch an epoch, the running accuracy of epoch 1 is the untrained model's accuracy. */
    private static void assertFirstEpochAccuracyIsTheStartingModels(ComputationGraph model, boolean featurize) {
        DataSplits data = TinyNets.splits(90, 30, 3);
        double before = Trainer.accuracy(model, new INDArray[] {data.train().features()}, data.train().labels());
        Trainer.Result r = LocalTraining.train(model, data, new Trainer.Settings(2, 90, new Adam(1e-2), 5, featurize),
                (e, n) -> { });
        assertThat(r.history().featurized()).isEqualTo(featurize);
        assertThat(r.history().epochs().get(0).trainAccuracy()).isEqualTo(before);
        assertThat(r.model().getListeners()).isNullOrEmpty();
    }

    @Test
    void countsPredictionsOfTheForwardPassFitTrainsWith() {
        assertFirstEpochAccuracyIsTheStartingModels(TinyNets.lenetLike(4), false);
    }

    @Test
    void countsPredictionsOfTheLeanDenseHeadStep() {
        assertFirstEpochAccuracyIsTheStartingModels(
                GraphSurgery.freeze(TinyNets.lenetLike(4), List.of("conv1", "pool1", "conv2")), true);
    }

    @Test
    void leavesGraphsWithSeveralOutputsToTheSampledAccuracy() {
        assertThat(RunningAccuracy.attach(TinyNets.twoOutputs(1))).isEmpty();
        ComputationGraph net = TinyNets.lenetLike(1);
        assertThat(RunningAccuracy.attach(net)).isPresent();
        assertThat(net.getListeners()).hasSize(1);
    }
}
