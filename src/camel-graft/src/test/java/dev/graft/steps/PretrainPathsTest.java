package dev.graft.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.nd4j.NativeHelpers;
import dev.graft.spi.DataSplits;
import dev.graft.spi.Examples;
import dev.graft.spi.LabeledSet;
import dev.graft.training.LearningRateSchedule;
import dev.graft.training.Trainer;
import dev.graft.training.fastpath.LocalTraining;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Graft's pretraining route (create-model's lenet, then the train step's local loop) against the same recipe
 * written directly against DL4J, from the same seed and in the same minibatch order: the benchmark's pretraining
 * comparison is only meaningful when the two paths take the same steps.
 */
class PretrainPathsTest {

    private static final long SEED = 12345;
    private static final int BATCH = 64;

    /** The benchmark's plain DL4J LeNet (TransferBench.plainPretrain), built by hand. */
    private static ComputationGraph plainLenet(int classes) {
        return plainLenet(classes, new Adam(1e-3));
    }

    private static ComputationGraph plainLenet(int classes, IUpdater updater) {
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(SEED).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(updater)
                .graphBuilder().addInputs("input").setInputTypes(InputType.convolutional(28, 28, 1))
                .addLayer("conv1", new ConvolutionLayer.Builder(5, 5).nOut(20).activation(Activation.RELU).build(), "input")
                .addLayer("pool1", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).build(), "conv1")
                .addLayer("conv2", new ConvolutionLayer.Builder(5, 5).nOut(50).activation(Activation.RELU).build(), "pool1")
                .addLayer("pool2", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).build(), "conv2")
                .addLayer("dense1", new DenseLayer.Builder().nOut(500).activation(Activation.RELU).build(), "pool2")
                .addLayer("output", new OutputLayer.Builder(LossFunction.MCXENT).nOut(classes)
                        .activation(Activation.SOFTMAX).build(), "dense1")
                .setOutputs("output").build());
        net.init();
        return net;
    }

    /** Images with a class-dependent bright square, so the steps move the weights the way real data does. */
    private static LabeledSet images(int n, int classes) {
        Random random = new Random(7);
        float[][][][] x = new float[n][1][28][28];
        float[][] y = new float[n][classes];
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            y[i][c] = 1;
            for (int r = 0; r < 28; r++) {
                for (int col = 0; col < 28; col++) {
                    boolean square = r / 7 == c % 4 && col / 7 == c / 4 + 1;
                    x[i][0][r][col] = (square ? 0.8f : 0) + 0.2f * random.nextFloat();
                }
            }
        }
        return new LabeledSet(Nd4j.create(x), Nd4j.create(y));
    }

    private static final int N = 6 * BATCH;
    private static final LabeledSet TRAIN = images(N, 5);

    /** Graft's pretraining route on {@link #TRAIN}: create-model's lenet, one epoch of the train step's local loop. */
    private static INDArray graftSteps() {
        return graftSteps(1, new Adam(1e-3));
    }

    /** As {@link #graftSteps()}, for {@code epochs} epochs with {@code updater} (the train step's, schedule and all). */
    private static INDArray graftSteps(int epochs, IUpdater updater) {
        DataSplits data = new DataSplits(TRAIN, null, images(BATCH, 5), List.of("a", "b", "c", "d", "e"),
                new long[] {1, 28, 28}, "0".repeat(64), "generated");
        ComputationGraph graft = CreateModelStep.lenet(new long[] {1, 28, 28}, 5, SEED);
        assertThat(graft.params()).as("create-model's start").isEqualTo(plainLenet(5).params());
        return LocalTraining.train(graft, data, new Trainer.Settings(epochs, BATCH, updater, SEED, false),
                (record, total) -> { }).model().params();
    }

    /** Plain DL4J's fit on the same minibatches in the local loop's order (java.util.Random(seed) Fisher-Yates). */
    private static INDArray plainSteps(boolean oneDnn) {
        return plainSteps(oneDnn, 1, new Adam(1e-3));
    }

    /**
     * As {@link #plainSteps(boolean)}, for {@code epochs} epochs with {@code updater}: each epoch a new permutation
     * from the one Random, and the network's epoch count set as an epoch schedule needs (TransferBench.plainPretrain).
     */
    private static INDArray plainSteps(boolean oneDnn, int epochs, IUpdater updater) {
        return withHelpers(oneDnn, () -> {
            ComputationGraph plain = plainLenet(5, updater);
            INDArray start = plain.params().dup();
            Random random = new Random(SEED);
            for (int e = 0; e < epochs; e++) {
                plain.getConfiguration().setEpochCount(e);
                Examples shuffled = new Examples(new INDArray[] {TRAIN.features()}, TRAIN.labels())
                        .pick(Examples.permutation(N, random));
                for (int from = 0; from < N; from += BATCH) {
                    plain.fit(new DataSet(shuffled.inputs()[0].get(NDArrayIndex.interval(from, from + BATCH)),
                            shuffled.labels().get(NDArrayIndex.interval(from, from + BATCH))));
                }
            }
            assertThat(plain.params().sub(start).amaxNumber().doubleValue()).as("the steps moved the weights")
                    .isGreaterThan(1e-3);
            return plain.params();
        });
    }

    /** Runs {@code work} with DL4J's oneDNN helpers on or off for the layers it creates. */
    private static INDArray withHelpers(boolean on, java.util.function.Supplier<INDArray> work) {
        String before = System.getProperty(NativeHelpers.DL4J_PROPERTY);
        System.setProperty(NativeHelpers.DL4J_PROPERTY, String.valueOf(!on));
        try {
            return work.get();
        } finally {
            if (before == null) {
                System.clearProperty(NativeHelpers.DL4J_PROPERTY);
            } else {
                System.setProperty(NativeHelpers.DL4J_PROPERTY, before);
            }
        }
    }

    @Test
    void graftsPretrainingRouteTakesTheSameStepsAsPlainDl4jWithTheSameHelpers() {
        double diff = withHelpers(true, PretrainPathsTest::graftSteps).sub(plainSteps(true)).amaxNumber().doubleValue();
        assertThat(diff).as("largest parameter difference after %d minibatches", N / BATCH).isLessThan(1e-6);
    }

    /**
     * The benchmark's pretraining case: three epochs, the rate cut tenfold for the last (step(0.1,2)). Graft's train
     * step and plain DL4J with the same StepSchedule, the epoch count set before each epoch, take the same steps; a
     * schedule read at the wrong epoch would move the weights of the third epoch tenfold.
     */
    @Test
    void theStepScheduleGivesTheSameStepsOnBothPaths() {
        IUpdater updater = new Adam(LearningRateSchedule.parse("step(0.1,2)").toSchedule(1e-3, 3));
        INDArray graft = withHelpers(true, () -> graftSteps(3, updater));
        double diff = graft.sub(plainSteps(true, 3, updater)).amaxNumber().doubleValue();
        assertThat(diff).as("largest parameter difference after 3 epochs of %d minibatches", N / BATCH)
                .isLessThan(1e-6);
        double constant = graft.sub(withHelpers(true, () -> graftSteps(3, new Adam(1e-3)))).amaxNumber().doubleValue();
        assertThat(constant).as("the cut rate changed the third epoch's steps").isGreaterThan(1e-4);
    }

    @Test
    void oneDnnAndDl4jsJavaPathDifferOnlyByFloatRounding() {
        double diff = plainSteps(true).sub(plainSteps(false)).amaxNumber().doubleValue();
        assertThat(diff).as("largest parameter difference after %d minibatches", N / BATCH).isLessThan(1e-4);
    }
}
