package dev.graft.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DriftStatisticsTest {

    @Test
    void lInfinityIsTheLargestShareDifference() {
        assertThat(DriftStatistics.lInfinity(new double[] {0.5, 0.3, 0.2}, new double[] {0.4, 0.4, 0.2}))
                .isCloseTo(0.1, within(1e-12));
        assertThat(DriftStatistics.lInfinity(new double[] {1, 0}, new double[] {1})).isZero();
    }

    @Test
    void jensenShannonDistanceIsZeroForEqualAndOneForDisjointDistributions() {
        double[] p = DriftStatistics.shares(new long[] {10, 30, 60});
        assertThat(DriftStatistics.jensenShannon(p, p)).isCloseTo(0, within(1e-9));
        assertThat(DriftStatistics.jensenShannon(new double[] {1, 0}, new double[] {0, 1})).isCloseTo(1, within(1e-12));
        // scipy.spatial.distance.jensenshannon([0.5, 0.5], [0.9, 0.1], base=2) = 0.383136 (checked by hand in Python)
        assertThat(DriftStatistics.jensenShannon(new double[] {0.5, 0.5}, new double[] {0.9, 0.1}))
                .isCloseTo(0.383136, within(1e-6));
    }

    @Test
    void psiMatchesItsDefinitionAndGrowsWithTheShift() {
        long[] a = {25, 25, 25, 25};
        long[] b = {40, 30, 20, 10};
        double expected = 0;
        double[] p = {0.25, 0.25, 0.25, 0.25};
        double[] q = {0.4, 0.3, 0.2, 0.1};
        for (int i = 0; i < 4; i++) {
            expected += (q[i] + 1e-4 - p[i] - 1e-4) * Math.log((q[i] + 1e-4) / (p[i] + 1e-4));
        }
        assertThat(DriftStatistics.psi(a, b)).isCloseTo(expected, within(1e-12));
        assertThat(DriftStatistics.psi(a, a)).isZero();
        assertThat(DriftStatistics.psi(a, new long[] {100, 0, 0, 0})).isGreaterThan(DriftStatistics.psi(a, b));
    }

    @Test
    void mmdPermutationTestAcceptsOneDistributionAndRejectsAShiftedOne() {
        float[][] x = gaussian(150, 8, 0, 1);
        float[][] y = gaussian(150, 8, 0, 2);
        float[][] shifted = gaussian(150, 8, 0.6, 3);
        DriftStatistics.Mmd same = DriftStatistics.mmd(x, y, 200, 9);
        DriftStatistics.Mmd moved = DriftStatistics.mmd(x, shifted, 200, 9);
        assertThat(same.pValue()).isGreaterThan(0.05);
        assertThat(moved.pValue()).isEqualTo(1.0 / 201);
        assertThat(moved.mmd2()).isGreaterThan(same.mmd2() * 5);
        assertThat(DriftStatistics.mmd(x, shifted, 200, 9)).isEqualTo(moved); // seeded: the same answer again
    }

    @Test
    void mmdFalsePositiveRateIsNearAlphaOnSamplesOfOneDistribution() {
        int rejected = 0;
        for (int seed = 0; seed < 40; seed++) {
            DriftStatistics.Mmd m = DriftStatistics.mmd(gaussian(60, 4, 0, 100 + seed), gaussian(60, 4, 0, 200 + seed),
                    99, seed);
            if (m.pValue() < 0.05) {
                rejected++;
            }
        }
        assertThat(rejected).isLessThanOrEqualTo(6); // 2 expected at alpha 0.05; 6 or more has probability < 1%
    }

    private static float[][] gaussian(int n, int d, double mean, long seed) {
        Random r = new Random(seed);
        float[][] out = new float[n][d];
        for (float[] row : out) {
            for (int i = 0; i < d; i++) {
                row[i] = (float) (mean + r.nextGaussian());
            }
        }
        return out;
    }
}
