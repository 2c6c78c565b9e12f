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
     * accuracy on the validation features. Plain Java on float arrays: a probe is a few million multiply-adds a step,
     * where ND4J's per-operation cost would dominate.
     */
    static double softmaxProbe(INDArray x, INDArray y, INDArray vx, INDArray vy, int epochs, long seed) {
        int n = (int) x.size(0);
        int d = (int) x.size(1);
        int k = (int) y.size(1);
        float[] mean = x.mean(0).toFloatVector();
        float[] std = x.std(false, 0).toFloatVector();
        float[][] xs = standardized(x, mean, std);
        float[][] vs = standardized(vx, mean, std);
        int[] labels = y.argMax(1).toIntVector();
        int[] actual = vy.argMax(1).toIntVector();
        float[] w = new float[d * k]; // [d][k]
        float[] b = new float[k];
        float[] mw = new float[w.length];
        float[] vw = new float[w.length];
        float[] mb = new float[k];
        float[] vb = new float[k];
        float[] gw = new float[w.length];
        float[] gb = new float[k];
        float[] p = new float[k];
        int step = 0;
        Random random = new Random(seed);
        for (int epoch = 0; epoch < epochs; epoch++) {
            int[] order = Examples.permutation(n, random);
            for (int from = 0; from < n; from += PROBE_BATCH) {
                int to = Math.min(n, from + PROBE_BATCH);
                Arrays.fill(gw, 0);
                Arrays.fill(gb, 0);
                for (int i = from; i < to; i++) {
                    float[] row = xs[order[i]];
                    probabilities(row, w, b, p);
                    p[labels[order[i]]] -= 1;
                    for (int j = 0; j < d; j++) {
                        float v = row[j];
                        int o = j * k;
                        for (int c = 0; c < k; c++) {
                            gw[o + c] += v * p[c];
                        }
                    }
                    for (int c = 0; c < k; c++) {
                        gb[c] += p[c];
                    }
                }
                step++;
                float scale = 1f / (to - from);
                adam(w, gw, mw, vw, scale, step);
                adam(b, gb, mb, vb, scale, step);
            }
        }
        int correct = 0;
        for (int i = 0; i < vs.length; i++) {
            probabilities(vs[i], w, b, p);
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (p[c] > p[best]) {
                    best = c;
                }
            }
            correct += best == actual[i] ? 1 : 0;
        }
        return (double) correct / vs.length;
    }

    private static float[][] standardized(INDArray a, float[] mean, float[] std) {
        float[][] rows = a.toFloatMatrix();
        for (float[] row : rows) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (row[j] - mean[j]) / (std[j] + 1e-6f);
            }
        }
        return rows;
    }

    /** Softmax of {@code row · w + b} into {@code p}. */
    private static void probabilities(float[] row, float[] w, float[] b, float[] p) {
        int k = p.length;
        System.arraycopy(b, 0, p, 0, k);
        for (int j = 0; j < row.length; j++) {
            float v = row[j];
            int o = j * k;
            for (int c = 0; c < k; c++) {
                p[c] += v * w[o + c];
            }
        }
        float max = Float.NEGATIVE_INFINITY;
        for (float v : p) {
            max = Math.max(max, v);
        }
        float sum = 0;
        for (int c = 0; c < k; c++) {
            p[c] = (float) Math.exp(p[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < k; c++) {
            p[c] /= sum;
        }
    }

    /** One Adam step (learning rate 1e-2, betas 0.9 and 0.999) with the gradient {@code grad * scale}. */
    private static void adam(float[] param, float[] grad, float[] m, float[] v, float scale, int step) {
        double correction = 1e-2 * Math.sqrt(1 - Math.pow(0.999, step)) / (1 - Math.pow(0.9, step));
        for (int i = 0; i < param.length; i++) {
            float g = grad[i] * scale;
            m[i] = 0.9f * m[i] + 0.1f * g;
            v[i] = 0.999f * v[i] + 0.001f * g * g;
            param[i] -= (float) (correction * m[i] / (Math.sqrt(v[i]) + 1e-8));
        }
    }
}
