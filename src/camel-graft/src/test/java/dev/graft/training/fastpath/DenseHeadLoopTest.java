package dev.graft.training.fastpath;

import dev.graft.testing.TinyNets;
import dev.graft.training.Trainer;
import dev.graft.training.Tuning;
import dev.graft.surgery.GraphSurgery;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

class DenseHeadLoopTest {

    private static ComputationGraph head(IUpdater updater, boolean dropout) {
        DenseLayer.Builder hidden = new DenseLayer.Builder().nIn(20).nOut(16).activation(Activation.RELU);
        if (dropout) {
            hidden.dropOut(0.5);
        }
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(11).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(updater)
                .graphBuilder().addInputs("features")
                .addLayer("hidden", hidden.build(), "features")
                .addLayer("hidden2", new DenseLayer.Builder().nIn(16).nOut(8).activation(Activation.TANH).build(), "hidden")
                .addLayer("out", new OutputLayer.Builder(LossFunction.MCXENT).nIn(8).nOut(4)
                        .activation(Activation.SOFTMAX).build(), "hidden2")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    private static DataSet batch(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 20);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 4);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (int) (x.getDouble(i, 0) * 4), 1);
        }
        return new DataSet(x, y);
    }

    private static void assertStepsMatchFit(ComputationGraph model) {
        ComputationGraph viaFit = model.clone();
        ComputationGraph lean = model.clone();
        DenseHeadLoop loop = DenseHeadLoop.of(lean).orElseThrow();
        for (int step = 0; step < 12; step++) {
            DataSet b = batch(step % 3 == 2 ? 7 : 32, step); // includes short last batches
            viaFit.fit(b);
            double score = loop.fit(b.getFeatures(), b.getLabels()).score();
            assertThat(score).as("score of step %d", step).isCloseTo(viaFit.score(), within(1e-5));
        }
        assertThat(lean.params().sub(viaFit.params()).amaxNumber().doubleValue()).isLessThan(1e-5);
        assertThat(lean.getUpdater().getStateViewArray().sub(viaFit.getUpdater().getStateViewArray())
                .amaxNumber().doubleValue()).isLessThan(1e-5);
        assertThat(lean.getConfiguration().getIterationCount()).isEqualTo(viaFit.getConfiguration().getIterationCount());
    }

    @Test
    void takesTheSameStepsAsFitWithAdam() {
        assertStepsMatchFit(head(new Adam(1e-2), false));
    }

    @Test
    void takesTheSameStepsAsFitWithMomentumAScheduleAndRegularisation() {
        ComputationGraph withSchedule = head(new Nesterovs(new ExponentialSchedule(ScheduleType.ITERATION, 0.05, 0.9), 0.9),
                false);
        assertStepsMatchFit(GraphSurgery.withTraining(withSchedule,
                new Nesterovs(new ExponentialSchedule(ScheduleType.ITERATION, 0.05, 0.9), 0.9),
                List.of(new L2Regularization(1e-3))));
        assertStepsMatchFit(GraphSurgery.withTraining(head(new Adam(1e-2), false), new Adam(1e-2),
                List.of(new WeightDecay(1e-2, true))));
    }

    @Test
    void leavesHeadsWithDropoutOrConvolutionsToFit() {
        assertThat(DenseHeadLoop.of(head(new Adam(1e-2), true))).isEmpty();
        assertThat(DenseHeadLoop.of(TinyNets.lenetLike(1))).isEmpty();
        assertThat(DenseHeadLoop.of(TinyNets.twoOutputs(1))).isEmpty();
        assertThat(DenseHeadLoop.of(TinyNets.vectorBlock(5, 1))).isPresent();
    }

    /**
     * conv1 -> dense1 (frozen) -> dense2 -> output on 1x8x8 inputs: after featurize-once the head is a plain dense
     * chain of more than {@link SmallHeadLoop#MAX_PARAMS} parameters, the shape {@link DenseHeadLoop} takes.
     */
    private static ComputationGraph wideDenseHead(long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Adam(1e-2))
                .graphBuilder().addInputs("input").setInputTypes(TinyNets.INPUT)
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "input")
                .addLayer("dense1", new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build(), "conv1")
                .addLayer("dense2", new DenseLayer.Builder().nOut(256).activation(Activation.TANH).build(), "dense1")
                .addLayer("output", new OutputLayer.Builder(LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "dense2")
                .setOutputs("output").build();
        Nd4j.getRandom().setSeed(seed);
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    @Test
    void featurizeOnceTrainsTheSameModelWithTheLeanLoopAsWithFit() {
        ComputationGraph frozen = GraphSurgery.freeze(wideDenseHead(3), List.of("conv1", "dense1"));
        Trainer.Settings settings = new Trainer.Settings(3, 16, new Adam(1e-2), 5, true);
        Tuning tuning = Tuning.defaults();
        Trainer.Result lean = LocalTraining.train(frozen, TinyNets.splits(120, 30, 3), settings, tuning, (r, e) -> { });
        Trainer.Result viaFit = LocalTraining.train(frozen, TinyNets.splits(120, 30, 3), settings,
                tuning.withDenseHeadLoop(false), (r, e) -> { });
        assertThat(lean.history().featurized()).isTrue();
        assertThat(lean.history().path().loop()).isEqualTo("DenseHeadLoop");
        assertThat(viaFit.history().featurized()).isTrue();
        assertThat(viaFit.history().path().loop()).isEqualTo("fit");
        assertThat(lean.model().params().sub(viaFit.model().params()).amaxNumber().doubleValue()).isLessThan(1e-5);
        for (int e = 0; e < 3; e++) {
            assertThat(lean.history().epochs().get(e).loss())
                    .isCloseTo(viaFit.history().epochs().get(e).loss(), within(1e-5));
        }
    }
}
