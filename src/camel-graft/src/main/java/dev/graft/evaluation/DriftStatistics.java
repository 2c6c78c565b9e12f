package dev.graft.evaluation;

import java.util.Arrays;
import java.util.Random;

/**
 * Distances between two data sets' summaries, as TFDV and the drift literature define them: L-infinity and
 * Jensen-Shannon distance between class distributions, the population stability index between histograms, and the
 * kernel maximum mean discrepancy between two samples of feature vectors with a seeded permutation test.
 */
public final class DriftStatistics {

    /** Added to every bin's share before PSI takes logarithms, so an empty bin is not infinitely far. */
    static final double PSI_EPSILON = 1e-4;

    private DriftStatistics() {
    }

    /** The counts as shares summing to 1; all zero when the counts are. */
    public static double[] shares(long[] counts) {
        double total = Arrays.stream(counts).sum();
        return Arrays.stream(counts).mapToDouble(c -> total == 0 ? 0 : c / total).toArray();
    }

    /** The largest difference between two distributions' shares of one category (TFDV's L-infinity norm). */
    public static double lInfinity(double[] p, double[] q) {
        double d = 0;
        for (int i = 0; i < Math.max(p.length, q.length); i++) {
            d = Math.max(d, Math.abs(at(p, i) - at(q, i)));
        }
        return d;
    }

    /** The Jensen-Shannon distance (the square root of the divergence, base 2): 0 for equal, 1 for disjoint. */
    public static double jensenShannon(double[] p, double[] q) {
        double divergence = 0;
        for (int i = 0; i < Math.max(p.length, q.length); i++) {
            double a = at(p, i);
            double b = at(q, i);
            double m = (a + b) / 2;
            divergence += (a > 0 ? a * Math.log(a / m) : 0) / 2 + (b > 0 ? b * Math.log(b / m) : 0) / 2;
        }
        return Math.sqrt(Math.max(0, divergence / Math.log(2)));
    }

    /** Population stability index, sum of (q - p) ln(q / p) over the bins' shares; under 0.1 is usually read as stable. */
    public static double psi(long[] reference, long[] current) {
        double[] p = shares(reference);
        double[] q = shares(current);
        double psi = 0;
        for (int i = 0; i < Math.max(p.length, q.length); i++) {
            double a = at(p, i) + PSI_EPSILON;
            double b = at(q, i) + PSI_EPSILON;
            psi += (b - a) * Math.log(b / a);
        }
        return psi;
    }

    private static double at(double[] v, int i) {
        return i < v.length ? v[i] : 0;
    }

    /**
     * The outcome of an MMD two-sample test.
     *
     * @param mmd2      the squared MMD of the two samples (biased V-statistic), Gaussian kernel
     * @param pValue    the share of label permutations whose MMD² is at least as large, (1 + k) / (1 + permutations)
     * @param bandwidth the kernel's width: the median distance between the pooled vectors
     */
    public record Mmd(double mmd2, double pValue, double bandwidth) {
    }

    /**
     * Tests whether {@code x} and {@code y} come from one distribution: the Gaussian-kernel MMD² with the median
     * heuristic's width, and a p-value from {@code permutations} seeded relabellings of the pooled sample.
     *
     * @param x rows of equal length, at least 2
     * @param y rows of the same length, at least 2
     */
    public static Mmd mmd(float[][] x, float[][] y, int permutations, long seed) {
        if (x.length < 2 || y.length < 2) {
            throw new IllegalArgumentException("MMD needs at least 2 vectors a side; got " + x.length + " and " + y.length);
        }
        int n = x.length + y.length;
        float[][] all = new float[n][];
        System.arraycopy(x, 0, all, 0, x.length);
        System.arraycopy(y, 0, all, x.length, y.length);
        double[] distance = new double[n * (n - 1) / 2];
        double[][] squared = new double[n][n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double d = 0;
                float[] a = all[i];
                float[] b = all[j];
                if (a.length != b.length) {
                    throw new IllegalArgumentException("vectors of " + a.length + " and " + b.length + " values");
                }
                for (int t = 0; t < a.length; t++) {
                    double e = a[t] - b[t];
                    d += e * e;
                }
                squared[i][j] = d;
                squared[j][i] = d;
                distance[k++] = Math.sqrt(d);
            }
        }
        double[] sorted = distance.clone();
        Arrays.sort(sorted);
        double bandwidth = Math.max(sorted[sorted.length / 2], 1e-12);
        double gamma = 1 / (2 * bandwidth * bandwidth);
        double[][] kernel = squared; // in place: the squared distances are not needed again
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                kernel[i][j] = Math.exp(-gamma * squared[i][j]);
            }
        }
        boolean[] inX = new boolean[n];
        Arrays.fill(inX, 0, x.length, true);
        double observed = mmd2(kernel, inX, x.length);
        Random random = new Random(seed);
        int atLeast = 0;
        int[] order = new int[n];
        for (int p = 0; p < permutations; p++) {
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            boolean[] perm = new boolean[n];
            for (int i = 0; i < x.length; i++) { // a partial Fisher-Yates shuffle draws the permuted x
                int j = i + random.nextInt(n - i);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
                perm[order[i]] = true;
            }
            if (mmd2(kernel, perm, x.length) >= observed) {
                atLeast++;
            }
        }
        return new Mmd(observed, (1.0 + atLeast) / (1.0 + permutations), bandwidth);
    }

    /** Mean k(x,x') + mean k(y,y') - 2 mean k(x,y) for the split of the pooled rows given by {@code inX}. */
    private static double mmd2(double[][] kernel, boolean[] inX, int xCount) {
        int n = kernel.length;
        double xx = 0;
        double yy = 0;
        double xy = 0;
        for (int i = 0; i < n; i++) {
            double[] row = kernel[i];
            boolean xi = inX[i];
            for (int j = 0; j < n; j++) {
                if (xi == inX[j]) {
                    if (xi) {
                        xx += row[j];
                    } else {
                        yy += row[j];
                    }
                } else if (xi) {
                    xy += row[j];
                }
            }
        }
        double m = xCount;
        double o = n - xCount;
        return xx / (m * m) + yy / (o * o) - 2 * xy / (m * o);
    }
}
