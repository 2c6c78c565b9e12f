package dev.graft.training;

import dev.graft.io.JsonFields;
import dev.graft.spi.Examples;
import dev.graft.spi.LabeledSet;
import dev.graft.surgery.Pooling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Measures where to cut a backbone: one inference pass over a sample of the training split and the validation split
 * records every candidate layer's output, a softmax regression (a linear probe, the cheapest head) is trained on each
 * from the training sample, and the candidate whose probe scores best on the validation split wins.
 */
public final class CutProbe {

    /** Most examples a forward pass. */
    private static final int MAX_BATCH = 256;
    /** Memory the activations of one forward pass may take (every layer's up to the last candidate is kept). */
    private static final long ACTIVATION_BYTES = 256L << 20;
    /** Examples a step of the probe's minibatch Adam. */
    private static final int PROBE_BATCH = 64;

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
     * Probes {@code candidates} of {@code graph} (in inference mode; the graph is not changed).
     *
     * @param trainLimit most training examples the probes learn from, a seeded sample
     * @param epochs     passes of the probe's minibatch Adam over its training sample
     */
    public static Result probe(ComputationGraph graph, List<String> candidates, LabeledSet train, LabeledSet validation,
                               Pooling pooling, int trainLimit, int epochs, long seed) {
        long start = System.nanoTime();
        int[] rows = Arrays.copyOf(Examples.permutation(train.size(), new Random(seed)), Math.min(trainLimit,
                train.size()));
        Arrays.sort(rows);
        INDArray trainX = Examples.pick(train.features(), rows);
        INDArray trainY = Examples.pick(train.labels(), rows);
        INDArray[] trainF = features(graph, candidates, trainX, pooling);
        INDArray[] validationF = features(graph, candidates, validation.features(), pooling);
        double featurizeSeconds = (System.nanoTime() - start) / 1e9;
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            long t = System.nanoTime();
            double accuracy = softmaxProbe(trainF[i], trainY, validationF[i], validation.labels(), epochs, seed);
            out.add(new Row(candidates.get(i), trainF[i].size(1), accuracy, (System.nanoTime() - t) / 1e9));
        }
        // the best accuracy; on a tie the smaller feature vector, then the earlier layer
        String chosen = out.stream().max(Comparator.comparingDouble(Row::validationAccuracy)
                .thenComparing(r -> -r.features())).orElseThrow().layer();
        return new Result(out, chosen, featurizeSeconds);
    }

    /** The candidates' outputs for every example, one [n, features] array each, in one pass per batch. */
    private static INDArray[] features(ComputationGraph graph, List<String> layers, INDArray x, Pooling pooling) {
        int n = (int) x.size(0);
        INDArray[] out = new INDArray[layers.size()];
        // feedForward up to the last candidate, not output(layers, ...): in DL4J 1.0.0-M2.1 the latter leaves a
        // workspace open when one requested layer feeds another
        int last = layers.stream().mapToInt(l -> graph.getVertex(l).getVertexIndex()).max().orElseThrow();
        // every activation up to the last candidate is kept per batch: size the batch to ACTIVATION_BYTES
        long perExample = graph.feedForward(new INDArray[] {Examples.rows(x, 0, 1)}, last, false).values().stream()
                .mapToLong(a -> a.length() * a.dataType().width()).sum();
        int batchSize = (int) Math.max(1, Math.min(MAX_BATCH, ACTIVATION_BYTES / Math.max(1, perExample)));
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            Map<String, INDArray> acts = graph.feedForward(new INDArray[] {Examples.rows(x, from, to)}, last, false);
            for (int i = 0; i < layers.size(); i++) {
                INDArray v = vector(acts.get(layers.get(i)), pooling);
                if (out[i] == null) {
                    out[i] = Nd4j.create(DataType.FLOAT, n, v.size(1));
                }
                Examples.rows(out[i], from, to).assign(v);
            }
        }
        return out;
    }

    private static INDArray vector(INDArray a, Pooling pooling) {
        if (a.rank() == 4 && pooling != Pooling.FLATTEN) {
            return pooling == Pooling.AVG ? a.mean(2, 3) : a.max(2, 3);
        }
        return a.reshape('c', a.size(0), a.length() / a.size(0));
    }

    /**
     * Trains a softmax regression on standardized features with minibatch Adam (learning rate 1e-2) and returns its
     * accuracy on the validation features.
     */
    static double softmaxProbe(INDArray x, INDArray y, INDArray vx, INDArray vy, int epochs, long seed) {
        INDArray mean = x.mean(0);
        INDArray std = x.std(false, 0).addi(1e-6);
        INDArray xs = x.subRowVector(mean).diviRowVector(std);
        INDArray vs = vx.subRowVector(mean).diviRowVector(std);
        int n = (int) xs.size(0);
        long d = xs.size(1);
        long k = y.size(1);
        INDArray w = Nd4j.zeros(DataType.FLOAT, d, k);
        INDArray b = Nd4j.zeros(DataType.FLOAT, 1, k);
        INDArray mw = w.like();
        INDArray vw = w.like();
        INDArray mb = b.like();
        INDArray vb = b.like();
        double lr = 1e-2;
        double beta1 = 0.9;
        double beta2 = 0.999;
        int step = 0;
        Random random = new Random(seed);
        for (int epoch = 0; epoch < epochs; epoch++) {
            int[] order = Examples.permutation(n, random);
            for (int from = 0; from < n; from += PROBE_BATCH) {
                int[] batch = Arrays.copyOfRange(order, from, Math.min(n, from + PROBE_BATCH));
                INDArray bx = Examples.pick(xs, batch);
                INDArray by = Examples.pick(y, batch);
                INDArray p = softmax(bx.mmul(w).addiRowVector(b));
                INDArray g = p.subi(by).divi(batch.length);
                // x^T g by BLAS with the transpose flag: mmul on a transposed view copies it element by element first
                INDArray gw = Nd4j.gemm(bx, g, true, false);
                INDArray gb = g.sum(true, 0);
                step++;
                adam(w, gw, mw, vw, lr, beta1, beta2, step);
                adam(b, gb, mb, vb, lr, beta1, beta2, step);
            }
        }
        INDArray predicted = softmax(vs.mmul(w).addiRowVector(b)).argMax(1);
        INDArray actual = vy.argMax(1);
        return predicted.eq(actual).castTo(DataType.FLOAT).meanNumber().doubleValue();
    }

    private static INDArray softmax(INDArray logits) {
        INDArray shifted = logits.subColumnVector(logits.max(true, 1));
        INDArray e = Transforms.exp(shifted, false);
        return e.diviColumnVector(e.sum(true, 1));
    }

    private static void adam(INDArray param, INDArray grad, INDArray m, INDArray v, double lr, double beta1,
                             double beta2, int step) {
        m.muli(beta1).addi(grad.mul(1 - beta1));
        v.muli(beta2).addi(grad.mul(grad).muli(1 - beta2));
        double correction = lr * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step));
        param.subi(m.mul(correction).divi(Transforms.sqrt(v, true).addi(1e-8)));
    }
}
