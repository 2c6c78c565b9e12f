package dev.graft.surgery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayerSliceTest {

    private static final List<String> LAYERS = List.of("conv1", "pool1", "conv2", "pool2", "dense1", "output");

    @Test
    void freezesEverythingButTheLastThreeLayers() {
        assertThat(LayerSlice.parse(":-3").apply(LAYERS)).containsExactly("conv1", "pool1", "conv2");
    }

    @Test
    void followsPythonSemanticsForNegativeAndOutOfRangeBounds() {
        assertThat(LayerSlice.parse("-2:").apply(LAYERS)).containsExactly("dense1", "output");
        assertThat(LayerSlice.parse("1:-1:2").apply(LAYERS)).containsExactly("pool1", "pool2");
        assertThat(LayerSlice.parse("::-1").apply(LAYERS)).containsExactly("output", "dense1", "pool2", "conv2", "pool1", "conv1");
        assertThat(LayerSlice.parse(":100").apply(LAYERS)).isEqualTo(LAYERS);
        assertThat(LayerSlice.parse("-100:2").apply(LAYERS)).containsExactly("conv1", "pool1");
        assertThat(LayerSlice.parse("4:2").apply(LAYERS)).isEmpty();
        assertThat(LayerSlice.parse("[:-3]").apply(LAYERS)).containsExactly("conv1", "pool1", "conv2");
        assertThat(LayerSlice.parse("-1").apply(LAYERS)).containsExactly("output");
    }

    @Test
    void rejectsBadSliceSyntaxWithTheExpectedForm() {
        assertThatThrownBy(() -> LayerSlice.parse("1..3")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("bad slice '1..3'").hasMessageContaining("start:stop[:step]");
        assertThatThrownBy(() -> LayerSlice.parse("::0")).hasMessageContaining("step other than 0");
        assertThatThrownBy(() -> LayerSlice.parse("7").apply(LAYERS)).hasMessageContaining("out of range")
                .hasMessageContaining("-6 to 5");
    }
}
