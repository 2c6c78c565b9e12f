package dev.graft.training.fastpath;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The arithmetic {@link SmallHeadLoop} spends its time in: a dense layer's two products, on float arrays whose rows
 * start at given offsets (so a minibatch of featurized examples is read where it lies, without gathering a copy),
 * and Adam's step.
 * Weights are stored as DL4J keeps them ('f' order {@code [in, out]}): output {@code j}'s weights are
 * {@code w[j*in .. j*in+in)}.
 *
 * <p>Two implementations: SIMD loops over the JDK's Vector API when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} (the launcher, the tests and the benchmark do), and plain loops
 * otherwise. The products' sums run in a different order in each, so they agree to float rounding; Adam's step
 * gives the same bits. Stateless and thread-safe.
 */
interface HeadKernels {

    /**
     * {@code z[q*out + j] = Σ_i x[rows[q] + i] · w[j*in + i]} for the first {@code n} rows, overwriting {@code z}.
     */
    void forward(float[] x, int[] rows, int n, int in, float[] w, int out, float[] z);

    /**
     * {@code gw[j*in + i] = Σ_q x[rows[q] + i] · dz[q*out + j]} over the first {@code n} rows, overwriting
     * {@code gw}: the weight gradient before it is divided by the minibatch size.
     */
    void weightGradient(float[] x, int[] rows, int n, int in, float[] dz, int out, float[] gw);

    /**
     * Adam's step for one parameter, as DL4J computes it in float: for each {@code i}, with {@code k = offset + i},
     * {@code m[k] = beta1·m[k] + g[i]·(1-beta1)}, {@code v[k] = beta2·v[k] + g[i]²·(1-beta2)}, and the update
     * {@code g[i] = m[k]·alpha / (√v[k] + eps)} in place of the gradient. Both implementations give the same bits.
     */
    void adam(float[] g, float[] m, float[] v, int offset, float beta1, float beta2, float alpha, float eps);

    /** The Vector API kernels when this JVM has the module, else the plain loops. */
    static HeadKernels best() {
        return Choice.BEST;
    }

    /** The kernels a tuning asks for: {@link #best} unless its {@code vectorKernels} is off. */
    static HeadKernels of(dev.graft.training.Tuning tuning) {
        return tuning.vectorKernels() ? best() : scalar();
    }

    /** The plain-loop kernels, on any JVM. */
    static HeadKernels scalar() {
        return Scalar.INSTANCE;
    }

    /** Picks once per JVM, logging which. */
    final class Choice {
        private static final Logger LOG = LoggerFactory.getLogger(HeadKernels.class);
        static final HeadKernels BEST = pick();

        private Choice() {
        }

        private static HeadKernels pick() {
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
                LOG.debug("small heads train with plain loops: start the JVM with --add-modules jdk.incubator.vector "
                        + "for SIMD kernels (the graft launcher does)");
                return Scalar.INSTANCE;
            }
            try {
                HeadKernels vector = new VectorHeadKernels();
                LOG.debug("small heads train with Vector API kernels ({})", vector);
                return vector;
            } catch (LinkageError e) {
                LOG.warn("train: the Vector API is present but unusable ({}); small heads train with plain loops",
                        e.toString());
                return Scalar.INSTANCE;
            }
        }
    }

    /** Plain loops: per row, four outputs' dot products at a time; the gradient as row-by-row updates. */
    final class Scalar implements HeadKernels {
        static final Scalar INSTANCE = new Scalar();

        private Scalar() {
        }

        @Override
        public void forward(float[] x, int[] rows, int n, int in, float[] w, int out, float[] z) {
            for (int q = 0; q < n; q++) {
                int xo = rows[q];
                int j = 0;
                for (; j + 4 <= out; j += 4) {
                    int w0 = j * in;
                    int w1 = w0 + in;
                    int w2 = w1 + in;
                    int w3 = w2 + in;
                    float s0 = 0;
                    float s1 = 0;
                    float s2 = 0;
                    float s3 = 0;
                    for (int i = 0; i < in; i++) {
                        float xi = x[xo + i];
                        s0 += xi * w[w0 + i];
                        s1 += xi * w[w1 + i];
                        s2 += xi * w[w2 + i];
                        s3 += xi * w[w3 + i];
                    }
                    z[q * out + j] = s0;
                    z[q * out + j + 1] = s1;
                    z[q * out + j + 2] = s2;
                    z[q * out + j + 3] = s3;
                }
                for (; j < out; j++) {
                    int wo = j * in;
                    float s = 0;
                    for (int i = 0; i < in; i++) {
                        s += x[xo + i] * w[wo + i];
                    }
                    z[q * out + j] = s;
                }
            }
        }

        @Override
        public void weightGradient(float[] x, int[] rows, int n, int in, float[] dz, int out, float[] gw) {
            java.util.Arrays.fill(gw, 0, in * out, 0f);
            for (int q = 0; q < n; q++) {
                int xo = rows[q];
                for (int j = 0; j < out; j++) {
                    float g = dz[q * out + j];
                    int wo = j * in;
                    for (int i = 0; i < in; i++) { // an update of a whole row, which the JIT turns into SIMD
                        gw[wo + i] += x[xo + i] * g;
                    }
                }
            }
        }

        @Override
        public void adam(float[] g, float[] m, float[] v, int offset, float beta1, float beta2, float alpha, float eps) {
            float c1 = 1 - beta1;
            float c2 = 1 - beta2;
            for (int i = 0, k = offset; i < g.length; i++, k++) {
                m[k] = beta1 * m[k] + g[i] * c1;
                v[k] = beta2 * v[k] + g[i] * g[i] * c2;
                g[i] = m[k] * alpha / ((float) Math.sqrt(v[k]) + eps);
            }
        }

        @Override
        public String toString() {
            return "plain loops";
        }
    }
}
