package dev.graft.training.featurize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.nd4j.NchwToNhwcPreProcessor;
import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.HeadLayer;
import dev.graft.surgery.Pooling;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The direct path computes what DL4J's layers compute for the same frozen graph, and steps aside where it cannot. */
class DirectForwardTest {

    private static final String FEATURES = "out-avgpool";

    @Test
    void foldsBatchNormAndMatchesTheGraphOnAMobileNetLikeBlock() {
        ComputationGraph graph = mobileNetLike(false, false);
        FeaturizePlan.Featurizer featurizer = FeaturizePlan.of(graph).orElseThrow().featurizer(graph);
        assertThat(featurizer.direct()).isTrue();
        INDArray x = images(37, 16); // more than one direct batch, the last one short
        INDArray direct = featurizer.featurize(x, 256)[0];
        INDArray layers = graph.feedForward(x, false).get(FEATURES);
        assertThat(direct.shape()).isEqualTo(layers.shape());
        assertThat(layers.amaxNumber().doubleValue()).as("a non-trivial activation").isGreaterThan(0.1);
        assertThat(direct.sub(layers).amaxNumber().doubleValue()).isLessThan(1e-5);
        // the buffers are reused: a second call on other images gives their features, not the first call's
        INDArray y = images(5, 16);
        assertThat(featurizer.featurize(y, 4)[0].sub(graph.feedForward(y, false).get(FEATURES)).amaxNumber()
                .doubleValue()).isLessThan(1e-5);
    }

    @Test
    void batchNormWithLogStandardDeviationFolds() {
        ComputationGraph graph = mobileNetLike(true, false);
        FeaturizePlan.Featurizer featurizer = FeaturizePlan.of(graph).orElseThrow().featurizer(graph);
        assertThat(featurizer.direct()).isTrue();
        INDArray x = images(6, 16);
        assertThat(featurizer.featurize(x, 8)[0].sub(graph.feedForward(x, false).get(FEATURES)).amaxNumber()
                .doubleValue()).isLessThan(1e-5);
    }

    @Test
    void aLayerItDoesNotRunLeavesTheGraphToDl4j() {
        ComputationGraph graph = mobileNetLike(false, true);
        FeaturizePlan.Featurizer featurizer = FeaturizePlan.of(graph).orElseThrow().featurizer(graph);
        assertThat(featurizer.direct()).isFalse();
        INDArray x = images(3, 16);
        assertThat(featurizer.featurize(x, 8)[0].sub(graph.feedForward(x, false).get(FEATURES)).amaxNumber()
                .doubleValue()).isLessThan(1e-6);
    }

    @Test
    void anOddImageSizeUnderAFusedPaddingRunsThroughTheGraph() {
        ComputationGraph graph = mobileNetLike(false, false, 15);
        FeaturizePlan.Featurizer featurizer = FeaturizePlan.of(graph).orElseThrow().featurizer(graph);
        INDArray x = images(3, 15);
        assertThat(featurizer.featurize(x, 8)[0].sub(graph.feedForward(x, false).get(FEATURES)).amaxNumber()
                .doubleValue()).isLessThan(1e-6);
    }

    @Test
    void theSwitchTurnsItOff() {
        ComputationGraph graph = mobileNetLike(false, false);
        System.setProperty(FeaturizePlan.DIRECT_PROPERTY, "false");
        try {
            assertThat(FeaturizePlan.of(graph).orElseThrow().featurizer(graph).direct()).isFalse();
        } finally {
            System.clearProperty(FeaturizePlan.DIRECT_PROPERTY);
        }
    }

    private static INDArray images(int n, int size) {
        Nd4j.getRandom().setSeed(7 + n);
        return Nd4j.rand(DataType.FLOAT, n, 3, size, size).muli(2).subi(1);
    }

    private static ComputationGraph mobileNetLike(boolean logStd, boolean maxPool) {
        return mobileNetLike(logStd, maxPool, 16);
    }

