package dev.graft.testing;

import dev.graft.spi.DataSplits;
import dev.graft.spi.LabeledSet;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** Small networks and generated data for fast model tests. */
public final class TinyNets {

    public static final InputType[] INPUT = {InputType.convolutional(8, 8, 1)};

    private TinyNets() {
    }

    /** conv1 -> pool1 -> conv2 -> dense1 -> output, on 1x8x8 inputs, 3 classes. */
    public static ComputationGraph lenetLike(long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Adam(1e-2))
                .graphBuilder().addInputs("input").setInputTypes(INPUT)
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "input")
                .addLayer("pool1", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).build(), "conv1")
                .addLayer("conv2", new ConvolutionLayer.Builder(2, 2).nOut(6).activation(Activation.RELU).build(), "pool1")
                .addLayer("dense1", new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build(), "conv2")
                .addLayer("output", new OutputLayer.Builder(LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "dense1")
                .setOutputs("output").build();
        Nd4j.getRandom().setSeed(seed);
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** conv1 -> bn1 (batch normalisation) -> pool1 -> dense1 -> output, on 1x8x8 inputs, 3 classes. */
    public static ComputationGraph withBatchNorm(long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Adam(1e-2))
                .graphBuilder().addInputs("input").setInputTypes(INPUT)
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "input")
                .addLayer("bn1", new BatchNormalization.Builder().build(), "conv1")
                .addLayer("pool1", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).build(), "bn1")
                .addLayer("dense1", new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build(), "pool1")
                .addLayer("output", new OutputLayer.Builder(LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "dense1")
                .setOutputs("output").build();
        Nd4j.getRandom().setSeed(seed);
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** A two-layer vector block: dense 16 -> 8 (tanh), then an output layer 8 -> 4 (softmax). */
    public static ComputationGraph vectorBlock(int inputs, long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Adam(1e-2))
                .graphBuilder().addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(inputs).nOut(8).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunction.MCXENT).nIn(8).nOut(4)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build();
        Nd4j.getRandom().setSeed(seed);
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** lenetLike with a second output: an auxiliary 2-class softmax on conv2 ("aux"). */
    public static ComputationGraph twoOutputs(long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Adam(1e-2))
                .graphBuilder().addInputs("input").setInputTypes(INPUT)
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "input")
                .addLayer("conv2", new ConvolutionLayer.Builder(2, 2).nOut(6).activation(Activation.RELU).build(), "conv1")
                .addLayer("dense1", new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build(), "conv2")
                .addLayer("output", new OutputLayer.Builder(LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "dense1")
                .addLayer("aux", new OutputLayer.Builder(LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "conv2")
                .setOutputs("output", "aux").build();
        Nd4j.getRandom().setSeed(seed);
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** n examples of 1x8x8 where the class decides which third of the image is bright, plus noise. */
    public static LabeledSet images(int n, int classes, long seed) {
        return images(n, classes, seed, 0.1f);
    }

    /** Like {@link #images(int, int, long)} with Gaussian pixel noise of the given standard deviation. */
    public static LabeledSet images(int n, int classes, long seed, float noise) {
        java.util.Random r = new java.util.Random(seed);
        float[] x = new float[n * 64];
        float[] y = new float[n * classes];
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            y[i * classes + c] = 1;
            for (int p = 0; p < 64; p++) {
                int row = p / 8;
                x[i * 64 + p] = (row * classes / 8 == c ? 0.8f : 0.1f) + (float) r.nextGaussian() * noise;
            }
        }
        INDArray features = Nd4j.create(x, new long[] {n, 1, 8, 8}, 'c');
        INDArray labels = Nd4j.create(y, new long[] {n, classes}, 'c');
        return new LabeledSet(features, labels);
    }

    public static DataSplits splits(int train, int test, int classes) {
        return new DataSplits(images(train, classes, 1), null, images(test, classes, 2),
                java.util.stream.IntStream.range(0, classes).mapToObj(String::valueOf).toList(),
                new long[] {1, 8, 8}, "0".repeat(64), "generated");
    }

    /** Like {@link #splits} with a validation split drawn from its own seed. */
    public static DataSplits splitsWithValidation(int train, int validation, int test, int classes) {
        return splitsWithValidation(train, validation, test, classes, 0.1f);
    }

    /** Like {@link #splitsWithValidation(int, int, int, int)} with the given pixel noise. */
    public static DataSplits splitsWithValidation(int train, int validation, int test, int classes, float noise) {
        return new DataSplits(images(train, classes, 1, noise), images(validation, classes, 3, noise),
                images(test, classes, 2, noise),
                java.util.stream.IntStream.range(0, classes).mapToObj(String::valueOf).toList(),
                new long[] {1, 8, 8}, "0".repeat(64), "generated");
    }

    static List<String> names(String... n) {
        return List.of(n);
    }
}
