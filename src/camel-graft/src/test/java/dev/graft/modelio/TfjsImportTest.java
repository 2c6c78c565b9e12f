package dev.graft.modelio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.nd4j.AxisMergeVertex;
import dev.graft.spi.DataException;
import dev.graft.surgery.GraphSurgery;
import dev.graft.testing.TfjsFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TfjsImportTest {

    @TempDir
    Path dir;

    private static float[][][] image() {
        float[][][] x = new float[2][3][3];
        for (int c = 0; c < 2; c++) {
            for (int h = 0; h < 3; h++) {
                for (int w = 0; w < 3; w++) {
                    x[c][h][w] = (c == 0 ? 1 : -1) * (h * 3 + w) / 4f - c;
                }
            }
        }
        return x;
    }

    private static INDArray batch(float[][][] x) {
        return Nd4j.create(x).reshape(1, 2, 3, 3).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }

    @Test
    void quantizedModelSplitAcrossShardsPredictsWhatTheHandComputationGivesOnChannelsFirstImages() throws IOException {
        ComputationGraph graph = ModelFiles.load(TfjsFixture.write(dir));
        assertThat(GraphSurgery.layerNames(graph)).contains("conv", "conv_b", "relu", "dense");
        float[] expected = TfjsFixture.expected(image());
        INDArray out = graph.outputSingle(batch(image()));
        assertThat(out.toFloatVector()).usingComparatorWithPrecision(1e-5f).containsExactly(expected);
    }

    @Test
    void aModelThatTensorFlow24NamesFunctionalImportsAsAKerasModel() throws IOException {
        Path json = TfjsFixture.write(dir);
        Files.writeString(json, Files.readString(json)
                .replace("\"class_name\": \"Model\"", "\"class_name\": \"Functional\""));
        assertThat(Files.readString(json)).contains("Functional");
        assertThat(ModelFiles.load(json).outputSingle(batch(image())).toFloatVector())
                .usingComparatorWithPrecision(1e-5f).containsExactly(TfjsFixture.expected(image()));
    }

    @Test
    void uint8AndUint16WeightsAreDequantizedAsMinPlusScaleTimesQ() throws IOException {
        ComputationGraph graph = ModelFiles.load(TfjsFixture.write(dir));
        INDArray convB = graph.getLayer("conv_b").getParam("W").ravel();
        assertThat(convB.toFloatVector()).containsExactly(
                TfjsFixture.dequantized(40000, -1.0, 0.0001), TfjsFixture.dequantized(1234, -1.0, 0.0001));
        assertThat(graph.getLayer("conv").getParam("W").maxNumber().floatValue())
                .isEqualTo(TfjsFixture.dequantized(255, -2.0, 0.05));
    }

    @Test
    void aConcatenationAlongChannelsKeepsItsAxisThroughConfigurationCopies() throws IOException {
        ComputationGraph graph = ModelFiles.load(TfjsFixture.write(dir));
        assertThat(graph.getConfiguration().getVertices().get("joined")).isInstanceOf(AxisMergeVertex.class);
        ComputationGraph copy = new ComputationGraph(graph.getConfiguration().clone());
        copy.init(graph.params().dup(), false);
        assertThat(copy.outputSingle(batch(image())).toFloatVector())
                .containsExactly(graph.outputSingle(batch(image())).toFloatVector());
    }

    @Test
    void theZipWrittenFromAnImportPredictsTheSame() throws IOException {
        ComputationGraph graph = ModelFiles.load(TfjsFixture.write(dir.resolve("model")));
        ModelFiles.save(graph, dir.resolve("model.zip"));
        ComputationGraph restored = ModelFiles.load(dir.resolve("model.zip"));
        assertThat(restored.outputSingle(batch(image())).toFloatVector())
                .containsExactly(graph.outputSingle(batch(image())).toFloatVector());
    }

    @Test
    void aShardPathOutsideTheModelFolderIsRefusedBeforeReading() throws IOException {
        Files.write(dir.resolve("secret.bin"), new byte[56]);
        Path json = TfjsFixture.write(dir.resolve("model"), "\"../secret.bin\"");
        assertThatThrownBy(() -> ModelFiles.load(json)).isInstanceOf(DataException.class)
                .hasMessageContaining("weight shard path '../secret.bin'")
                .hasMessageContaining("outside the model's folder");
        Path absolute = TfjsFixture.write(dir.resolve("model2"), "\"" + dir.resolve("secret.bin") + "\"");
        assertThatThrownBy(() -> ModelFiles.load(absolute)).hasMessageContaining("outside the model's folder");
    }

    @Test
    void aShardLinkedToAFileOutsideTheFolderIsRefused() throws IOException {
        Files.write(dir.resolve("secret.bin"), new byte[56]);
        Path json = TfjsFixture.write(dir.resolve("model"), "\"link.bin\"");
        Files.createSymbolicLink(dir.resolve("model/link.bin"), dir.resolve("secret.bin"));
        assertThatThrownBy(() -> ModelFiles.load(json)).hasMessageContaining("outside the model's folder");
    }

    @Test
    void shardsThatDoNotHoldWhatTheManifestListsAreADataErrorNamingBothSizes() throws IOException {
        Path json = TfjsFixture.write(dir);
        Files.write(dir.resolve("group1-shard2of2.bin"), new byte[3]);
        assertThatThrownBy(() -> ModelFiles.load(json)).isInstanceOf(DataException.class)
                .hasMessageContaining("holding 9 bytes").hasMessageContaining("52 bytes");
        Files.delete(dir.resolve("group1-shard2of2.bin"));
        assertThatThrownBy(() -> ModelFiles.load(json)).isInstanceOf(DataException.class)
                .hasMessageContaining("'group1-shard2of2.bin'").hasMessageContaining("missing");
    }

    @Test
    void aHugeShapeIsRefusedBeforeAnythingIsAllocated() throws IOException {
        Path json = TfjsFixture.write(dir);
        Files.writeString(json, Files.readString(json).replace("\"shape\": [3, 2]", "\"shape\": [2000000000, 3000]"));
        assertThatThrownBy(() -> ModelFiles.load(json)).isInstanceOf(DataException.class)
                .hasMessageContaining("weight 'dense/kernel'").hasMessageContaining("under 2^31 values");
    }

    @Test
    void float16QuantizationAndGraphModelsAreRefusedWithTheFix() throws IOException {
        Path json = TfjsFixture.write(dir);
        String text = Files.readString(json);
        Files.writeString(json, text.replace("\"dtype\": \"uint16\"", "\"dtype\": \"float16\""));
        assertThatThrownBy(() -> ModelFiles.load(json)).isInstanceOf(DataException.class)
                .hasMessageContaining("quantization dtype 'float16' of weight 'conv_b/kernel'");
        Files.writeString(json, "{\"format\": \"graph-model\", \"modelTopology\": {\"node\": []}}");
        assertThatThrownBy(() -> ModelFiles.load(json)).isInstanceOf(DataException.class)
                .hasMessageContaining("not a TensorFlow.js layers model");
    }

    @Test
    void aManifestWithoutAWeightOfTheTopologyNamesTheLayer() throws IOException {
        Path json = TfjsFixture.write(dir);
        Files.writeString(json, Files.readString(json).replace("\"conv_b/kernel\"", "\"other/kernel\""));
        assertThatThrownBy(() -> ModelFiles.load(json)).isInstanceOf(DataException.class)
                .hasMessageContaining("weight 'other/kernel' for no layer");
    }
}
