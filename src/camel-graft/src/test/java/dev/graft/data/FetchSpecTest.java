package dev.graft.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FetchSpecTest {

    @Test
    void defaultsReadEverythingWithATwentyPercentTestSplit() {
        FetchSpec spec = FetchSpec.defaults("data");

        assertThat(spec.format()).isEqualTo(DataFormat.AUTO);
        assertThat(spec.testFraction()).isEqualTo(0.2);
        assertThat(spec.classes()).isEmpty();
        assertThat(spec.labelColumn()).isEqualTo("label");
        assertThat(spec.scale()).isEqualTo(1);
    }

    @Test
    void fillsNullFormatClassesAndLabelColumn() {
        FetchSpec spec = new FetchSpec("d", null, 0.2, 0, null, false, 0, 0, 1, 1, 0, 0, null);

        assertThat(spec.format()).isEqualTo(DataFormat.AUTO);
        assertThat(spec.classes()).isEmpty();
        assertThat(spec.labelColumn()).isEqualTo("label");
    }

    @Test
    void rejectsAFractionOfOneOrMore() {
        assertThatThrownBy(() -> new FetchSpec("d", null, 1.0, 0, null, false, 0, 0, 1, 1, 0, 0, null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("fetch-dataset: option 'testFraction' has a bad value '1.0'; expected a fraction from 0 "
                        + "up to but excluding 1, such as 0.2");
        assertThatThrownBy(() -> new FetchSpec("d", null, 0.2, -0.1, null, false, 0, 0, 1, 1, 0, 0, null))
                .hasMessageContaining("option 'validationFraction' has a bad value '-0.1'");
    }

    @Test
    void rejectsDuplicateOrNegativeClasses() {
        assertThatThrownBy(() -> new FetchSpec("d", null, 0.2, 0, List.of(5, 5), true, 0, 0, 1, 1, 0, 0, null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("option 'classes' has a bad value '[5, 5]'");
        assertThatThrownBy(() -> new FetchSpec("d", null, 0.2, 0, List.of(-1), true, 0, 0, 1, 1, 0, 0, null))
                .hasMessageContaining("option 'classes' has a bad value '[-1]'");
    }

    @Test
    void rejectsANonPositiveScaleNegativeLimitsAndHalfASize() {
        assertThatThrownBy(() -> new FetchSpec("d", null, 0.2, 0, null, false, 0, 0, 0, 1, 0, 0, null))
                .hasMessageContaining("option 'scale' has a bad value '0.0'");
        assertThatThrownBy(() -> new FetchSpec("d", null, 0.2, 0, null, false, -1, 0, 1, 1, 0, 0, null))
                .hasMessageContaining("option 'trainLimit' has a bad value '-1'");
        assertThatThrownBy(() -> new FetchSpec("d", null, 0.2, 0, null, false, 0, 0, 1, 1, 28, 0, null))
                .hasMessageContaining("option 'width' has a bad value '28x0'");
    }

    @Test
    void copiesTheClassList() {
        Integer[] classes = {1, 2};
        List<Integer> list = Arrays.asList(classes);
        FetchSpec spec = new FetchSpec("d", null, 0.2, 0, list, true, 0, 0, 1, 1, 0, 0, null);
        classes[0] = 9;

        assertThat(spec.classes()).containsExactly(1, 2);
    }
}
