package dev.graft.surgery;

import dev.graft.training.fastpath.LocalTraining;
import dev.graft.modelio.ModelFiles;
import dev.graft.testing.TinyNets;
import dev.graft.training.Trainer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

class GraphSurgeryTest {

    @Test
    void listsLayersInTopologicalOrder() {
        assertThat(GraphSurgery.layerNames(TinyNets.lenetLike(1)))
                .containsExactly("conv1", "pool1", "conv2", "dense1", "output");
    }

    @Test
    void freezingReturnsANewGraphAndLeavesTheInputUnchanged() {
        ComputationGraph graph = TinyNets.lenetLike(1);
        ComputationGraph frozen = GraphSurgery.freeze(graph, List.of("conv1", "conv2"));
        assertThat(GraphSurgery.frozenLayers(frozen)).containsExactly("conv1", "conv2");
        assertThat(GraphSurgery.frozenLayers(graph)).isEmpty();
        assertThat(frozen.params()).isEqualTo(graph.params());
    }

    @Test
    void unknownLayerNameListsTheLayers() {
        assertThatThrownBy(() -> GraphSurgery.freeze(TinyNets.lenetLike(1), List.of("conv6")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("freeze-layers: unknown layer 'conv6'; expected one of [conv1, pool1, conv2, dense1, output]");
    }

    @Test
    void headIsWiredToTheNamedLayerOutputAndKeepsTheBackboneWeights() {
        ComputationGraph graph = TinyNets.lenetLike(1);
        ComputationGraph headed = GraphSurgery.withHead(graph, List.of("dense1"),
                HeadLayer.parseAll("dense(8,relu),dropout(0.5),output(2,softmax)"), TinyNets.INPUT, 0, 7);
        assertThat(GraphSurgery.layerNames(headed))
                .containsExactly("conv1", "pool1", "conv2", "dense1", "head-1-dense", "head-2-dropout", "head-output");
        assertThat(headed.getConfiguration().getVertexInputs().get("head-1-dense")).containsExactly("dense1");
        assertThat(headed.getConfiguration().getNetworkOutputs()).containsExactly("head-output");
        assertThat(headed.getLayer("dense1").params()).isEqualTo(graph.getLayer("dense1").params());
        assertThat(headed.getLayer("head-1-dense").params().size(0)).isEqualTo(16 * 8 + 8);
        INDArray out = headed.outputSingle(TinyNets.images(4, 3, 1).features());
        assertThat(out.shape()).containsExactly(4, 2);
    }

    @Test
    void severalLayerOutputsAreFlattenedAndConcatenatedBeforeTheHead() {
        ComputationGraph headed = GraphSurgery.withHead(TinyNets.lenetLike(1), List.of("pool1", "dense1"),
                HeadLayer.parseAll("output(3,softmax)"), TinyNets.INPUT, 0, 7);
        assertThat(headed.getConfiguration().getVertices().get("head-merge")).isInstanceOf(MergeVertex.class);
        assertThat(headed.getConfiguration().getVertexInputs().get("head-merge")).containsExactly("pool1-flat", "dense1");
        // pool1 is 4 channels x 3 x 3 = 36 values, dense1 16: the output layer sees 52 inputs
        assertThat(headed.getLayer("head-output").params().size(0)).isEqualTo(52 * 3 + 3);
        assertThat(headed.outputSingle(TinyNets.images(2, 3, 1).features()).shape()).containsExactly(2, 3);
    }

    @Test
    void outputWithoutAClassCountTakesItFromTheData() {
        ComputationGraph headed = GraphSurgery.withHead(TinyNets.lenetLike(1), List.of("dense1"),
                HeadLayer.parseAll("output(softmax)"), TinyNets.INPUT, 4, 7);
        assertThat(headed.outputSingle(TinyNets.images(2, 3, 1).features()).shape()).containsExactly(2, 4);
        assertThatThrownBy(() -> GraphSurgery.withHead(TinyNets.lenetLike(1), List.of("dense1"),
                HeadLayer.parseAll("output(softmax)"), TinyNets.INPUT, 0, 7))
                .hasMessageContaining("needs the number of classes");
    }

    @Test
    void badHeadDeclarationsNameTheLayerAndTheForm() {
        assertThatThrownBy(() -> HeadLayer.parseAll("dense(128,relu)"))
                .hasMessageContaining("expected a list ending with output");
        assertThatThrownBy(() -> HeadLayer.parseAll("dense(x,relu),output(5,softmax)"))
                .hasMessageContaining("bad head layer 'dense(x,relu)'");
        assertThatThrownBy(() -> HeadLayer.parseAll("conv(3),output(5,softmax)"))
                .hasMessageContaining("bad head layer 'conv(3)'");
        assertThatThrownBy(() -> HeadLayer.parseAll("dropout(1.5),output(5,softmax)"))
                .hasMessageContaining("between 0 and 1");
    }

    @Test
    void unfreezingReopensOnlyTheNamedLayersAndKeepsTheirWeights() {
        ComputationGraph frozen = GraphSurgery.freeze(TinyNets.lenetLike(1), List.of("conv1", "pool1", "conv2"));
        ComputationGraph reopened = GraphSurgery.unfreeze(frozen, List.of("conv2", "dense1"));
        assertThat(GraphSurgery.frozenLayers(reopened)).containsExactly("conv1", "pool1");
        assertThat(reopened.params()).isEqualTo(frozen.params());
        assertThat(GraphSurgery.frozenLayers(frozen)).containsExactly("conv1", "pool1", "conv2");
        assertThat(reopened.getLayer("conv2").conf().getLayer().getClass().getSimpleName()).isEqualTo("ConvolutionLayer");
    }

    @Test
    void frozenBatchNormalisationKeepsItsRunningStatisticsThroughTraining() {
        ComputationGraph net = TinyNets.withBatchNorm(2);
        // the generated images have mean ~0.3, far from the initial running mean 0, so training mode moves it
        ComputationGraph frozen = GraphSurgery.freeze(net, List.of("conv1", "bn1"));
        Trainer.Settings settings = new Trainer.Settings(2, 16, new Adam(1e-2), 5, false);
        Trainer.Result trainedFrozen = LocalTraining.train(frozen, TinyNets.splits(96, 30, 3), settings, (r, e) -> { });
        Trainer.Result trainedOpen = LocalTraining.train(net, TinyNets.splits(96, 30, 3), settings, (r, e) -> { });

        INDArray before = net.getLayer("bn1").params();
        assertThat(before.length()).isEqualTo(4 * 4); // gamma, beta, running mean, running variance for 4 channels
        assertThat(trainedFrozen.model().getLayer("bn1").params()).isEqualTo(before);
        assertThat(trainedFrozen.model().getLayer("dense1").params()).isNotEqualTo(net.getLayer("dense1").params());
        assertThat(trainedOpen.model().getLayer("bn1").params()).isNotEqualTo(before);
        // inference mode while training: a frozen BN computes the same output in training and test mode
        INDArray x = TinyNets.images(8, 3, 9).features();
        ComputationGraph f = trainedFrozen.model();
        assertThat(f.feedForward(x, true).get("bn1")).isEqualTo(f.feedForward(x, false).get("bn1"));
    }

    @Test
    void imageOutputsAreFlattenedOrGloballyPooledAsDeclared() {
        ComputationGraph net = TinyNets.lenetLike(1);
        List<HeadLayer> head = HeadLayer.parseAll("output(3,softmax)");
        // conv2 outputs 6 channels x 2 x 2
        ComputationGraph flat = GraphSurgery.withHead(net, List.of("conv2"), head, TinyNets.INPUT, 0, 7);
        ComputationGraph avg = GraphSurgery.withHead(net, List.of("conv2"), head, Pooling.AVG, TinyNets.INPUT, 0, 7, null);
        ComputationGraph max = GraphSurgery.withHead(net, List.of("pool1", "conv2"), head, Pooling.MAX, TinyNets.INPUT, 0, 7,
                null);
        assertThat(flat.getConfiguration().getVertexInputs().get("head-output")).containsExactly("conv2-flat");
        assertThat(flat.getLayer("head-output").params().length()).isEqualTo(24 * 3 + 3);
        assertThat(avg.getConfiguration().getVertexInputs().get("head-output")).containsExactly("conv2-avgpool");
        assertThat(avg.getLayer("head-output").params().length()).isEqualTo(6 * 3 + 3);
        assertThat(max.getConfiguration().getVertexInputs().get("head-merge"))
                .containsExactly("pool1-maxpool", "conv2-maxpool");
        assertThat(max.getLayer("head-output").params().length()).isEqualTo((4 + 6) * 3 + 3);
        INDArray x = TinyNets.images(5, 3, 1).features();
        for (ComputationGraph g : List.of(flat, avg, max)) {
            assertThat(g.outputSingle(x).shape()).containsExactly(5, 3);
        }
        INDArray conv2 = avg.feedForward(x, false).get("conv2");
        assertThat(avg.feedForward(x, false).get("conv2-avgpool")).isEqualTo(conv2.mean(2, 3));
    }

    @Test
    void aSavedModelIsSplicedInAsABlockWithItsWeightsAndItsOutputLayerBecomesHidden(@TempDir Path dir)
            throws IOException {
        ComputationGraph block = TinyNets.vectorBlock(16, 4);
        Path file = dir.resolve("block.zip");
        ModelFiles.save(block, file);
        ComputationGraph headed = GraphSurgery.withHead(TinyNets.lenetLike(1), List.of("dense1"),
                HeadLayer.parseAll("model(" + file + "),output(2,softmax)"), Pooling.FLATTEN, TinyNets.INPUT, 0, 7,
                source -> ModelFiles.load(Path.of(source)));
        assertThat(GraphSurgery.layerNames(headed)).containsExactly("conv1", "pool1", "conv2", "dense1",
                "block-1-hidden", "block-1-out", "head-output");
        assertThat(headed.getConfiguration().getVertexInputs().get("block-1-hidden")).containsExactly("dense1");
        assertThat(headed.getLayer("block-1-hidden").params()).isEqualTo(block.getLayer("hidden").params());
        assertThat(headed.getLayer("block-1-out").params()).isEqualTo(block.getLayer("out").params());
        assertThat(headed.getLayer("block-1-out").conf().getLayer().getClass().getSimpleName()).isEqualTo("DenseLayer");
        assertThat(headed.getLayer("head-output").params().length()).isEqualTo(4 * 2 + 2);
        INDArray x = TinyNets.images(3, 3, 1).features();
        INDArray dense1 = headed.feedForward(x, false).get("dense1");
        assertThat(headed.feedForward(x, false).get("block-1-out")).isEqualTo(block.outputSingle(dense1));
    }

    @Test
    void aBlockThatDoesNotFitSaysWhatItTakesAndWhatTheHeadGives(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("wide.zip");
        ModelFiles.save(TinyNets.vectorBlock(30, 4), file);
        assertThatThrownBy(() -> GraphSurgery.withHead(TinyNets.lenetLike(1), List.of("dense1"),
                HeadLayer.parseAll("dense(12,relu),model(" + file + "),output(2,softmax)"), Pooling.FLATTEN,
                TinyNets.INPUT, 0, 7, source -> ModelFiles.load(Path.of(source))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("build-head: model block '" + file + "' takes 30 inputs at layer 'hidden' but the "
                        + "head so far (from [dense1]) gives 12; expected a block whose first layer has nIn 12")
                .hasMessageContaining("hidden").hasMessageContaining("DenseLayer");
    }

    @Test
    void reHeadingAHeadedModelGivesTheNewHeadFreshWeightsOfItsOwnShape() {
        ComputationGraph once = GraphSurgery.withHead(TinyNets.lenetLike(1), List.of("dense1"),
                HeadLayer.parseAll("output(3,softmax)"), TinyNets.INPUT, 0, 7);
        ComputationGraph twice = GraphSurgery.withHead(once, List.of("dense1"),
                HeadLayer.parseAll("output(5,softmax)"), TinyNets.INPUT, 0, 7);
        assertThat(twice.getLayer("head-output").params().length()).isEqualTo(16 * 5 + 5);
        assertThat(twice.outputSingle(TinyNets.images(2, 3, 1).features()).shape()).containsExactly(2, 5);
    }

    @Test
    void aHeadOnABackboneWithTwoOutputsDropsTheOneItDoesNotUse() {
        ComputationGraph twoOutputs = TinyNets.twoOutputs(1);
        ComputationGraph headed = GraphSurgery.withHead(twoOutputs, List.of("dense1"),
                HeadLayer.parseAll("output(2,softmax)"), TinyNets.INPUT, 0, 7);
        assertThat(headed.getConfiguration().getNetworkOutputs()).containsExactly("head-output");
        assertThat(GraphSurgery.layerNames(headed)).doesNotContain("output", "aux");
    }

    @Test
    void anUnknownHeadInputListsTheLayersWithTheirOutputShapes() {
        assertThatThrownBy(() -> GraphSurgery.withHead(TinyNets.lenetLike(1), List.of("dense1", "dense9"),
                HeadLayer.parseAll("output(3,softmax)"), TinyNets.INPUT, 0, 7))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("build-head: unknown layer 'dense9'; expected one of [conv1, pool1, conv2, dense1, "
                        + "output]")
                .hasMessageContaining("pool1                SubsamplingLayer           [4,3,3]");
    }

    @Test
    void aHeadOnLayersFedByTwoBackboneInputsSaysWhichInputsItNeeds() {
        ComputationGraph twoInputs = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .graphBuilder().addInputs("left", "right")
                .addLayer("a", new DenseLayer.Builder().nIn(4).nOut(3).build(), "left")
                .addLayer("b", new DenseLayer.Builder().nIn(4).nOut(3).build(), "right")
                .addVertex("ab", new MergeVertex(), "a", "b")
                .addLayer("out", new OutputLayer.Builder().nIn(6).nOut(2).build(), "ab")
                .setOutputs("out").build());
        twoInputs.init();
        InputType[] vectors = {InputType.feedForward(4)};
        ComputationGraph onLeft = GraphSurgery.withHead(twoInputs, List.of("a"), HeadLayer.parseAll("output(2,softmax)"),
                vectors, 0, 7);
        assertThat(onLeft.getConfiguration().getNetworkInputs()).containsExactly("left");
        assertThatThrownBy(() -> GraphSurgery.withHead(twoInputs, List.of("a", "b"),
                HeadLayer.parseAll("output(2,softmax)"), vectors, 0, 7))
                .hasMessageContaining("build-head: layers [a, b] depend on the backbone inputs [left, right]; expected "
                        + "layers fed by exactly 1 input(s) of [left, right]");
    }
}
