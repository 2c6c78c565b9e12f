package dev.graft.training.fastpath;

import dev.graft.spi.Examples;
import java.util.Arrays;
import java.util.Random;

/**
 * A linear probe: a softmax regression trained as {@code train} fits a softmax head on featurized examples (the
 * raw features, weights drawn as build-head draws them, minibatch Adam), on the small head's kernels
 * ({@link HeadKernels#best()}: SIMD where the JVM has the Vector API, which the launcher, the tests and the
 * benchmark give it), scored by its accuracy on held-out features. Where {@code build-head?from=auto} spends its
 * time after the shared forward pass: on 2,000 LeNet examples of 2,880 features, five epochs take tens of
 * milliseconds here, against about a second for the loop it replaced (plain Java, the classes innermost).
 *
 * <p>Features are row-major float arrays of {@code dims} values a row, labels class indices. The inputs are not
 * changed. Stateless and thread-safe.
 */
public final class LinearProbe {

    /** Adam's first and second moment decay rates and epsilon (DL4J's defaults). */
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;
    /** Rows scored at a time on the held-out features. */
    private static final int SCORE_ROWS = 256;

    private final HeadKernels kernels;

    private LinearProbe(HeadKernels kernels) {
        this.kernels = kernels;
    }

    /** The probe on the best kernels this JVM has. */
    public static LinearProbe best() {
        return new LinearProbe(HeadKernels.best());
    }

    /** The probe on plain loops, on any JVM (to compare the two). */
    static LinearProbe scalar() {
        return new LinearProbe(HeadKernels.scalar());
    }

    /** How the probe trains: passes over its examples, examples a step, Adam's learning rate, the shuffle's seed. */
    public record Settings(int epochs, int batchSize, double learningRate, long seed) {

        public Settings {
            if (epochs < 1 || batchSize < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("linear probe: epochs " + epochs + ", batch size " + batchSize
                        + " and learning rate " + learningRate + "; expected at least 1, at least 1 and above 0");
            }
        }
    }

    /**
     * Trains the probe on {@code x} (labels {@code y}) and returns its accuracy on {@code heldOut} (labels
     * {@code heldOutY}).
     *
     * @throws IllegalArgumentException when an array's length does not match {@code dims} and its labels, or a label
     *                                  is outside {@code 0..classes-1}
     */
    public double accuracy(float[] x, int[] y, float[] heldOut, int[] heldOutY, int dims, int classes, Settings s) {
        check(x, y, dims, classes, "training");
        check(heldOut, heldOutY, dims, classes, "held-out");
        float[] w = glorot(dims, classes, s.seed()); // output j's weights at j*dims, as the kernels keep them
        float[] b = new float[classes];
        train(x, y, dims, classes, w, b, s);
        return score(heldOut, heldOutY, dims, classes, w, b);
    }

    private void train(float[] x, int[] y, int dims, int classes, float[] w, float[] b, Settings s) {
        int n = y.length;
        int batch = Math.min(s.batchSize(), n);
        float[] m = new float[w.length + classes]; // W's moments, then b's
        float[] v = new float[w.length + classes];
        float[] gw = new float[w.length];
        float[] gb = new float[classes];
        float[] z = new float[batch * classes];
        int[] rows = new int[batch];
        Random random = new Random(s.seed());
        int iteration = 0;
        for (int epoch = 0; epoch < s.epochs(); epoch++) {
            int[] order = Examples.permutation(n, random);
            for (int from = 0; from < n; from += batch) {
                int count = Math.min(n, from + batch) - from;
                for (int q = 0; q < count; q++) {
                    rows[q] = order[from + q] * dims;
                }
                kernels.forward(x, rows, count, dims, w, classes, z);
                Arrays.fill(gb, 0f);
                float inverse = 1f / count;
                for (int q = 0; q < count; q++) {
                    int o = q * classes;
                    softmax(z, o, b, classes);
                    z[o + y[order[from + q]]] -= 1f;
                    for (int c = 0; c < classes; c++) {
                        z[o + c] *= inverse; // the mean loss's gradient
                        gb[c] += z[o + c];
                    }
                }
                kernels.weightGradient(x, rows, count, dims, z, classes, gw);
                iteration++;
                float alpha = (float) (s.learningRate() * Math.sqrt(1 - Math.pow(BETA2, iteration))
                        / (1 - Math.pow(BETA1, iteration)));
                kernels.adam(gw, m, v, 0, BETA1, BETA2, alpha, EPSILON);
                kernels.adam(gb, m, v, w.length, BETA1, BETA2, alpha, EPSILON);
                for (int i = 0; i < w.length; i++) {
                    w[i] -= gw[i];
                }
                for (int c = 0; c < classes; c++) {
                    b[c] -= gb[c];
                }
            }
        }
    }

    private double score(float[] x, int[] y, int dims, int classes, float[] w, float[] b) {
        int n = y.length;
        if (n == 0) {
            return Double.NaN;
        }
        int[] rows = new int[SCORE_ROWS];
        float[] z = new float[SCORE_ROWS * classes];
        int correct = 0;
        for (int from = 0; from < n; from += SCORE_ROWS) {
            int count = Math.min(n, from + SCORE_ROWS) - from;
            for (int q = 0; q < count; q++) {
                rows[q] = (from + q) * dims;
            }
            kernels.forward(x, rows, count, dims, w, classes, z);
            for (int q = 0; q < count; q++) {
                int o = q * classes;
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (z[o + c] + b[c] > z[o + best] + b[best]) {
                        best = c;
                    }
                }
                correct += best == y[from + q] ? 1 : 0;
            }
        }
        return (double) correct / n;
    }

    /**
     * Weights drawn as build-head draws a new head's (DL4J's XAVIER: normal, variance 2 / (fan-in + fan-out)), so the
     * probe starts where the head will: from zero weights it learnt a wide cut of large activations much faster than
     * the head then did (MobileNetV2's block_13_expand_relu: 0.93 on validation against the head's 0.83 after the same
     * 10 epochs), and ranked that cut first.
     */
    private static float[] glorot(int dims, int classes, long seed) {
        Random random = new Random(seed * 31 + 7);
        double std = Math.sqrt(2.0 / (dims + classes));
        float[] w = new float[classes * dims];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() * std);
        }
        return w;
    }

    /** Adds the bias to row {@code o} of {@code z} and replaces it by its softmax. */
    private static void softmax(float[] z, int o, float[] b, int classes) {
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            z[o + c] += b[c];
            max = Math.max(max, z[o + c]);
        }
        float sum = 0;
        for (int c = 0; c < classes; c++) {
            z[o + c] = (float) Math.exp(z[o + c] - max);
            sum += z[o + c];
        }
        for (int c = 0; c < classes; c++) {
            z[o + c] /= sum;
        }
    }

    private static void check(float[] x, int[] y, int dims, int classes, String which) {
        if (dims < 1 || classes < 2 || (long) y.length * dims != x.length) {
            throw new IllegalArgumentException("linear probe: " + which + " features of " + x.length + " values for "
                    + y.length + " labels; expected " + y.length + " x " + dims + " values and at least 2 classes");
        }
        for (int label : y) {
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("linear probe: " + which + " label " + label + "; expected 0 to "
                        + (classes - 1));
            }
        }
    }
}
