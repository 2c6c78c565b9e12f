package dev.graft.surgery;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.OptionType;
import dev.graft.spi.StepOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Which layers a {@code freeze-layers} or {@code unfreeze-layers} step picks: exactly one of a Python-style
 * slice over the layers in topological order, a list of names, every layer up to and including one, or a
 * regular expression matched against whole layer names.
 *
 * @param step  the step that selects, for error messages
 * @param slice set for {@code layers=}
 * @param names set for {@code names=}
 * @param upTo  set for {@code upTo=}
 * @param regex set for {@code regex=}
 */
public record LayerSelection(String step, LayerSlice slice, List<String> names, String upTo, Pattern regex) {

    /** The selector options a step offers, in the order {@code graft steps} lists them. */
    public static List<OptionSpec> options(String verb) {
        return List.of(
                OptionSpec.optional("layers", OptionType.STRING, null, "Python slice over the layers in topological "
                        + "order, e.g. ':-3' (all but the last three) or '-2:' (the last two), to " + verb + "."),
                OptionSpec.optional("names", OptionType.STRING, null, "Comma-separated layer names to " + verb + "."),
                OptionSpec.optional("upTo", OptionType.STRING, null,
                        "The layer up to which (inclusive, in topological order) to " + verb + "."),
                OptionSpec.optional("regex", OptionType.STRING, null,
                        "Java regular expression matched against whole layer names, e.g. 'conv.*', to " + verb + "."));
    }

    /**
     * Binds the selector options of a step.
     *
     * @throws ConfigurationException when none or several are given, or one is malformed
     */
    public static LayerSelection of(StepOptions o) {
        List<String> given = List.of("layers", "names", "upTo", "regex").stream()
                .filter(n -> o.find(n).isPresent()).toList();
        if (given.size() != 1) {
            throw new ConfigurationException(o.step() + ": " + (given.isEmpty() ? "no layers chosen"
                    : "several selectors given " + given) + "; expected exactly one of 'layers' (slice, e.g. layers=:-3), "
                    + "'names' (e.g. names=conv1,conv2), 'upTo' (e.g. upTo=conv2) or 'regex' (e.g. regex=conv.*)");
        }
        Pattern regex = null;
        if (o.find("regex").isPresent()) {
            try {
                regex = Pattern.compile(o.string("regex"));
            } catch (PatternSyntaxException e) {
                throw o.invalid("regex", o.string("regex"), "a Java regular expression such as 'conv.*' ("
                        + e.getDescription() + ")");
            }
        }
        List<String> names = o.find("names").map(n -> Arrays.stream(n.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList()).orElse(null);
        if (names != null && names.isEmpty()) {
            throw o.invalid("names", o.string("names"), "one or more layer names separated by ','");
        }
        return new LayerSelection(o.step(), o.find("layers").map(t -> LayerSlice.parse(o.step(), t)).orElse(null),
                names, o.find("upTo").orElse(null), regex);
    }

    /**
     * The selected layers of a graph, in topological order for slices, upTo and regex, as written for names.
     *
     * @param types the network's input types for output shapes in errors; null when unknown
     * @throws ConfigurationException for an unknown name, or a regex that matches no layer, listing the layers
     */
    public List<String> select(ComputationGraph graph, InputType[] types) {
        List<String> layers = GraphSurgery.layerNames(graph);
        if (slice != null) {
            return slice.apply(layers);
        }
        if (names != null) {
            GraphSurgery.requireLayers(step, graph, names, types);
            return names;
        }
        if (upTo != null) {
            GraphSurgery.requireLayers(step, graph, List.of(upTo), types);
            return new ArrayList<>(layers.subList(0, layers.indexOf(upTo) + 1));
        }
        List<String> matched = layers.stream().filter(n -> regex.matcher(n).matches()).toList();
        if (matched.isEmpty()) {
            throw new ConfigurationException(step + ": regex '" + regex.pattern() + "' matches no layer; expected a "
                    + "pattern matching whole names among " + layers + "\n" + ModelSummary.of(graph, types));
        }
        return matched;
    }
}
