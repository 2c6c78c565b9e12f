package dev.graft.cli;

import dev.graft.io.JsonFields;
import dev.graft.engine.StepRegistry;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code graft steps}: the step catalogue, or one step's options; lines fit {@value #WIDTH} columns. */
@Command(name = "steps", mixinStandardHelpOptions = true, description = "Lists every step with its options, defaults "
        + "and documentation, or one step's (graft steps train).")
final class StepsCommand implements Callable<Integer> {

    /** The widest line printed. */
    static final int WIDTH = 100;

    @Mixin
    RouteOptions options;

    @Mixin
    JsonOutput output;

    @Parameters(arity = "0..1", paramLabel = "STEP", description = "Only this step, e.g. train or graft:train")
    String only;

    @Override
    public Integer call() {
        StepRegistry registry = options.registry();
        List<Step> steps = List.copyOf(registry.steps());
        if (only != null) {
            String name = only.startsWith("graft:") ? only.substring("graft:".length()) : only;
            steps = steps.stream().filter(s -> s.name().equals(name)).toList();
            if (steps.isEmpty()) {
                throw new ConfigurationException("steps: no step '" + only + "'; expected one of "
                        + registry.steps().stream().map(Step::name).toList());
            }
        }
        if (output.json) {
            JsonOutput.print(steps.stream().map(s -> json(s, registry.origin(s.name()))).toList());
            return 0;
        }
        for (Step step : steps) {
            System.out.println("graft:" + step.name());
            wrap("    " + step.description(), "    ").forEach(System.out::println);
            wrap("    from " + registry.origin(step.name()), "      ").forEach(System.out::println);
            for (OptionSpec<?> o : step.options()) {
                String line = String.format("    %-14s %-8s %-22s %s", o.name(), o.type() + allowed(o), value(o), o.doc());
                wrap(line, "        ").forEach(System.out::println);
            }
            System.out.println();
        }
        return 0;
    }

    private static String allowed(OptionSpec<?> o) {
        return o.allowed().isEmpty() ? "" : " " + o.allowed();
    }

    private static String value(OptionSpec<?> o) {
        return o.required() ? "required" : o.defaultText() == null ? "optional" : "default " + o.defaultText();
    }

    private static Map<String, Object> json(Step step, Object origin) {
        List<Map<String, Object>> options = step.options().stream().map(o -> JsonFields.of("name", o.name(),
                "type", o.type(), "allowed", o.allowed(), "required", o.required(), "default", o.defaultText(),
                "doc", o.doc())).toList();
        return JsonFields.of("name", step.name(), "description", step.description(), "origin", String.valueOf(origin),
                "options", options);
    }

    /** {@code line} cut to {@value #WIDTH} columns, ending in an ellipsis when cut: a table row. */
    static String fit(String line) {
        return line.length() <= WIDTH ? line : line.substring(0, WIDTH - 1) + "…";
    }

    /** {@code line} broken at spaces into lines of at most {@value #WIDTH} columns, continuations indented. */
    static List<String> wrap(String line, String indent) {
        List<String> out = new ArrayList<>();
        String rest = line.stripTrailing();
        String prefix = "";
        while ((prefix + rest).length() > WIDTH) {
            int room = WIDTH - prefix.length();
            int cut = rest.lastIndexOf(' ', room);
            if (cut <= rest.length() - rest.stripLeading().length()) {
                cut = room; // a word longer than the line: broken where the line ends
            }
            out.add(prefix + rest.substring(0, cut).stripTrailing());
            rest = rest.substring(cut).strip();
            prefix = indent;
        }
        out.add(prefix + rest);
        return out;
    }
}
