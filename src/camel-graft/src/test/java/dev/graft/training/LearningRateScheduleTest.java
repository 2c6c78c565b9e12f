package dev.graft.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.graft.spi.ConfigurationException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.schedule.ISchedule;

class LearningRateScheduleTest {

    private static double[] rates(String text, int epochs) {
        ISchedule s = LearningRateSchedule.parse(text).toSchedule(0.1, epochs);
        return IntStream.range(0, epochs).mapToDouble(e -> s.valueAt(0, e)).toArray();
    }

    @Test
    void stepHalvesEveryNEpochsAndExponentialDecaysEachEpoch() {
        assertThat(rates("step(0.5,2)", 5)).containsExactly(new double[] {0.1, 0.1, 0.05, 0.05, 0.025}, within(1e-12));
        assertThat(rates("exponential(0.9)", 3)).containsExactly(new double[] {0.1, 0.09, 0.081}, within(1e-12));
    }

    @Test
    void cosineFallsFromTheRateTowardsZeroOverTheEpochs() {
        assertThat(rates("cosine", 4)).containsExactly(new double[] {0.1, 0.1 * (1 + Math.sqrt(0.5)) / 2, 0.05,
                0.1 * (1 - Math.sqrt(0.5)) / 2}, within(1e-12));
        assertThat(LearningRateSchedule.parse("none").toSchedule(0.1, 3)).isNull();
    }

    @Test
    void badSchedulesNameTheFormsThatWork() {
        for (String bad : new String[] {"linear", "step(0.5)", "step(2,1)", "exponential(x)", "step(0.5,0)", "cosine(3)"}) {
            assertThatThrownBy(() -> LearningRateSchedule.parse(bad)).as(bad)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith("train: option 'schedule' has a bad value '" + bad + "'; expected ");
        }
        assertThatThrownBy(() -> LearningRateSchedule.parse("linear"))
                .hasMessageContaining("step(<factor>,<every n epochs>) such as step(0.5,2)");
    }
}
