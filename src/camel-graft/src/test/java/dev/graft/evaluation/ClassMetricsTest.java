package dev.graft.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ClassMetricsTest {

    // Class 3 is present in the data but never predicted.
    private static final int[][] CONFUSION = {
            {5, 1, 0, 0},
            {2, 3, 1, 0},
            {0, 1, 4, 0},
            {1, 0, 2, 0}};

    /**
     * Expected values from scikit-learn 1.2.1 (Debian python3-sklearn) on the same matrix expanded to label lists:
     * {@code precision_score(yt, yp, labels=range(4), average='macro', zero_division=0)} and likewise for recall and
     * F1 (the script is in the commit that added this test).
     */
    @Test
    void macroAveragesEqualScikitLearnsWithAnUnpredictedClass() {
        ClassMetrics m = ClassMetrics.of(CONFUSION);

        assertThat(m.accuracy()).isCloseTo(0.6, within(1e-12));
        assertThat(m.precision()).isCloseTo(0.44910714285714287, within(1e-12));
        assertThat(m.recall()).isCloseTo(0.5333333333333334, within(1e-12));
        assertThat(m.f1()).isCloseTo(0.4816017316017316, within(1e-12));
    }

    @Test
    void macroF1NeverExceedsBothMacroPrecisionAndRecallOnADegenerateModel() {
        // a model that predicts class 0 for everything: the bug averaged precision over predicted classes only
        ClassMetrics m = ClassMetrics.of(new int[][] {{10, 0, 0}, {10, 0, 0}, {10, 0, 0}});

        assertThat(m.precision()).isCloseTo(1.0 / 9, within(1e-12));
        assertThat(m.recall()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(m.f1()).isCloseTo(0.5 / 3, within(1e-12));
        assertThat(m.f1()).isLessThanOrEqualTo(Math.max(m.precision(), m.recall()));
    }

    @Test
    void aPerfectMatrixScoresOneEverywhere() {
        ClassMetrics m = ClassMetrics.of(new int[][] {{3, 0}, {0, 4}});

        assertThat(m).isEqualTo(new ClassMetrics(1, 1, 1, 1));
    }
}
