package dev.graft.training.fastpath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearProbeTest {

    /** n rows of 4 features: class c has feature c raised by 2 (plus noise), or noise only. */
    static float[] rows(int n, int[] labels, boolean informative, Random r) {
        float[] x = new float[n * 4];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int j = 0; j < 4; j++) {
                x[i * 4 + j] = (float) ((informative && j == labels[i] ? 2 : 0) + r.nextGaussian() * 0.3);
            }
        }
        return x;
    }

    @Test
    void learnsSeparableFeaturesAndStaysNearChanceOnNoise() {
        Random r = new Random(5);
        int[] y = new int[200];
        int[] vy = new int[100];
        float[] x = rows(200, y, true, r);
        float[] vx = rows(100, vy, true, r);
        float[] noise = rows(200, y, false, r);
        float[] heldNoise = rows(100, vy, false, r);
        LinearProbe.Settings s = new LinearProbe.Settings(10, 64, 1e-2, 1);
        for (LinearProbe probe : new LinearProbe[] {LinearProbe.best(), LinearProbe.scalar()}) {
            assertThat(probe.accuracy(x, y, vx, vy, 4, 3, s)).isGreaterThanOrEqualTo(0.95);
            assertThat(probe.accuracy(noise, y, heldNoise, vy, 4, 3, s)).isLessThan(0.55);
        }
    }

    @Test
    void theSimdAndThePlainKernelsAgreeAndTheInputsStayUnchanged() {
        Random r = new Random(9);
        int[] y = new int[333];
        int[] vy = new int[120];
        float[] x = rows(333, y, true, r);
        float[] vx = rows(120, vy, true, r);
        for (int i = 0; i < x.length; i += 7) {
            x[i] += (float) r.nextGaussian(); // overlapping classes: the accuracy is not 1
        }
        float[] before = x.clone();
        LinearProbe.Settings s = new LinearProbe.Settings(2, 32, 1e-3, 3);
        double best = LinearProbe.best().accuracy(x, y, vx, vy, 4, 3, s);
        assertThat(LinearProbe.scalar().accuracy(x, y, vx, vy, 4, 3, s)).isCloseTo(best,
                org.assertj.core.data.Offset.offset(1.0 / 120));
        assertThat(x).containsExactly(before);
    }

    @Test
    void badShapesAndLabelsAreRefusedWithTheSizes() {
        LinearProbe.Settings s = new LinearProbe.Settings(1, 8, 1e-3, 1);
        assertThatThrownBy(() -> LinearProbe.best().accuracy(new float[10], new int[3], new float[4], new int[1], 4,
                3, s)).isInstanceOf(IllegalArgumentException.class).hasMessage("linear probe: training features of "
                + "10 values for 3 labels; expected 3 x 4 values and at least 2 classes");
        assertThatThrownBy(() -> LinearProbe.best().accuracy(new float[4], new int[] {3}, new float[4], new int[1],
                4, 3, s)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("linear probe: training label 3; expected 0 to 2");
        assertThatThrownBy(() -> new LinearProbe.Settings(0, 8, 1e-3, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
