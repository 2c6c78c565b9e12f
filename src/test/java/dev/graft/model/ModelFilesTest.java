package dev.graft.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Test
    void aMultiLayerNetworkLoadsAsAGraphNamedByItsLayersWithTheSameOutputs(@TempDir Path dir) throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new DenseLayer.Builder().name("hidden").nIn(4).nOut(5).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(5).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).name("out").nIn(5).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        Path file = dir.resolve("mln.zip");
        ModelSerializer.writeModel(net, file.toFile(), false);
        ComputationGraph graph = ModelFiles.load(file);
        // the unnamed middle layer keeps the name DL4J gives it
        assertThat(GraphSurgery.layerNames(graph)).containsExactly("hidden", "layer1", "out");
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 4);
        assertThat(graph.outputSingle(x)).isEqualTo(net.output(x));
    }

    @Test
    void aFileThatIsNeitherAModelZipNorKerasSaysWhatIsExpected(@TempDir Path dir) throws IOException {
        Path notAModel = Files.writeString(dir.resolve("model.zip"), "hello");
        assertThatThrownBy(() -> ModelFiles.load(notAModel)).isInstanceOf(DataException.class)
                .hasMessageContaining("load-backbone: cannot read model zip '" + notAModel + "'")
                .hasMessageContaining("expected a DL4J model zip");
    }
}
