package dev.graft.surgery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.nd4j.LayerParams;
import dev.graft.training.featurize.FeaturizePlan;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Two-phase fine-tuning of a MobileNet-style block: the reopened depthwise convolution gets a bias when its batch norm
 * is folded in, and every later copy of its parameters (the featurize-once head, the merge back) must keep it.
 * DL4J 1.0.0-M2.1's flat {@code setParams(params())} on a depthwise convolution with a bias scrambles it; this is the
 * defect that put the two-phase MobileNetV2 route at chance (0.2000).
 */
class DepthwiseHeadTest {

    @Test
    void theFeaturizeOnceHeadOfAReopenedDepthwiseBlockComputesWhatTheFullGraphComputes() {
        ComputationGraph frozen = GraphSurgery.freeze(net(), List.of("conv1", "bn1", "relu1", "dw", "bnd", "relud"));
        ComputationGraph reopened = GraphSurgery.unfreeze(frozen, List.of("dw", "bnd", "relud"));
        assertThat(reopened.getLayer("dw").paramTable()).as("the fold gave the depthwise conv a bias").containsKey("b");
        INDArray x = images();
        INDArray full = reopened.outputSingle(false, x);
        assertThat(full.sub(frozen.outputSingle(false, x)).amaxNumber().doubleValue()).isLessThan(1e-5);

        FeaturizePlan plan = FeaturizePlan.of(reopened).orElseThrow();
        ComputationGraph head = plan.headGraph(reopened);
        INDArray[] features = plan.featurize(reopened, x, 4);
        assertThat(head.outputSingle(false, features).sub(full).amaxNumber().doubleValue())
                .as("the head alone on the cached features").isLessThan(1e-5);
        ComputationGraph merged = plan.merge(reopened, head);
        assertThat(merged.outputSingle(false, x).sub(full).amaxNumber().doubleValue())
                .as("the head merged back into the full graph").isLessThan(1e-5);
    }

    @Test
    void aDepthwiseConvolutionWithABiasCopiesByKeyButNotFlat() {
        ComputationGraph reopened = GraphSurgery.unfreeze(
                GraphSurgery.freeze(net(), List.of("conv1", "bn1", "relu1", "dw", "bnd", "relud")),
                List.of("dw", "bnd", "relud"));
        ComputationGraph byKey = copyOf(reopened);
        LayerParams.copy(reopened.getLayer("dw"), byKey.getLayer("dw"));
        ComputationGraph flat = copyOf(reopened);
        flat.getLayer("dw").setParams(reopened.getLayer("dw").params().dup());
        INDArray x = images();
        INDArray expected = reopened.outputSingle(false, x);
        assertThat(byKey.outputSingle(false, x).sub(expected).amaxNumber().doubleValue()).isLessThan(1e-6);
        // pins DL4J 1.0.0-M2.1's layout mismatch: if this starts to pass, the flat copy became safe again
        assertThat(flat.outputSingle(false, x).sub(expected).amaxNumber().doubleValue())
                .as("control: the flat copy scrambles the depthwise bias").isGreaterThan(1e-3);
    }

    /** The same graph with every layer but {@code dw} copied by key, {@code dw} freshly initialised. */
    private static ComputationGraph copyOf(ComputationGraph graph) {
        ComputationGraph copy = new ComputationGraph(graph.getConfiguration().clone());
        copy.init();
        for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            if (layer.numParams() > 0 && !name.equals("dw")) {
                LayerParams.copy(layer, copy.getLayer(name));
            }
        }
        return copy;
    }

    private static INDArray images() {
        Nd4j.getRandom().setSeed(9);
        return Nd4j.rand(DataType.FLOAT, 8, 3, 8, 8);
    }

    /** conv1 -> bn1 -> relu1 -> depthwise dw -> bnd -> relud -> average -> output, with non-trivial statistics. */
    private static ComputationGraph net() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).updater(new Adam(1e-2)).graphBuilder().addInputs("input")
                .setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(6).hasBias(false)
                        .activation(Activation.IDENTITY).build(), "input")
                .addLayer("bn1", new BatchNormalization.Builder().eps(1e-3).build(), "conv1")
                .addLayer("relu1", new ActivationLayer(Activation.RELU6), "bn1")
                .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(1).hasBias(false)
                        .activation(Activation.IDENTITY).build(), "relu1")
                .addLayer("bnd", new BatchNormalization.Builder().eps(1e-3).build(), "dw")
                .addLayer("relud", new ActivationLayer(Activation.RELU6), "bnd")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "relud")
                .addLayer("output", new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build(), "pool")
                .setOutputs("output").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        Nd4j.getRandom().setSeed(6);
        for (String bn : List.of("bn1", "bnd")) {
            long c = net.getLayer(bn).getParam("gamma").length();
            net.getLayer(bn).setParam("gamma", Nd4j.rand(DataType.FLOAT, 1, c).addi(0.5));
            net.getLayer(bn).setParam("beta", Nd4j.rand(DataType.FLOAT, 1, c).subi(0.5));
            net.getLayer(bn).setParam("mean", Nd4j.rand(DataType.FLOAT, 1, c).subi(0.5));
            net.getLayer(bn).setParam("var", Nd4j.rand(DataType.FLOAT, 1, c).addi(0.3));
        }
        return net;
    }
}
