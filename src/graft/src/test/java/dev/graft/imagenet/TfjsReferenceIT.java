package dev.graft.imagenet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.cli.GraftCli;
import dev.graft.imagenet.ImagenetModels.Model;
import dev.graft.modelio.ModelFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Graft's TF.js import of the real MobileNetV2 and InceptionV3 against {@code @tensorflow/tfjs} 4.22 on the same
 * weights: the cut features (global pooled, flattened) and the original softmax agree to 1e-4 on fixed images, both
 * for the model.json loaded directly and for the zip {@code graft import} writes. Run with {@code mvn -B verify
 * -Pimagenet}.
 */
class TfjsReferenceIT {

    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path work;

    static Stream<Model> models() {
        return Stream.of(ImagenetModels.MOBILENET_V2, ImagenetModels.INCEPTION_V3);
    }

    @ParameterizedTest
    @MethodSource("models")
    void importedModelComputesWhatTfjsComputesAtTheCutAndAtTheOutput(Model model) throws Exception {
        INDArray images = ImagenetModels.images(model.size(), model.images());
        long start = System.nanoTime();
        List<INDArray> tfjs = ImagenetModels.tfjsOutputs(model, images, work, model.features(), model.output());
        double tfjsSeconds = (System.nanoTime() - start) / 1e9;

        start = System.nanoTime();
        ComputationGraph graph = ModelFiles.load(model.modelJson());
        double importSeconds = (System.nanoTime() - start) / 1e9;
        Path zip = work.resolve(model.name() + ".zip");
        assertThat(GraftCli.execute("import", model.modelJson().toString(), zip.toString())).isZero();

        for (ComputationGraph g : List.of(graph, ModelFiles.load(zip))) {
            Map<String, INDArray> acts = g.feedForward(new INDArray[] {images}, false, false);
            INDArray features = acts.get(model.features());
            assertThat(features.shape()).containsExactly(images.size(0), model.featureWidth());
            double featureDiff = maxAbsDiff(features, tfjs.get(0));
            double outputDiff = maxAbsDiff(acts.get(model.output()), tfjs.get(1));
            System.out.printf("%s vs tfjs: max abs diff %.2g at %s, %.2g at %s (images: %d; import %.1f s, tfjs %.0f s)%n",
                    model.name(), featureDiff, model.features(), outputDiff, model.output(), images.size(0),
                    importSeconds, tfjsSeconds);
            assertThat(featureDiff).as(model.features()).isLessThan(TOLERANCE);
            assertThat(outputDiff).as(model.output()).isLessThan(TOLERANCE);
        }
        assertThat(graph.getLayers()).as("oneDNN runs the convolutions (forward pass)")
                .filteredOn(l -> l.getClass() == ConvolutionLayer.class).isNotEmpty()
                .allMatch(l -> ((ConvolutionLayer) l).getHelper() != null);
    }

    private static double maxAbsDiff(INDArray a, INDArray b) {
        assertThat(a.shape()).isEqualTo(b.shape());
        return Transforms.abs(a.castTo(b.dataType()).sub(b)).maxNumber().doubleValue();
    }
}
