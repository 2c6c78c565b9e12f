package dev.graft.surgery;

import dev.graft.testing.TinyNets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.engine.StepRegistry;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.StepOptions;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

/** Every selector of freeze-layers and unfreeze-layers against a real graph: conv1, pool1, conv2, dense1, output. */
class LayerSelectionTest {

    private static final ComputationGraph NET = TinyNets.lenetLike(1);

    private static StepOptions options(String step, Map<String, String> raw) {
        return StepRegistry.bind(step, LayerSelection.options(step, "freeze"), raw);
    }

    private static java.util.List<String> select(String step, String option, String value) {
        return LayerSelection.of(options(step, Map.of(option, value))).select(NET, TinyNets.INPUT);
    }

    @Test
    void slicesFollowPythonIncludingNegativeAndEmptyOnes() {
        assertThat(select("freeze-layers", "layers", ":-3")).containsExactly("conv1", "pool1");
        assertThat(select("freeze-layers", "layers", "-2:")).containsExactly("dense1", "output");
        assertThat(select("freeze-layers", "layers", "-4:-1")).containsExactly("pool1", "conv2", "dense1");
        assertThat(select("freeze-layers", "layers", "::2")).containsExactly("conv1", "conv2", "output");
        assertThat(select("freeze-layers", "layers", "3:1")).isEmpty();
        assertThat(select("freeze-layers", "layers", ":0")).isEmpty();
        assertThat(select("freeze-layers", "layers", "-1")).containsExactly("output");
    }

    @Test
    void anEmptySliceFreezesNothing() {
        ComputationGraph frozen = GraphSurgery.freeze(NET, select("freeze-layers", "layers", "-1:0"));
        assertThat(GraphSurgery.frozenLayers(frozen)).isEmpty();
    }

    @Test
    void namesUpToAndRegexPickTheirLayers() {
        assertThat(select("freeze-layers", "names", "conv2, conv1")).containsExactly("conv2", "conv1");
        assertThat(select("freeze-layers", "upTo", "conv2")).containsExactly("conv1", "pool1", "conv2");
        assertThat(select("freeze-layers", "regex", "conv\\d")).containsExactly("conv1", "conv2");
        assertThat(select("unfreeze-layers", "regex", "dense1|output")).containsExactly("dense1", "output");
    }

    @Test
    void aRegexMatchesWholeNamesAndOneThatMatchesNothingListsTheLayersWithShapes() {
        assertThatThrownBy(() -> select("freeze-layers", "regex", "conv"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("freeze-layers: regex 'conv' matches no layer; expected a pattern matching whole "
                        + "names among [conv1, pool1, conv2, dense1, output]")
                .hasMessageContaining("[4,6,6]");
    }

    @Test
    void anUnknownNameListsTheLayersAndTheirOutputShapes() {
        assertThatThrownBy(() -> select("unfreeze-layers", "upTo", "conv3"))
                .hasMessageContaining("unfreeze-layers: unknown layer 'conv3'; expected one of [conv1, pool1, conv2, dense1, "
                        + "output]")
                .hasMessageContaining("dense1").hasMessageContaining("[16]");
    }

    @Test
    void badSelectorsFailWhenTheRouteLoads() {
        assertThatThrownBy(() -> LayerSelection.of(options("unfreeze-layers", Map.of())))
                .hasMessageContaining("unfreeze-layers: no layers chosen; expected exactly one of 'layers'");
        assertThatThrownBy(() -> LayerSelection.of(options("freeze-layers",
                Map.of("layers", ":-3", "regex", "x"))))
                .hasMessageContaining("several selectors given [layers, regex]");
        assertThatThrownBy(() -> LayerSelection.of(options("freeze-layers", Map.of("regex", "conv("))))
                .hasMessageContaining("freeze-layers: option 'regex' has a bad value 'conv('; expected a Java regular "
                        + "expression");
        assertThatThrownBy(() -> LayerSelection.of(options("unfreeze-layers", Map.of("layers", "1..2"))))
                .hasMessageContaining("unfreeze-layers: bad slice '1..2'");
        assertThatThrownBy(() -> select("freeze-layers", "layers", "9"))
                .hasMessageContaining("freeze-layers: layer index '9' is out of range; expected -5 to 4 for a model with "
                        + "5 layers [conv1, pool1, conv2, dense1, output]");
    }
}
