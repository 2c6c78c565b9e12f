package dev.graft.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.Step;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** graft validate runs what a step's role allows, whatever the step is called: the engine names no step. */
class ModelCheckTest {

    /** A plugin-like step whose role comes from its option; it fails whenever it runs. */
    static final class Picky implements Step {
        static final OptionSpec<Role> ROLE = OptionSpec.oneOf("role", Role.class, Role.OTHER, "Its role.");

        public String name() {
            return "picky";
        }

        public String description() {
            return "Fails when run.";
        }

        public List<OptionSpec<?>> options() {
            return List.of(ROLE);
        }

        @Override
        public Role role(StepOptions options) {
            return options.get(ROLE);
        }

        public StepAction configure(StepOptions options) {
            return run -> {
                throw new ConfigurationException("picky: ran and refused");
            };
        }
    }

    private static final ModelCheck CHECK = new ModelCheck(StepRegistry.of(List.of(new Picky())));

    private static List<RouteFileChecker.StepUse> use(String role) {
        return List.of(new RouteFileChecker.StepUse(Path.of("r.yaml"), 7, "picky", Map.of("role", role), "graft:picky",
                "r"));
    }

    @Test
    void surgeryAndSourceStepsRunAndTheirFailureIsAnErrorWithFileAndLine() {
        for (String role : List.of("surgery", "source")) {
            assertThatThrownBy(() -> CHECK.check(use(role))).as(role).hasMessage("r.yaml:7: picky: ran and refused");
        }
    }

    @Test
    void aLaterSourceThatFailsIsANoteAndOtherStepsDoNotRun() {
        assertThat(CHECK.check(use("later_source")).get(0).notes()).containsExactly("line 7: picky: not reachable, "
                + "so the model surgery after it is not checked: picky: ran and refused");
        assertThat(CHECK.check(use("other")).get(0).notes()).isEmpty();
        assertThat(CHECK.check(use("run_time_source")).get(0).notes()).singleElement().asString()
                .startsWith("line 7: picky: data not read");
    }
}
