package dev.graft.training.fastpath;

import dev.graft.spi.Examples;
import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * Trains a small dense head on featurized examples in plain Java arrays: an epoch of a 500 → 5 softmax head on
 * 30,000 examples takes tens of milliseconds, where one ND4J call costs tens of microseconds and a minibatch
 * step needs about twenty of them.
 *
 * <p>The math is DL4J's, step for step, in float32: forward {@code z = x·W + b} with the layer's activation
 * (identity, ReLU, tanh, sigmoid) and a softmax output; the score is the multi-class cross-entropy of the
 * clipped softmax (as {@code LossMCXENT}) averaged over the minibatch plus the regularisation score; gradients
 * {@code p - y} backpropagated and divided by the minibatch size; L2 added before and weight decay after the
 * updater (Adam or SGD, with their learning-rate schedules); then {@code params -= update}. Sums run in another
 * order than BLAS, so results agree with {@code ComputationGraph.fit} to float rounding, not bit for bit (tested).
 *
 * <p>Each epoch reads the graph's parameters, Adam state and iteration count, and writes them back, so DL4J can
 * carry on with the graph. Qualifies ({@link #of}): what {@link DenseHeadLoop} takes, with at most
 * {@link #MAX_PARAMS} parameters, float32, the activations above, an MCXENT softmax output, one updater
 * configuration (Adam or SGD) for every parameter, and only L2 or weight-decay regularisation. Not thread-safe.
 * {@link SmallHeadSetup} checks that and builds the loop; {@link HeadActivation} holds the activations.
 */
final class SmallHeadLoop {

    /** Above this many parameters the head's products are big enough for BLAS to win. */
    static final int MAX_PARAMS = 50_000;

    /** One parameter (a W or a b) with its regularisation and its place in the flat parameter array. */
    static final class Param {
        final float[] value;
        final float[] grad;
        final int offset; // in the graph's flattened parameters (and the updater block)
        final Regularization[] regularization;

        Param(int length, int offset, List<Regularization> regularization) {
            this.value = new float[length];
            this.grad = new float[length];
            this.offset = offset;
            this.regularization = regularization.toArray(new Regularization[0]);
        }
    }

    /** A dense layer of the head: its sizes, activation and parameters. */
    record Dense(int in, int out, HeadActivation act, Param w, Param b) {
    }

    private final ComputationGraph net;
    // arrays rather than lists: the loop then has no interface calls whose receiver class could differ between the
    // warm-up and a real run, which would send the compiled loop back to the interpreter
    private final Dense[] layers;
    private final Param[] params; // W then b of each layer, bottom up
    private final IUpdater updater;
    private final int totalParams;
    private final float[] features;
    private final int inputs;
    private final int[] label;
    private final int classes;
    private final float[] m;
    private final float[] v;
    private final HeadKernels kernels;
    private float[][] acts = new float[0][];
    private float[][] deltas = new float[0][];
    private int[][] rowStarts = new int[0][]; // per layer, where each minibatch row of its input starts

    /**
     * @param net      the graph whose parameters and optimiser state each epoch reads and writes back; null for a
     *                 loop on its own arrays ({@link #warmUp})
     * @param features the examples' inputs, row-major, {@code inputs} floats a row
     */
    SmallHeadLoop(ComputationGraph net, List<Dense> layers, IUpdater updater, int totalParams,
                  float[] features, int inputs, int[] label, int classes, HeadKernels kernels) {
        this.net = net;
        this.kernels = kernels;
        this.layers = layers.toArray(new Dense[0]);
        this.params = layers.stream().flatMap(d -> java.util.stream.Stream.of(d.w, d.b)).toArray(Param[]::new);
        this.updater = updater;
        this.totalParams = totalParams;
        this.m = updater instanceof Adam ? new float[totalParams] : null;
        this.v = updater instanceof Adam ? new float[totalParams] : null;
        this.inputs = inputs;
        this.features = features;
        this.classes = classes;
        this.label = label;
    }

    /**
     * Runs the loop on made-up data shaped like a featurize-once head (35 inputs, five classes, Adam) until the JIT
     * has compiled it, kernels included (0.6-0.9 s of one core): SIMD code that the JIT has not compiled yet runs
     * about ten times slower than plain loops, which made the first epoch of a head on 30,000 featurized examples
     * take 0.2-0.4 s instead of 0.02 s. Touches no graph and no ND4J state.
     */
    static void warmUp(HeadKernels kernels) {
        int inputs = 35;
        int classes = 5;
        int n = 1026; // minibatches of 4 and a last one of 2: every path of the kernels
        float[] features = new float[n * inputs];
        int[] label = new int[n];
        for (int i = 0; i < features.length; i++) {
            features[i] = (i % 13) / 13f - 0.5f;
        }
        for (int r = 0; r < n; r++) {
            label[r] = r % classes;
        }
        List<Dense> layers = List.of(new Dense(inputs, classes, HeadActivation.SOFTMAX,
                new Param(inputs * classes, 0, List.of()), new Param(classes, inputs * classes, List.of())));
        SmallHeadLoop loop = new SmallHeadLoop(null, layers, new Adam(1e-3), (inputs + 1) * classes, features, inputs,
                label, classes, kernels);
        int[] order = Examples.permutation(n, new java.util.Random(1));
        // measured: passes got faster in three steps (the quick compiler, the optimising one for the kernels after
        // about 25 passes, then for the loop itself after about 175: 25 ms, 0.6 ms, 0.2 ms a pass); how soon
        // depends on how busy the compiler is, so stopping when passes look steady stopped too early; the first
        // 25 passes cost most of the 0.6-0.9 s this takes
        int iteration = 0;
        long deadline = System.nanoTime() + 2_500_000_000L;
        for (int pass = 0; pass < 300 && System.nanoTime() < deadline; pass++) {
            iteration = loop.train(order, 4, iteration, 0).iteration();
        }
    }

    /** The loop for {@code net} trained on {@code train}, or empty when the head does not qualify. */
    static Optional<SmallHeadLoop> of(ComputationGraph net, Examples train) {
        return of(net, train, HeadKernels.best());
    }

    /** As {@link #of(ComputationGraph, Examples)}, with the given kernels. */
    static Optional<SmallHeadLoop> of(ComputationGraph net, Examples train, HeadKernels kernels) {
        return SmallHeadSetup.of(net, train, kernels);
    }

    /** What an epoch saw: the mean minibatch score and how many examples were right before their step. */
    record Epoch(double meanScore, long correct) {
    }

    /**
     * One epoch over the examples in the given order, in minibatches of {@code batchSize}.
     *
     * @param order a permutation of the example indices (the loop's shuffle)
     */
    Epoch epoch(int[] order, int batchSize) {
        load();
        Pass pass = train(order, batchSize, net.getConfiguration().getIterationCount(),
                net.getConfiguration().getEpochCount());
        net.getConfiguration().setIterationCount(pass.iteration());
        store();
        return new Epoch(pass.scoreSum() / pass.batches(), pass.correct());
    }

    /** What one pass over the examples summed, and the iteration count after it. */
    private record Pass(double scoreSum, long correct, int batches, int iteration) {
    }

    private Pass train(int[] order, int batchSize, int iteration, int epoch) {
        ensureBuffers(batchSize);
        double scoreSum = 0;
        long correct = 0;
        int batches = 0;
        for (int from = 0; from < order.length; from += batchSize) {
            int rows = Math.min(order.length, from + batchSize) - from;
            int[] start = rowStarts[0];
            for (int r = 0; r < rows; r++) {
                start[r] = order[from + r] * inputs;
            }
            forward(rows);
            float[] p = acts[layers.length];
            double loss = 0;
            for (int r = 0; r < rows; r++) {
                int y = label[order[from + r]];
                float py = Math.min(Math.max(p[r * classes + y], 1e-10f), 1f - 1e-10f);
                loss -= Math.log(py);
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (p[r * classes + c] > p[r * classes + best]) {
                        best = c;
                    }
                }
                if (best == y) {
                    correct++;
                }
            }
            scoreSum += loss / rows + regularizationScore(iteration, epoch);
            backward(rows, order, from);
            step(iteration, epoch);
            iteration++;
            batches++;
        }
        return new Pass(scoreSum, correct, batches, iteration);
    }

    private void ensureBuffers(int batchSize) {
        if (acts.length == layers.length + 1 && rowStarts[0].length >= batchSize) {
            return;
        }
        acts = new float[layers.length + 1][];
        deltas = new float[layers.length + 1][];
        rowStarts = new int[layers.length][];
        rowStarts[0] = new int[batchSize]; // rows of the features, set per minibatch
        for (int l = 0; l < layers.length; l++) {
            int out = layers[l].out;
            acts[l + 1] = new float[batchSize * out];
            deltas[l + 1] = new float[batchSize * out];
            if (l + 1 < layers.length) {
                rowStarts[l + 1] = new int[batchSize];
                for (int r = 0; r < batchSize; r++) {
                    rowStarts[l + 1][r] = r * out;
                }
            }
        }
    }

    /** The input of layer {@code l}: the featurized examples for the first, the layer below's output after. */
    private float[] input(int l) {
        return l == 0 ? features : acts[l];
    }

    private void forward(int rows) {
        for (int l = 0; l < layers.length; l++) {
            Dense d = layers[l];
            float[] z = acts[l + 1];
            float[] b = d.b.value;
            kernels.forward(input(l), rowStarts[l], rows, d.in, d.w.value, d.out, z);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < d.out; j++) {
                    z[r * d.out + j] += b[j];
                }
                d.act.apply(z, r * d.out, d.out);
            }
        }
    }

    private void backward(int rows, int[] order, int from) {
        int last = layers.length;
        float[] delta = deltas[last];
        float[] p = acts[last];
        for (int r = 0; r < rows; r++) {
            int y = label[order[from + r]];
            for (int c = 0; c < classes; c++) {
                delta[r * classes + c] = p[r * classes + c] - (c == y ? 1f : 0f);
            }
        }
        for (int l = last - 1; l >= 0; l--) {
            Dense d = layers[l];
            float[] dz = deltas[l + 1];
            float[] gw = d.w.grad;
            float[] gb = d.b.grad;
            kernels.weightGradient(input(l), rowStarts[l], rows, d.in, dz, d.out, gw);
            java.util.Arrays.fill(gb, 0f);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < d.out; j++) {
                    gb[j] += dz[r * d.out + j];
                }
            }
            float scale = 1f / rows;
            for (int i = 0; i < gw.length; i++) {
                gw[i] *= scale;
            }
            for (int j = 0; j < gb.length; j++) {
                gb[j] *= scale;
            }
            if (l > 0) {
                Dense below = layers[l - 1];
                float[] eps = deltas[l];
                float[] a = acts[l];
                float[] w = d.w.value;
                java.util.Arrays.fill(eps, 0, rows * d.in, 0f);
                for (int r = 0; r < rows; r++) {
                    int eo = r * d.in;
                    for (int j = 0; j < d.out; j++) {
                        float g = dz[r * d.out + j];
                        int wo = j * d.in;
                        for (int i = 0; i < d.in; i++) {
                            eps[eo + i] += g * w[wo + i];
                        }
                    }
                    for (int i = eo; i < eo + d.in; i++) {
                        eps[i] *= switch (below.act) {
                            case RELU -> a[i] > 0 ? 1f : 0f;
                            case TANH -> 1 - a[i] * a[i];
                            case SIGMOID -> a[i] * (1 - a[i]);
                            default -> 1f;
                        };
                    }
                }
            }
        }
    }

    private double regularizationScore(int iteration, int epoch) {
        double score = 0;
        for (Param p : params) {
            for (Regularization r : p.regularization) {
                double coeff = r instanceof L2Regularization l2 ? l2.getL2().valueAt(iteration, epoch)
                        : ((WeightDecay) r).getCoeff().valueAt(iteration, epoch);
                double sq = 0;
                for (float value : p.value) {
                    sq += (double) value * value;
                }
                score += 0.5 * coeff * sq;
            }
        }
        return score;
    }

    private void step(int iteration, int epoch) {
        double lr = updater.getLearningRate(iteration, epoch);
        float alpha = 0;
        float beta1 = 0;
        float beta2 = 0;
        float eps = 0;
        if (updater instanceof Adam adam) {
            beta1 = (float) adam.getBeta1();
            beta2 = (float) adam.getBeta2();
            eps = (float) adam.getEpsilon();
            float beta1t = (float) Math.pow(beta1, iteration + 1);
            float beta2t = (float) Math.pow(beta2, iteration + 1);
            alpha = (float) (lr * Math.sqrt(1 - beta2t) / (1 - beta1t));
            if (Float.isNaN(alpha) || Float.isInfinite(alpha) || alpha == 0) {
                alpha = eps;
            }
        }
        for (Param p : params) {
            float[] g = p.grad;
            float[] w = p.value;
            for (Regularization r : p.regularization) {
                if (r instanceof L2Regularization l2) {
                    float c = (float) l2.getL2().valueAt(iteration, epoch);
                    for (int i = 0; i < g.length; i++) {
                        g[i] += c * w[i];
                    }
                }
            }
            if (m != null) {
                kernels.adam(g, m, v, p.offset, beta1, beta2, alpha, eps);
            } else {
                float rate = (float) lr;
                for (int i = 0; i < g.length; i++) {
                    g[i] *= rate;
                }
            }
            for (Regularization r : p.regularization) {
                if (r instanceof WeightDecay wd) {
                    float c = (float) (wd.getCoeff().valueAt(iteration, epoch) * (wd.isApplyLR() ? lr : 1));
                    for (int i = 0; i < g.length; i++) {
                        g[i] += c * w[i];
                    }
                }
            }
            for (int i = 0; i < g.length; i++) {
                w[i] -= g[i];
            }
        }
    }

    /** Reads the graph's parameters and optimiser state (two native calls each). */
    private void load() {
        float[] flat = net.params().dup().data().asFloat();
        for (Param p : params) {
            System.arraycopy(flat, p.offset, p.value, 0, p.value.length);
        }
        if (m != null) {
            float[] state = net.getUpdater().getStateViewArray().dup().data().asFloat();
            System.arraycopy(state, 0, m, 0, totalParams);
            System.arraycopy(state, totalParams, v, 0, totalParams);
        }
    }

    /** Writes the parameters and optimiser state back into the graph (two native calls each). */
    private void store() {
        float[] flat = new float[totalParams];
        for (Param p : params) {
            System.arraycopy(p.value, 0, flat, p.offset, p.value.length);
        }
        INDArray params = net.params();
        params.assign(Nd4j.create(flat, params.shape(), params.ordering()));
        if (m != null) {
            float[] state = new float[2 * totalParams];
            System.arraycopy(m, 0, state, 0, totalParams);
            System.arraycopy(v, 0, state, totalParams, totalParams);
            INDArray view = net.getUpdater().getStateViewArray();
            view.assign(Nd4j.create(state, view.shape(), view.ordering()));
        }
    }
}
