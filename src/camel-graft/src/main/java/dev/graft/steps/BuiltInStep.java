package dev.graft.steps;

import dev.graft.spi.OptionSpec;
import dev.graft.spi.Step;
import java.util.List;

/** A built-in step: its name, description and options are fixed when it is made. */
abstract class BuiltInStep implements Step {

    private final String name;
    private final String description;
    private final List<OptionSpec<?>> options;

    /**
     * @param name        the name routes use ({@code graft:<name>})
     * @param description one paragraph for {@code graft steps}
     * @param options     every option the step takes, in the order {@code graft steps} lists them
     */
    BuiltInStep(String name, String description, List<OptionSpec<?>> options) {
        this.name = name;
        this.description = description;
        this.options = List.copyOf(options);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final List<OptionSpec<?>> options() {
        return options;
    }
}
