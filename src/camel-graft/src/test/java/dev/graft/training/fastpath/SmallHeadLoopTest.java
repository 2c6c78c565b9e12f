package dev.graft.training.fastpath;

import dev.graft.training.Trainer;
import dev.graft.surgery.GraphSurgery;
import dev.graft.spi.Examples;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

class SmallHeadLoopTest {

    private static ComputationGraph head(IUpdater updater, Activation hidden, int width) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(11).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(updater)
                .graphBuilder().addInputs("features")
                .addLayer("hidden", new DenseLayer.Builder().nIn(20).nOut(width).activation(hidden).build(), "features")
                .addLayer("hidden2", new DenseLayer.Builder().nIn(width).nOut(8).activation(Activation.SIGMOID).build(),
                        "hidden")
                .addLayer("out", new OutputLayer.Builder(LossFunction.MCXENT).nIn(8).nOut(4)
                        .activation(Activation.SOFTMAX).build(), "hidden2")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    private static Examples examples(int n) {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 20).subi(0.5);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 4);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (int) ((x.getDouble(i, 0) + 0.5) * 4), 1);
        }
        return new Examples(new INDArray[] {x}, y);
    }

    /** Two epochs in Java against ComputationGraph.fit on the same minibatches (the last one short). */
    private static void assertEpochsMatchFit(ComputationGraph model) {
        assertEpochsMatchFit(model, HeadKernels.best());
        assertEpochsMatchFit(model, HeadKernels.scalar());
    }

    private static void assertEpochsMatchFit(ComputationGraph model, HeadKernels kernels) {
        Examples data = examples(90);
        ComputationGraph viaFit = model.clone();
        ComputationGraph java = model.clone();
        SmallHeadLoop loop = SmallHeadLoop.of(java, data, kernels).orElseThrow();
        Random random = new Random(3);
        for (int epoch = 0; epoch < 2; epoch++) {
            int[] order = Examples.permutation(90, random);
            Examples shuffled = data.pick(order);
            double scoreSum = 0;
            int batches = 0;
            for (int from = 0; from < 90; from += 32) {
                viaFit.fit(shuffled.rows(from, Math.min(90, from + 32)).toMultiDataSet());
                scoreSum += viaFit.score();
                batches++;
            }
            SmallHeadLoop.Epoch e = loop.epoch(order, 32);
            assertThat(e.meanScore()).isCloseTo(scoreSum / batches, within(1e-5));
        }
        assertThat(java.params().sub(viaFit.params()).amaxNumber().doubleValue()).isLessThan(1e-5);
        if (viaFit.getUpdater().getStateViewArray() != null) {
            assertThat(java.getUpdater().getStateViewArray().sub(viaFit.getUpdater().getStateViewArray())
                    .amaxNumber().doubleValue()).isLessThan(1e-5);
        }
        assertThat(java.getConfiguration().getIterationCount()).isEqualTo(viaFit.getConfiguration().getIterationCount());
    }

    @Test
    void trainsLikeFitWithAdam() {
        assertEpochsMatchFit(head(new Adam(1e-2), Activation.RELU, 16));
    }

    @Test
    void trainsLikeFitWithAScheduleAndRegularisation() {
        Adam scheduled = new Adam(new ExponentialSchedule(ScheduleType.ITERATION, 0.02, 0.9));
        assertEpochsMatchFit(GraphSurgery.withTraining(head(scheduled, Activation.TANH, 16), scheduled,
                List.of(new L2Regularization(1e-2))));
        assertEpochsMatchFit(GraphSurgery.withTraining(head(new Sgd(0.1), Activation.IDENTITY, 16), new Sgd(0.1),
                List.of(new WeightDecay(1e-2, true))));
    }

    @Test
    void countsTheExamplesPredictedRightBeforeTheirStep() {
        ComputationGraph net = head(new Adam(1e-2), Activation.RELU, 16);
        Examples data = examples(60);
        double before = Trainer.accuracy(net, data.inputs(), data.labels());
        SmallHeadLoop.Epoch e = SmallHeadLoop.of(net, data).orElseThrow().epoch(Examples.permutation(60, new Random(1)), 60);
        assertThat(e.correct()).isEqualTo(Math.round(before * 60));
    }

    @Test
    void leavesOtherUpdatersSoftLabelsAndWideHeadsToTheNd4jLoop() {
        assertThat(SmallHeadLoop.of(head(new Nesterovs(0.1, 0.9), Activation.RELU, 16), examples(10))).isEmpty();
        assertThat(SmallHeadLoop.of(head(new Adam(1e-2), Activation.RELU, 4000), examples(10))).isEmpty();
        Examples soft = new Examples(examples(10).inputs(), Nd4j.valueArrayOf(new long[] {10, 4}, 0.25f));
        assertThat(SmallHeadLoop.of(head(new Adam(1e-2), Activation.RELU, 16), soft)).isEmpty();
        assertThat(SmallHeadLoop.of(head(new Adam(1e-2), Activation.RELU, 16), examples(10))).isPresent();
    }
}