    /**
     * Keras MobileNetV2's shapes in small: zero padding [0,1,0,1] then a stride-2 "truncate" convolution, batch
     * norms, ReLU6 layers, a "same" depthwise convolution, a projection with a bias, a residual add; frozen, with a
     * new head on its average-pooled output. Batch-norm statistics are random, so folding them is not a no-op.
     */
    private static ComputationGraph mobileNetLike(boolean logStd, boolean maxPool, int size) {
        CNN2DFormat nhwc = CNN2DFormat.NHWC;
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(11)
                .dataType(DataType.FLOAT).graphBuilder().addInputs("in")
                .addLayer("pad", new ZeroPaddingLayer.Builder(0, 1, 0, 1).dataFormat(nhwc).build(), "in")
                .inputPreProcessor("pad", new NchwToNhwcPreProcessor())
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(8).hasBias(false)
                        .convolutionMode(ConvolutionMode.Truncate).dataFormat(nhwc).activation(Activation.IDENTITY)
                        .build(), "pad")
                .addLayer("conv_bn", bn(logStd), "conv")
                .addLayer("conv_relu", new ActivationLayer(Activation.RELU6), "conv_bn")
                .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(1).hasBias(false)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(nhwc).activation(Activation.IDENTITY)
                        .build(), "conv_relu")
                .addLayer("dw_bn", bn(logStd), "dw")
                .addLayer("dw_relu", new ActivationLayer(Activation.RELU6), "dw_bn")
                .addLayer("project", new ConvolutionLayer.Builder(1, 1).nOut(8).hasBias(true)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(nhwc).activation(Activation.IDENTITY)
                        .build(), "dw_relu")
                .addLayer("project_bn", bn(logStd), "project")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "conv_relu", "project_bn");
        String last = "add";
        if (maxPool) {
            b.addLayer("pool", new SubsamplingLayer.Builder(2, 2).stride(1, 1).dataFormat(nhwc).build(), "add");
            last = "pool";
        }
        b.addLayer("expand", new ConvolutionLayer.Builder(1, 1).nOut(12).hasBias(false)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(nhwc).activation(Activation.IDENTITY).build(),
                        last)
                .addLayer("expand_bn", bn(logStd), "expand")
                .addLayer("out", new ActivationLayer(Activation.RELU6), "expand_bn")
                .setOutputs("out")
                .setInputTypes(InputType.convolutional(size, size, 3));
        ComputationGraph net = new ComputationGraph(b.build());
        net.init();
        Nd4j.getRandom().setSeed(5);
        for (String bn : List.of("conv_bn", "dw_bn", "project_bn", "expand_bn")) {
            long c = net.getLayer(bn).getParam("gamma").length();
            net.getLayer(bn).setParam("gamma", Nd4j.rand(DataType.FLOAT, 1, c).addi(0.5));
            net.getLayer(bn).setParam("beta", Nd4j.rand(DataType.FLOAT, 1, c).subi(0.5));
            net.getLayer(bn).setParam("mean", Nd4j.rand(DataType.FLOAT, 1, c).subi(0.5).muli(0.3));
            INDArray var = Nd4j.rand(DataType.FLOAT, 1, c).addi(0.2);
            if (logStd) {
                net.getLayer(bn).setParam("log10stdev", org.nd4j.linalg.ops.transforms.Transforms.log(
                        var.add(1e-3), 10, true).muli(0.5));
            } else {
                net.getLayer(bn).setParam("var", var);
            }
        }
        List<String> layers = GraphSurgery.layerNames(net);
        ComputationGraph frozen = GraphSurgery.freeze(net, layers);
        return GraphSurgery.withHead(frozen, List.of("out"), HeadLayer.parseAll("output(3,softmax)"), Pooling.AVG,
                GraphSurgery.inputTypes(new long[] {3, size, size}), 3, 12345, source -> {
                    throw new IllegalArgumentException(source);
                });
    }

    private static BatchNormalization bn(boolean logStd) {
        return new BatchNormalization.Builder().eps(1e-3).useLogStd(logStd).dataFormat(CNN2DFormat.NHWC).build();
    }
}
