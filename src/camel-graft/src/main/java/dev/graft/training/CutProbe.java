package dev.graft.training;

import dev.graft.io.JsonFields;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.Examples;
import dev.graft.spi.LabeledSet;
import dev.graft.surgery.Pooling;
import dev.graft.training.featurize.FeaturizePlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Measures where to cut a backbone: one inference pass over a sample of the training split and the validation split
 * records every candidate layer's output, a softmax regression (a linear probe, the cheapest head) is trained on each
 * from the training sample, and the candidate whose probe scores best on the validation split wins.
 */
public final class CutProbe {

    /** Most examples a forward pass. */
    private static final int MAX_BATCH = 256;

    private CutProbe() {
    }

    /**
     * One candidate's figures.
     *
     * @param layer              the layer whose output was probed
     * @param features           values per example after pooling
     * @param validationAccuracy the probe's accuracy on the validation split
     * @param seconds            time to train and score its probe (the shared forward pass not included)
     */
    public record Row(String layer, long features, double validationAccuracy, double seconds) {

        /** The row as JSON fields. */
        public Map<String, Object> toJson() {
            return JsonFields.of("layer", layer, "features", features, "validationAccuracy", validationAccuracy,
                    "seconds", seconds);
        }
    }

    /**
     * The outcome: the rows in the candidates' order, the chosen layer, and the time of the shared forward pass.
     */
    public record Result(List<Row> rows, String chosen, double featurizeSeconds) {

        /** The key of the result in a run's attributes. */
        public static final String ATTRIBUTE = "graft.cut.probe";

        public Result {
            rows = List.copyOf(rows);
        }

        /** The result as JSON fields. */
        public Map<String, Object> toJson() {
            return JsonFields.of("chosen", chosen, "featurizeSeconds", featurizeSeconds,
                    "candidates", rows.stream().map(Row::toJson).toList());
        }
    }

    /**
     * The default candidates: the output of every pooling and dense layer before the graph's output layers, in
     * topological order.
     */
    public static List<String> defaultCandidates(ComputationGraph graph) {
        List<String> out = new ArrayList<>();
        for (String name : graph.getConfiguration().getTopologicalOrderStr()) {
            if (graph.getConfiguration().getVertices().get(name) instanceof LayerVertex v) {
                Layer layer = v.getLayerConf().getLayer();
                if (layer instanceof FrozenLayer f) {
                    layer = f.getLayer();
                }
                if (!(layer instanceof BaseOutputLayer) && (layer instanceof SubsamplingLayer
                        || layer instanceof GlobalPoolingLayer || layer instanceof DenseLayer)) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    /**
     * Trains a probe on one candidate's features (row-major, {@code dims} a row; labels are class indices) and
     * returns its accuracy on the held-out ones: {@code training.fastpath.LinearProbe}, which the caller binds to its
     * settings (this package does not import the fast path, which imports it).
     */
    @FunctionalInterface
    public interface Scorer {
        double accuracy(float[] x, int[] y, float[] heldOut, int[] heldOutY, int dims, int classes);
    }

    /**
     * Probes {@code candidates} of {@code graph} (in inference mode; the graph is not changed): one forward pass
     * computes every candidate's output for the sample and the validation split ({@code FeaturizePlan.layerOutputs},
     * the featurize path {@code train} uses), vectorised as the head would be ({@code pooling}), and {@code probe}
     * trains and scores a linear probe on each.
     *
     * @param inputTypes the graph's input types, which say whether image outputs are channels-first or -last
     * @param trainLimit most training examples the probes learn from, a sample seeded by {@code seed}
     */
    public static Result probe(ComputationGraph graph, List<String> candidates, InputType[] inputTypes,
                               LabeledSet train, LabeledSet validation, Pooling pooling, int trainLimit, long seed,
                               Scorer probe) {
        long start = System.nanoTime();
        int[] rows = Arrays.copyOf(Examples.permutation(train.size(), new Random(seed)), Math.min(trainLimit,
                train.size()));
        Arrays.sort(rows);
        INDArray trainX = Examples.pick(train.features(), rows);
        int[] trainY = Examples.pick(train.labels(), rows).argMax(1).toIntVector();
        int[] validationY = validation.labels().argMax(1).toIntVector();
        int classes = (int) train.labels().size(1);
        FeaturizePlan.Featurizer featurizer = FeaturizePlan.layerOutputs(graph, candidates);
        Map<String, CNN2DFormat> formats = formats(graph, candidates, inputTypes);
        INDArray[] trainF = featurizer.featurize(trainX, MAX_BATCH, done -> { }, vectoriser(candidates, formats, pooling));
        INDArray[] validationF = featurizer.featurize(validation.features(), MAX_BATCH, done -> { },
                vectoriser(candidates, formats, pooling));
        trainX.close();
        double featurizeSeconds = (System.nanoTime() - start) / 1e9;
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            long t = System.nanoTime();
            int dims = (int) trainF[i].size(1);
            double accuracy = probe.accuracy(floats(trainF[i]), trainY, floats(validationF[i]), validationY, dims,
                    classes);
            out.add(new Row(candidates.get(i), dims, accuracy, (System.nanoTime() - t) / 1e9));
        }
        // the best accuracy; on a tie the smaller feature vector, then the earlier layer
        String chosen = out.stream().max(Comparator.comparingDouble(Row::validationAccuracy)
                .thenComparing(r -> -r.features())).orElseThrow().layer();
        return new Result(out, chosen, featurizeSeconds);
    }

    /** Each candidate's image format, where its output is an image (else absent). */
    private static Map<String, CNN2DFormat> formats(ComputationGraph graph, List<String> candidates,
                                                    InputType[] inputTypes) {
        Map<String, CNN2DFormat> out = new HashMap<>();
        Map<String, InputType> types;
        try {
            types = graph.getConfiguration().clone().getLayerActivationTypes(inputTypes);
        } catch (RuntimeException e) {
            throw new ConfigurationException("build-head: the backbone does not accept input of shape "
                    + List.of(inputTypes) + "; expected the data set's example shape to match the backbone's input", e);
        }
        for (String c : candidates) {
            if (types.get(c) instanceof InputType.InputTypeConvolutional conv) {
                out.put(c, conv.getFormat());
            }
        }
        return out;
    }

    /**
     * Per batch, the candidates' activations as vectors: flattened, or globally pooled as the head would pool them
     * (the order of flattened values does not matter to a linear probe).
     */
    private static FeaturizePlan.Each vectoriser(List<String> candidates, Map<String, CNN2DFormat> formats,
                                                 Pooling pooling) {
        return (i, a) -> {
            if (a.rank() == 4 && pooling != Pooling.FLATTEN) {
                int[] spatial = formats.get(candidates.get(i)) == CNN2DFormat.NHWC ? new int[] {1, 2} : new int[] {2, 3};
                return pooling == Pooling.AVG ? a.mean(spatial) : a.max(spatial);
            }
            return a.rank() == 2 ? a : a.dup('c').reshape('c', a.size(0), a.length() / a.size(0));
        };
    }

    private static float[] floats(INDArray a) {
        return a.dup('c').data().asFloat();
    }
}
