package dev.graft.surgery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import dev.graft.testing.TinyNets;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** Reopened batch norms keep their running statistics (inference mode) while the layers around them train. */
class InferenceBatchNormTest {

    @Test
    void aReopenedBatchNormComputesWithItsRunningStatisticsInTrainingToo() {
        ComputationGraph frozen = GraphSurgery.freeze(net(), List.of("conv1", "bn1", "relu1", "conv2", "bn2", "relu2"));
        ComputationGraph reopened = GraphSurgery.unfreeze(frozen, List.of("conv2", "bn2", "relu2"));
        INDArray x = images();
        INDArray before = frozen.outputSingle(false, x);
        assertThat(reopened.outputSingle(false, x).sub(before).amaxNumber().doubleValue())
                .as("the folded pair computes what conv2 + inference-mode bn2 computed").isLessThan(1e-5);
        // a training-mode forward pass still uses the running statistics (DL4J's own unfreeze would use the batch's)
        INDArray trainingMode = reopened.feedForward(new INDArray[] {x}, true, false).get("relu2");
        INDArray inferenceMode = frozen.feedForward(new INDArray[] {x}, false, false).get("relu2");
        assertThat(trainingMode.sub(inferenceMode).amaxNumber().doubleValue()).isLessThan(1e-5);
        ComputationGraph plainUnfreeze = dl4jUnfreeze(frozen);
        assertThat(plainUnfreeze.feedForward(new INDArray[] {x}, true, false).get("relu2").sub(inferenceMode)
                .amaxNumber().doubleValue()).as("control: batch statistics differ").isGreaterThan(1e-2);

        LayerVertex bn2 = (LayerVertex) reopened.getConfiguration().getVertices().get("bn2");
        assertThat(bn2.getLayerConf().getLayer()).isInstanceOf(ActivationLayer.class);
        assertThat(reopened.getLayer("conv2").paramTable()).containsKey("b");
        assertThat(GraphSurgery.frozenLayers(reopened)).containsExactly("conv1", "bn1", "relu1");
    }

    @Test
    void gradientsReachTheReopenedConvolutionAndFrozenStatisticsStay() {
        ComputationGraph frozen = GraphSurgery.freeze(net(), List.of("conv1", "bn1", "relu1", "conv2", "bn2", "relu2"));
        ComputationGraph reopened = GraphSurgery.withUpdater(
                GraphSurgery.unfreeze(frozen, List.of("conv2", "bn2", "relu2")), new Adam(1e-2));
        GraphSurgery.requireGradientPath("train", reopened);
        INDArray conv2 = reopened.getLayer("conv2").params().dup();
        INDArray bn1 = reopened.getLayer("bn1").params().dup();
        INDArray conv1 = reopened.getLayer("conv1").params().dup();
        reopened.fit(new DataSet(images(), Nd4j.eye(3).getRows(0, 1, 2, 0, 1, 2, 0, 1).castTo(DataType.FLOAT)));
        assertThat(reopened.getLayer("conv2").params()).isNotEqualTo(conv2);
        assertThat(reopened.getLayer("bn1").params()).as("frozen running statistics").isEqualTo(bn1);
        assertThat(reopened.getLayer("conv1").params()).isEqualTo(conv1);
    }

    @Test
    void aFrozenLayerBetweenTrainableOnesIsRefusedWithTheLayerAndTheFix() {
        ComputationGraph frozen = GraphSurgery.freeze(net(), List.of("conv1", "bn1", "relu1", "conv2", "bn2", "relu2"));
        ComputationGraph gap = GraphSurgery.unfreeze(frozen, List.of("conv1", "bn1"));
        assertThatThrownBy(() -> GraphSurgery.requireGradientPath("unfreeze-layers", gap))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("unfreeze-layers: frozen layer 'relu1' lies after trainable layer 'conv1'; expected every "
                        + "layer after a trainable one to train as well (DL4J passes no gradient back through a frozen "
                        + "layer, so training would stop with 'all epsilons not set'); unfreeze 'relu1' too, or "
                        + "freeze 'conv1' and the layers before it");
        GraphSurgery.requireGradientPath("unfreeze-layers", frozen); // frozen below, trainable above: fine
    }

    @Test
    void aBatchNormAfterAnActivatedConvolutionCannotBeReopenedInInferenceMode() {
        ComputationGraph net = TinyNets.withBatchNorm(3); // conv1 has a ReLU before bn1
        ComputationGraph frozen = GraphSurgery.freeze(net, List.of("conv1", "bn1"));
        assertThatThrownBy(() -> GraphSurgery.unfreeze(frozen, List.of("bn1")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("unfreeze-layers: batch norm 'bn1' cannot train in inference mode; expected it "
                        + "right after a convolution without activation that feeds nothing else");
    }

    /** DL4J's own way to reopen: the layers unwrapped, batch norm trainable (batch statistics in training). */
    private static ComputationGraph dl4jUnfreeze(ComputationGraph frozen) {
        ComputationGraphConfiguration conf = frozen.getConfiguration().clone();
        for (String name : List.of("conv2", "bn2", "relu2")) {
            LayerVertex lv = (LayerVertex) conf.getVertices().get(name);
            lv.getLayerConf().setLayer(((org.deeplearning4j.nn.conf.layers.misc.FrozenLayer) lv.getLayerConf()
                    .getLayer()).getLayer());
        }
        ComputationGraph copy = new ComputationGraph(conf);
        copy.init(frozen.params().dup(), false);
        return copy;
    }

    private static INDArray images() {
        Nd4j.getRandom().setSeed(9);
        return Nd4j.rand(DataType.FLOAT, 8, 1, 8, 8);
    }

    /** conv1 -> bn1 -> relu1 -> conv2 -> bn2 -> relu2 -> average -> output, with non-trivial running statistics. */
    private static ComputationGraph net() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).updater(new Adam(1e-2)).graphBuilder().addInputs("input")
                .setInputTypes(InputType.convolutional(8, 8, 1))
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(4).hasBias(false)
                        .activation(Activation.IDENTITY).build(), "input")
                .addLayer("bn1", new BatchNormalization.Builder().eps(1e-3).build(), "conv1")
                .addLayer("relu1", new ActivationLayer(Activation.RELU6), "bn1")
                .addLayer("conv2", new ConvolutionLayer.Builder(3, 3).nOut(5).hasBias(false)
                        .activation(Activation.IDENTITY).build(), "relu1")
                .addLayer("bn2", new BatchNormalization.Builder().eps(1e-3).build(), "conv2")
                .addLayer("relu2", new ActivationLayer(Activation.RELU6), "bn2")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "relu2")
                .addLayer("output", new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build(), "pool")
                .setOutputs("output").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        Nd4j.getRandom().setSeed(6);
        for (String bn : List.of("bn1", "bn2")) {
            long c = net.getLayer(bn).getParam("gamma").length();
            net.getLayer(bn).setParam("gamma", Nd4j.rand(DataType.FLOAT, 1, c).addi(0.5));
            net.getLayer(bn).setParam("beta", Nd4j.rand(DataType.FLOAT, 1, c).subi(0.5));
            net.getLayer(bn).setParam("mean", Nd4j.rand(DataType.FLOAT, 1, c).subi(0.5));
            net.getLayer(bn).setParam("var", Nd4j.rand(DataType.FLOAT, 1, c).addi(0.3));
        }
        return net;
    }
}
