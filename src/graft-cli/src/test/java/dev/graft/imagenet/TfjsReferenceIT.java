package dev.graft.imagenet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.cli.GraftCli;
import dev.graft.imagenet.ImagenetModels.Model;
import dev.graft.modelio.ModelFiles;
import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.HeadLayer;
import dev.graft.surgery.Pooling;
import dev.graft.training.featurize.FeaturizePlan;
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
 * for the model.json loaded directly and for the zip {@code graft import} writes; and MobileNetV2's featurize-once
 * features on the direct path (batch norm folded) agree with tfjs's pooled features. Run with {@code mvn -B verify
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
        if (model == ImagenetModels.MOBILENET_V2) {
            featurizeOnceComputesWhatTfjsComputes(graph, model, images, tfjs.get(0));
        }
        assertThat(graph.getLayers()).as("oneDNN runs the convolutions (forward pass)")
                .filteredOn(l -> l.getClass() == ConvolutionLayer.class).isNotEmpty()
                .allMatch(l -> ((ConvolutionLayer) l).getHelper() != null);
    }

    /**
     * Featurize-once as the transfer routes run it (the backbone cut below its pooling, frozen, average-pooled under
     * a new head) on the direct path (libnd4j ops, batch norm folded) gives tfjs's pooled features.
     */
    private static void featurizeOnceComputesWhatTfjsComputes(ComputationGraph graph, Model model, INDArray images,
                                                               INDArray tfjsFeatures) {
        ComputationGraph frozen = featureGraph(graph, model);
        FeaturizePlan.Featurizer featurizer = FeaturizePlan.of(frozen).orElseThrow().featurizer(frozen);
        assertThat(featurizer.direct()).as("direct path").isTrue();
        double featurizeDiff = maxAbsDiff(featurizer.featurize(images, 256)[0], tfjsFeatures);
        System.out.printf("%s featurize-once (direct path) vs tfjs: max abs diff %.2g at the pooled features%n",
                model.name(), featurizeDiff);
        assertThat(featurizeDiff).as("featurize-once").isLessThan(TOLERANCE);
    }

    /** Everything up to the layer under the model's own pooling frozen, a new head on its global average. */
    private static ComputationGraph featureGraph(ComputationGraph graph, Model model) {
        Map<String, List<String>> inputs = graph.getConfiguration().getVertexInputs();
        String cut = inputs.get(inputs.get(model.features()).get(0)).get(0);
        List<String> layers = GraphSurgery.layerNames(graph);
        ComputationGraph frozen = GraphSurgery.freeze(graph, layers.subList(0, layers.indexOf(cut) + 1));
        return GraphSurgery.withHead(frozen, List.of(cut), HeadLayer.parseAll("output(5,softmax)"), Pooling.AVG,
                GraphSurgery.inputTypes(new long[] {3, model.size(), model.size()}), 5, 12345, source -> {
                    throw new IllegalArgumentException(source);
                });
    }

    private static double maxAbsDiff(INDArray a, INDArray b) {
        assertThat(a.shape()).isEqualTo(b.shape());
        return Transforms.abs(a.castTo(b.dataType()).sub(b)).maxNumber().doubleValue();
    }
}
