package dev.graft.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionSpecTest {

    enum Colour { RED, DARK_BLUE }

    @Test
    void typedDefaultsKeepTheirValueAndShowAsARouteWouldWriteThem() {
        assertThat(OptionSpec.integer("epochs", 5, "d").defaultValue()).isEqualTo(5);
        assertThat(OptionSpec.decimal("scale", 255.0, "d").defaultText()).isEqualTo("255");
        assertThat(OptionSpec.decimal("rate", 1e-3, "d").defaultText()).isEqualTo("0.001");
        assertThat(OptionSpec.oneOf("colour", Colour.class, Colour.DARK_BLUE, "d").defaultText()).isEqualTo("dark_blue");
        OptionSpec<Duration> timeout = OptionSpec.duration("timeout", "30s", "d");
        assertThat(timeout.defaultValue()).isEqualTo(Duration.ofSeconds(30));
        assertThat(timeout.defaultText()).isEqualTo("30s");
        assertThat(OptionSpec.path("dir", "registry", "d").defaultValue()).isEqualTo(Path.of("registry"));
    }

    @Test
    void parsersSayWhatTheyExpect() {
        assertThatThrownBy(() -> OptionSpec.integer("n", 1, "d").parse("five")).hasMessage("an integer");
        assertThatThrownBy(() -> OptionSpec.decimal("x", 1.0, "d").parse("NaN")).hasMessage("a finite number");
        assertThatThrownBy(() -> OptionSpec.bool("b", true, "d").parse("yes")).hasMessage("true or false");
        assertThatThrownBy(() -> OptionSpec.oneOf("colour", Colour.class, Colour.RED, "d").parse("green"))
                .hasMessage("one of [red, dark_blue]");
        assertThatThrownBy(() -> OptionSpec.duration("t", null, "d").parse("soon"))
                .hasMessageContaining("a duration such as 30s");
        assertThatThrownBy(() -> OptionSpec.names("layers", "d").parse(" , ")).hasMessageContaining("one or more");
    }

    @Test
    void parsesEveryTypeIntoItsValue() {
        assertThat(OptionSpec.oneOf("colour", Colour.class, Colour.RED, "d").parse(" dark_blue ")).isEqualTo(Colour.DARK_BLUE);
        assertThat(OptionSpec.duration("t", null, "d").parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(OptionSpec.duration("t", null, "d").parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(OptionSpec.duration("t", null, "d").parse("PT1M")).isEqualTo(Duration.ofMinutes(1));
        assertThat(OptionSpec.names("layers", "d").parse("conv1, ,dense1")).containsExactly("conv1", "dense1");
        assertThat(OptionSpec.oneOf("engine", "local", List.of("local", "spark"), "d").parse("spark")).isEqualTo("spark");
    }

    @Test
    void checksAndRequireMakeNewSpecs() {
        OptionSpec<Integer> epochs = OptionSpec.integer("epochs", 5, "d").check(n -> n >= 1, "at least 1");
        assertThat(epochs.parse("3")).isEqualTo(3);
        assertThatThrownBy(() -> epochs.parse("0")).hasMessage("at least 1");
        OptionSpec<Integer> required = epochs.require();
        assertThat(required.required()).isTrue();
        assertThat(required.defaultValue()).isNull();
        assertThatThrownBy(() -> required.parse("0")).hasMessage("at least 1");
    }

    @Test
    void stepOptionsGiveTypedValuesAndTellGivenFromDefaulted() {
        OptionSpec<Integer> epochs = OptionSpec.integer("epochs", 5, "d");
        OptionSpec<String> token = OptionSpec.string("token", null, "d");
        StepOptions o = new StepOptions("train", Map.of("epochs", 7), Map.of("epochs", "7"));
        assertThat(o.get(epochs)).isEqualTo(7);
        assertThat(o.given(epochs)).isTrue();
        assertThat(o.find(token)).isEmpty();
        assertThatThrownBy(() -> o.get(token)).hasMessageContaining("train: option 'token' has no value");
        assertThat(o.invalid(epochs, "at most 5").getMessage())
                .isEqualTo("train: option 'epochs' has a bad value '7'; expected at most 5");
    }
}
