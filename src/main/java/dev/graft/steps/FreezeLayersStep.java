package dev.graft.steps;

import dev.graft.model.GraphSurgery;
import dev.graft.model.LayerSlice;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.OptionType;
import dev.graft.spi.RunContext;
import dev.graft.spi.Step;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Freezes layers of the model: their parameters stay bit-identical through training. */
public final class FreezeLayersStep implements Step {

    static final String NAME = "freeze-layers";
    private static final Logger LOG = LoggerFactory.getLogger(FreezeLayersStep.class);

    /** Exactly one of the three selectors is set. */
    record Options(LayerSlice slice, List<String> names, String upTo) {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Freezes layers chosen by a Python-style slice over the layers (as in model.layers[:-3]), by names, "
                + "or up to and including a named layer.";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.optional("layers", OptionType.STRING, null,
                        "Slice over the layers in topological order, e.g. ':-3' freezes all but the last three."),
                OptionSpec.optional("names", OptionType.STRING, null, "Comma-separated layer names to freeze."),
                OptionSpec.optional("upTo", OptionType.STRING, null,
                        "Freeze every layer up to and including this one (in topological order)."));
    }

    @Override
    public StepAction configure(StepOptions o) {
        int given = (o.find("layers").isPresent() ? 1 : 0) + (o.find("names").isPresent() ? 1 : 0)
                + (o.find("upTo").isPresent() ? 1 : 0);
        if (given != 1) {
            throw new ConfigurationException(NAME + ": " + (given == 0 ? "no layers chosen" : "several selectors given")
                    + "; expected exactly one of 'layers' (slice, e.g. layers=:-3), 'names' (e.g. names=conv1,conv2) "
                    + "or 'upTo' (e.g. upTo=conv2)");
        }
        Options options = new Options(o.find("layers").map(LayerSlice::parse).orElse(null),
                o.find("names").map(n -> Arrays.stream(n.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                        .orElse(null),
                o.find("upTo").orElse(null));
        return context -> run(options, context);
    }

    private static void run(Options o, RunContext context) {
        ComputationGraph model = context.requireModel(NAME);
        List<String> layers = GraphSurgery.layerNames(model);
        List<String> chosen;
        if (o.slice() != null) {
            chosen = o.slice().apply(layers);
        } else if (o.names() != null) {
            GraphSurgery.requireLayers(NAME, model, o.names());
            chosen = o.names();
        } else {
            GraphSurgery.requireLayers(NAME, model, List.of(o.upTo()));
            chosen = new ArrayList<>(layers.subList(0, layers.indexOf(o.upTo()) + 1));
        }
        ComputationGraph frozen = GraphSurgery.freeze(model, chosen);
        long params = chosen.stream().mapToLong(n -> GraphSurgery.paramCount(model, n)).sum();
        LOG.info("{}: froze {} of {} layers {} ({} parameters); trainable: {}", NAME, chosen.size(), layers.size(),
                chosen, params, layers.stream().filter(n -> !GraphSurgery.isFrozen(frozen, n)).toList());
        context.setModel(frozen);
    }
}
