package dev.graft.training.fastpath;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HeadKernelsTest {

    /** Products in double precision, the reference both kernels are held to. */
    private static double[] forward(float[] x, int[] rows, int n, int in, float[] w, int out) {
        double[] z = new double[n * out];
        for (int q = 0; q < n; q++) {
            for (int j = 0; j < out; j++) {
                for (int i = 0; i < in; i++) {
                    z[q * out + j] += (double) x[rows[q] + i] * w[j * in + i];
                }
            }
        }
        return z;
    }

    private static double[] weightGradient(float[] x, int[] rows, int n, int in, float[] dz, int out) {
        double[] gw = new double[in * out];
        for (int q = 0; q < n; q++) {
            for (int j = 0; j < out; j++) {
                for (int i = 0; i < in; i++) {
                    gw[j * in + i] += (double) x[rows[q] + i] * dz[q * out + j];
                }
            }
        }
        return gw;
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() * 2 - 1;
        }
        return a;
    }

    @Test
    void bothKernelsComputeTheProductsOnRowsWhereverTheyLie() {
        Random r = new Random(7);
        // widths around the vector length and its multiples, outputs that use the four-wide block, the rest and both
        for (int in : new int[] {1, 3, 8, 16, 17, 35, 500}) {
            for (int out : new int[] {1, 3, 4, 5, 9}) {
                int n = 1 + r.nextInt(40);
                int stored = 60;
                float[] x = random(r, stored * in);
                int[] rows = new int[n + 3];
                for (int q = 0; q < rows.length; q++) {
                    rows[q] = r.nextInt(stored) * in; // any rows, in any order, repeats allowed
                }
                float[] w = random(r, in * out);
                float[] dz = random(r, n * out);
                double[] zExpected = forward(x, rows, n, in, w, out);
                double[] gExpected = weightGradient(x, rows, n, in, dz, out);
                for (HeadKernels k : new HeadKernels[] {HeadKernels.scalar(), HeadKernels.best()}) {
                    float[] z = random(r, n * out + 2); // stale values must be overwritten, the rest untouched
                    float zTail = z[n * out];
                    float[] gw = random(r, in * out);
                    k.forward(x, rows, n, in, w, out, z);
                    k.weightGradient(x, rows, n, in, dz, out, gw);
                    for (int e = 0; e < n * out; e++) {
                        assertThat((double) z[e]).as("%s z[%d], in=%d out=%d", k, e, in, out)
                                .isCloseTo(zExpected[e], org.assertj.core.api.Assertions.within(1e-4 * in));
                    }
                    assertThat(z[n * out]).isEqualTo(zTail);
                    for (int e = 0; e < in * out; e++) {
                        assertThat((double) gw[e]).as("%s gw[%d], in=%d out=%d", k, e, in, out)
                                .isCloseTo(gExpected[e], org.assertj.core.api.Assertions.within(1e-4 * n));
                    }
                }
            }
        }
    }

    @Test
    void adamGivesTheSameBitsOnBothKernels() {
        Random r = new Random(3);
        for (int n : new int[] {1, 5, 16, 37, 2505}) {
            float[] g = random(r, n);
            float[] m = random(r, n + 7);
            float[] v = random(r, n + 7);
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.abs(v[i]) * 1e-3f;
            }
            float[] g2 = g.clone();
            float[] m2 = m.clone();
            float[] v2 = v.clone();
            HeadKernels.scalar().adam(g, m, v, 7, 0.9f, 0.999f, 1e-3f, 1e-8f);
            HeadKernels.best().adam(g2, m2, v2, 7, 0.9f, 0.999f, 1e-3f, 1e-8f);
            assertThat(g2).containsExactly(g);
            assertThat(m2).containsExactly(m);
            assertThat(v2).containsExactly(v);
        }
    }

    @Test
    void theTestJvmHasTheVectorKernelsAsTheLauncherDoes() {
        // surefire runs with --add-modules jdk.incubator.vector, like ./graft; without it this path goes untested
        assertThat(HeadKernels.best()).isInstanceOf(VectorHeadKernels.class);
    }

    @Test
    void warmingUpLeavesTheKernelsComputingTheSame() {
        float[] x = {1, 2, 3};
        float[] w = {0.5f, -1, 2};
        float[] z = new float[1];
        SmallHeadLoop.warmUp(HeadKernels.best());
        HeadKernels.best().forward(x, new int[] {0}, 1, 3, w, 1, z);
        assertThat(z[0]).isEqualTo(4.5f);
    }
}
