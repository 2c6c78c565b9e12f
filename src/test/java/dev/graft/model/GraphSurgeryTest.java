package dev.graft.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import java.util.List;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

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
}
