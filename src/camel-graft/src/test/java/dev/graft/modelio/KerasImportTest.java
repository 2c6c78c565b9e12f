package dev.graft.modelio;

import dev.graft.training.fastpath.LocalTraining;
import dev.graft.testing.TinyNets;
import dev.graft.training.Trainer;
import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.HeadLayer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.spi.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Keras HDF5 fixtures written by scripts/make-keras-fixtures.py, with outputs computed there in NumPy. */
class KerasImportTest {

    private static final Path DIR = Path.of("src/camel-graft/src/test/resources/keras");

    private record Expected(INDArray input, INDArray output) {
    }

    private static Expected expected(String name) throws IOException {
        JsonNode json = new ObjectMapper().readTree(DIR.resolve(name + ".expected.json").toFile());
        long[] shape = new ObjectMapper().convertValue(json.get("inputShape"), long[].class);
        float[] x = new ObjectMapper().convertValue(json.get("input"), float[].class);
        double[][] y = new ObjectMapper().convertValue(json.get("output"), double[][].class);
        return new Expected(Nd4j.create(x, shape, 'c'), Nd4j.create(y).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
    }

    private static double maxDifference(INDArray a, INDArray b) {
        return a.castTo(b.dataType()).sub(b).amaxNumber().doubleValue();
    }

    @Test
    void aSequentialChannelsLastModelImportsAndPredictsAsKerasOnChannelsFirstImages() throws IOException {
        ComputationGraph graph = ModelFiles.load(DIR.resolve("sequential.h5"));
        assertThat(GraphSurgery.layerNames(graph)).containsExactly("conv1", "pool1", "dense1", "output");
        Expected e = expected("sequential");
        assertThat(e.input().shape()).containsExactly(4, 1, 8, 8);
        assertThat(maxDifference(graph.outputSingle(e.input()), e.output())).isLessThan(1e-5);
    }

    @Test
    void aFunctionalModelImportsAsAGraphWithItsMerge() throws IOException {
        ComputationGraph graph = ModelFiles.load(DIR.resolve("functional.h5"));
        assertThat(GraphSurgery.layerNames(graph)).containsExactlyInAnyOrder("branch_a", "branch_b", "output");
        assertThat(graph.getConfiguration().getVertexInputs().get("joined")).containsExactly("branch_a", "branch_b");
        Expected e = expected("functional");
        assertThat(maxDifference(graph.outputSingle(e.input()), e.output())).isLessThan(1e-5);
    }

    @Test
    void anImportedModelTakesANewHeadOnAFlattenedConvOutputAndSurvivesSaveAndLoad(@TempDir Path dir)
            throws IOException {
        ComputationGraph graph = GraphSurgery.freeze(ModelFiles.load(DIR.resolve("sequential.h5")),
                List.of("conv1", "pool1"));
        ComputationGraph headed = GraphSurgery.withHead(graph, List.of("pool1", "dense1"),
                HeadLayer.parseAll("output(2,softmax)"), new InputType[] {InputType.convolutional(8, 8, 1)}, 0, 3);
        // pool1 is 3x3x4 = 36 values, dense1 8: 44 inputs
        assertThat(headed.getLayer("head-output").params().length()).isEqualTo(44 * 2 + 2);
        Expected e = expected("sequential");
        INDArray before = headed.outputSingle(e.input());
        Path file = dir.resolve("model.zip");
        ModelFiles.save(headed, file);
        ComputationGraph reloaded = ModelFiles.load(file);
        assertThat(reloaded.outputSingle(e.input())).isEqualTo(before);
        assertThat(GraphSurgery.frozenLayers(reloaded)).containsExactly("conv1", "pool1");
    }

    @Test
    void aChannelsLastImportFineTunesEndToEnd() {
        ComputationGraph headed = GraphSurgery.withHead(ModelFiles.load(DIR.resolve("sequential.h5")),
                List.of("dense1"), HeadLayer.parseAll("output(3,softmax)"),
                new InputType[] {InputType.convolutional(8, 8, 1)}, 0, 3);
        Trainer.Result r = LocalTraining.train(headed, TinyNets.splits(150, 30, 3),
                new Trainer.Settings(6, 16, new org.nd4j.linalg.learning.config.Adam(1e-2), 5, false), (x, e) -> { });
        // gradients flow back through the channels-last transpose into the first convolution
        assertThat(r.model().getLayer("conv1").params()).isNotEqualTo(headed.getLayer("conv1").params());
        assertThat(r.history().epochs().get(5).trainAccuracy()).isGreaterThan(0.8);
    }

    @Test
    void aBrokenHdf5FileNamesTheFileAndWhatWasExpected(@TempDir Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(DIR.resolve("sequential.h5"));
        Path broken = Files.write(dir.resolve("broken.h5"), java.util.Arrays.copyOf(bytes, 600));
        assertThatThrownBy(() -> ModelFiles.load(broken)).isInstanceOf(DataException.class)
                .hasMessageContaining("cannot import the Keras model '" + broken + "'")
                .hasMessageContaining("expected a Keras HDF5 model written by model.save(...)");
    }
}
