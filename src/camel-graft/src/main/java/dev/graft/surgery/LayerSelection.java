package dev.graft.surgery;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.StepOptions;
import java.util.ArrayList;
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
    public static List<OptionSpec<?>> options(String step, String verb) {
        return List.of(
                OptionSpec.parsed("layers", "slice", null, text -> AUTO.text().equals(text.trim()) ? AUTO
                        : LayerSlice.parse(step, text), "Python slice over the layers in topological order, e.g. ':-3' "
                        + "(all but the last three) or '-2:' (the last two), to " + verb + (verb.equals("unfreeze")
                        ? "; or 'auto': short fine-tunes of each candidate count of top layers decide (options "
                        + "candidates, autoEpochs, autoBudget)" : "") + "."),
                OptionSpec.names("names", "Comma-separated layer names to " + verb + "."),
                OptionSpec.string("upTo", null, "The layer up to which (inclusive, in topological order) to " + verb + "."),
                OptionSpec.parsed("regex", "regex", null, LayerSelection::regex, "Java regular expression matched "
                        + "against whole layer names, e.g. 'conv.*', to " + verb + "."));
    }

    /** {@code layers=auto}: the step decides how many top layers by trying candidates (unfreeze-layers only). */
    public static final LayerSlice AUTO = new LayerSlice(null, null, 1, false, "auto", "");

    /** Whether the layers are to be chosen by trying candidates ({@code layers=auto}). */
    public boolean auto() {
        return slice == AUTO;
    }

    // Keys to read the bound values back: StepOptions finds a value by its option's name.
    private static final List<OptionSpec<?>> KEYS = options("", "");
    @SuppressWarnings("unchecked")
    private static final OptionSpec<LayerSlice> SLICE = (OptionSpec<LayerSlice>) KEYS.get(0);
    @SuppressWarnings("unchecked")
    private static final OptionSpec<List<String>> NAMES = (OptionSpec<List<String>>) KEYS.get(1);
    @SuppressWarnings("unchecked")
    private static final OptionSpec<String> UP_TO = (OptionSpec<String>) KEYS.get(2);
    @SuppressWarnings("unchecked")
    private static final OptionSpec<Pattern> REGEX = (OptionSpec<Pattern>) KEYS.get(3);

    private static Pattern regex(String text) {
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("a Java regular expression such as 'conv.*' (" + e.getDescription() + ")");
        }
    }

    /**
     * Binds the selector options of a step.
     *
     * @throws ConfigurationException when none or several are given
     */
    public static LayerSelection of(StepOptions o) {
        List<String> given = KEYS.stream().filter(o::given).map(OptionSpec::name).toList();
        if (given.size() != 1) {
            throw new ConfigurationException(o.step() + ": " + (given.isEmpty() ? "no layers chosen"
                    : "several selectors given " + given) + "; expected exactly one of 'layers' (slice, e.g. layers=:-3), "
                    + "'names' (e.g. names=conv1,conv2), 'upTo' (e.g. upTo=conv2) or 'regex' (e.g. regex=conv.*)");
        }
        return new LayerSelection(o.step(), o.find(SLICE).orElse(null), o.find(NAMES).orElse(null),
                o.find(UP_TO).orElse(null), o.find(REGEX).orElse(null));
    }

    /**
     * The selected layers of a graph, in topological order for slices, upTo and regex, as written for names.
     *
     * @param types the network's input types for output shapes in errors; null when unknown
     * @throws ConfigurationException for an unknown name, or a regex that matches no layer, listing the layers
     */
    public List<String> select(ComputationGraph graph, InputType[] types) {
        List<String> layers = GraphSurgery.layerNames(graph);
        if (slice == AUTO) {
            throw new IllegalStateException(step + ": layers=auto is decided by trying candidates, not selected");
        }
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
