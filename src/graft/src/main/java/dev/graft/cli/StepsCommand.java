package dev.graft.cli;

import dev.graft.engine.StepRegistry;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.Step;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code graft steps}: the step catalogue. */
@Command(name = "steps", description = "Lists every step with its options, defaults and documentation.")
final class StepsCommand implements Callable<Integer> {

    @Mixin
    RouteOptions options;

    @Override
    public Integer call() {
        StepRegistry registry = options.registry();
        for (Step step : registry.steps()) {
            System.out.println("graft:" + step.name());
            System.out.println("    " + step.description());
            System.out.println("    from " + registry.origin(step.name()));
            for (OptionSpec<?> o : step.options()) {
                String value = o.required() ? "required" : o.defaultText() == null ? "optional" : "default " + o.defaultText();
                String allowed = o.allowed().isEmpty() ? "" : " " + o.allowed();
                System.out.printf("    %-14s %-8s %-22s %s%n", o.name(), o.type() + allowed,
                        value, o.doc());
            }
            System.out.println();
        }
        return 0;
    }
}
