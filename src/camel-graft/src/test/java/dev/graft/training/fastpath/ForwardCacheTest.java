package dev.graft.training.fastpath;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.spi.DataSplits;
import dev.graft.spi.LabeledSet;
import dev.graft.surgery.GraphSurgery;
import dev.graft.training.Trainer;
import dev.graft.training.Tuning;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** The local loop's forward cache: on only while plain convolutions train, back off after, and the same steps. */
class ForwardCacheTest {

    private static ComputationGraph convNet() {
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Adam(1e-3))
                .graphBuilder().addInputs("input").setInputTypes(InputType.convolutional(12, 12, 1))
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "input")
                .addLayer("pool1", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).build(), "conv1")
                .addLayer("conv2", new ConvolutionLayer.Builder(3, 3).nOut(6).activation(Activation.RELU).build(), "pool1")
                .addLayer("output", new OutputLayer.Builder(LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "conv2")
                .setOutputs("output").build());
        net.init();
        return net;
    }

    private static LabeledSet images(int n) {
        Random random = new Random(5);
        float[][][][] x = new float[n][1][12][12];
        float[][] y = new float[n][3];
        for (int i = 0; i < n; i++) {
            y[i][i % 3] = 1;
            for (int r = 0; r < 12; r++) {
                for (int c = 0; c < 12; c++) {
                    x[i][0][r][c] = (r / 4 == i % 3 ? 0.7f : 0) + 0.3f * random.nextFloat();
                }
            }
        }
        return new LabeledSet(Nd4j.create(x), Nd4j.create(y));
    }

    private static AbstractLayer<?> layer(ComputationGraph net, String name) {
        return (AbstractLayer<?>) net.getLayer(name);
    }

    @Test
    void theCacheIsOnWhileAPlainConvolutionTrainsAndOffAfter() {
        ComputationGraph net = convNet();
        try (ForwardCache cache = ForwardCache.open(net, true)) {
            assertThat(cache.on()).isTrue();
            assertThat(net.getConfiguration().getCacheMode()).isEqualTo(CacheMode.DEVICE);
            assertThat(layer(net, "conv2").getCacheMode()).as("what the layer's forward pass reads")
                    .isEqualTo(CacheMode.DEVICE);
            LabeledSet batch = images(8);
            net.fit(new DataSet(batch.features(), batch.labels()));
            assertThat(layer(net, "conv2").getPreOutput()).as("the pre-activation kept for the backward pass")
                    .isNotNull();
        }
        assertThat(net.getConfiguration().getCacheMode()).isEqualTo(CacheMode.NONE);
        assertThat(layer(net, "conv2").getCacheMode()).isEqualTo(CacheMode.NONE);
        assertThat(layer(net, "conv2").getPreOutput()).as("dropped: a later fit would take it").isNull();
        try (ForwardCache cache = ForwardCache.open(net, false)) {
            assertThat(cache.on()).as("switched off by the tuning").isFalse();
            assertThat(net.getConfiguration().getCacheMode()).isEqualTo(CacheMode.NONE);
        }
        ComputationGraph frozen = GraphSurgery.freeze(net, List.of("conv1", "pool1", "conv2"));
        try (ForwardCache cache = ForwardCache.open(frozen, true)) {
            assertThat(cache.on()).as("no convolution trains").isFalse();
        }
    }

    @Test
    void trainingWithTheCacheTakesExactlyTheStepsOfTrainingWithout() {
        DataSplits data = new DataSplits(images(96), null, images(16), List.of("a", "b", "c"),
                new long[] {1, 12, 12}, "0".repeat(64), "generated");
        Trainer.Settings settings = new Trainer.Settings(2, 16, new Adam(1e-2), 11, false);
        Tuning tuning = Tuning.defaults();
        ComputationGraph start = convNet();
        INDArray cached = LocalTraining.train(start, data, settings, tuning, (r, e) -> { }).model().params();
        INDArray plain = LocalTraining.train(start, data, settings, tuning.withForwardCache(false), (r, e) -> { })
                .model().params();
        assertThat(cached.sub(start.params()).amaxNumber().doubleValue()).as("the steps moved the weights")
                .isGreaterThan(1e-3);
        assertThat(cached).isEqualTo(plain);
        assertThat(start.getConfiguration().getCacheMode()).isEqualTo(CacheMode.NONE);
    }
}
