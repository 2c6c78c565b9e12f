package dev.graft.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import org.junit.jupiter.api.Test;

class ReadBudgetTest {

    @Test
    void parsesByteCountsWithBinarySuffixes() {
        assertThat(ReadBudget.parseSize("memoryBudget", "512m")).isEqualTo(512L << 20);
        assertThat(ReadBudget.parseSize("memoryBudget", "2G")).isEqualTo(2L << 30);
        assertThat(ReadBudget.parseSize("memoryBudget", "64MiB")).isEqualTo(64L << 20);
        assertThat(ReadBudget.parseSize("memoryBudget", "1500000")).isEqualTo(1_500_000L);
        assertThat(ReadBudget.parseSize("maxExtractedBytes", "16k")).isEqualTo(16_384L);
    }

    @Test
    void refusesSizesThatAreNotPositiveOrOverflow() {
        for (String bad : new String[] {"0", "-1m", "lots", "", "9999999999t", "12x"}) {
            assertThatThrownBy(() -> ReadBudget.parseSize("memoryBudget", bad))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage("fetch-dataset: option 'memoryBudget' has a bad value '" + bad
                            + "'; expected a positive byte count such as 512m, 2g or 1048576");
        }
    }

    @Test
    void defaultMemoryBudgetIsAQuarterOfTheMaxHeap() {
        assertThat(ReadBudget.defaults().memoryBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
    }

    @Test
    void refusesANonPositiveLimit() {
        assertThatThrownBy(() -> ReadBudget.defaults().withMaxExamples(0))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("option 'maxExamples' has a bad value '0'");
    }

    @Test
    void productsThatOverflowAreDataErrorsNotNegativeSizes() {
        assertThat(BudgetMeter.product("f", "x", 1 << 20, 1 << 20, 1 << 20)).isEqualTo(1L << 60);
        assertThatThrownBy(() -> BudgetMeter.product("f", "2069367023 images of 2069367023x28", 2_069_367_023L,
                2_069_367_023L, 28))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("sizes overflow in 'f': it declares 2069367023 images of 2069367023x28");
    }

    @Test
    void theMeterAddsUpOverFiles() {
        BudgetMeter meter = new BudgetMeter(ReadBudget.defaults().withMemoryBytes(100).withMaxExamples(3));
        meter.reserveBytes(60, "a", () -> "first");
        meter.reserveExamples(2, "a", () -> "two");

        assertThatThrownBy(() -> meter.reserveBytes(41, "b", () -> "second"))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("data over the memory budget 'b': second take 41 bytes decoded after 60 bytes"
                        + " read before; expected at most 100 bytes in all");
        assertThatThrownBy(() -> meter.reserveExamples(2, "b", () -> "two more"))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("too many examples in 'b': two more after 2 read before; expected at most 3");
    }
}
