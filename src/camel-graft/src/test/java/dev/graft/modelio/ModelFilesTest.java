package dev.graft.modelio;

import dev.graft.testing.TinyNets;
import dev.graft.surgery.GraphSurgery;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

class ModelFilesTest {

    @TempDir
    Path dir;

    @Test
    void aMultiLayerNetworkZipLoadsAsAGraphWithTheSameOutputs() throws IOException {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(6).nOut(2).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Path file = dir.resolve("mln.zip");
        ModelSerializer.writeModel(net, file.toFile(), false);
        ComputationGraph graph = ModelFiles.load(file);
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 4);
        assertThat(graph.outputSingle(x)).isEqualTo(net.output(x));
        assertThat(GraphSurgery.layerNames(graph)).hasSize(2);
    }

    @Test
    void aSavedGraphReloadsWithIdenticalPredictionsAndFrozenLayers() throws IOException {
        ComputationGraph graph = GraphSurgery.freeze(TinyNets.lenetLike(1), java.util.List.of("conv1"));
        Path file = dir.resolve("g.zip");
        ModelFiles.save(graph, file);
        ComputationGraph reloaded = ModelFiles.load(file);
        INDArray x = TinyNets.images(5, 3, 9).features();
        assertThat(reloaded.outputSingle(x)).isEqualTo(graph.outputSingle(x));
        assertThat(GraphSurgery.frozenLayers(reloaded)).containsExactly("conv1");
    }

    @Test
    void aFileThatIsNotAModelZipIsNamedInTheError() throws IOException {
        Path notZip = Files.writeString(dir.resolve("model.zip"), "hello");
        assertThatThrownBy(() -> ModelFiles.load(notZip)).isInstanceOf(DataException.class)
                .hasMessageContaining("load-backbone: cannot read model zip '" + notZip + "'");
        Path emptyZip = dir.resolve("empty.zip");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(emptyZip))) {
            out.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
        }
        assertThatThrownBy(() -> ModelFiles.load(emptyZip)).hasMessageContaining("has no configuration.json");
    }

    @Test
    void aMultiLayerNetworkKeepsItsLayerNamesAsVertexNames() throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new DenseLayer.Builder().name("hidden").nIn(4).nOut(5).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(5).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).name("out").nIn(5).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        Path file = dir.resolve("named.zip");
        ModelSerializer.writeModel(net, file.toFile(), false);
        ComputationGraph graph = ModelFiles.load(file);
        // the unnamed middle layer keeps the name DL4J gives it
        assertThat(GraphSurgery.layerNames(graph)).containsExactly("hidden", "layer1", "out");
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 4);
        assertThat(graph.outputSingle(x)).isEqualTo(net.output(x));
    }
}
