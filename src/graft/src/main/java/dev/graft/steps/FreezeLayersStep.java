package dev.graft.steps;

import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.LayerSelection;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.RunContext;
import dev.graft.spi.Step;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.util.List;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Freezes layers of the model: their parameters stay bit-identical through training, and batch
 * normalisation and dropout in them run in inference mode.
 */
public final class FreezeLayersStep implements Step {

    static final String NAME = "freeze-layers";
    private static final Logger LOG = LoggerFactory.getLogger(FreezeLayersStep.class);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Freezes layers chosen by a Python-style slice over the layers (as in model.layers[:-3]), by names, "
                + "up to and including a named layer, or by a regular expression; frozen batch normalisation keeps "
                + "its running statistics.";
    }

    @Override
    public List<OptionSpec<?>> options() {
        return LayerSelection.options(NAME, "freeze");
    }

    @Override
    public Role role(StepOptions options) {
        return Role.SURGERY;
    }

    @Override
    public StepAction configure(StepOptions o) {
        LayerSelection selection = LayerSelection.of(o);
        return context -> run(selection, context);
    }

    private static void run(LayerSelection selection, RunContext context) {
        ComputationGraph model = context.requireModel(NAME);
        InputType[] types = context.data().map(d -> GraphSurgery.inputTypes(d.exampleShape())).orElse(null);
        List<String> chosen = selection.select(model, types);
        ComputationGraph frozen = GraphSurgery.freeze(model, chosen);
        long params = chosen.stream().mapToLong(n -> GraphSurgery.paramCount(model, n)).sum();
        List<String> layers = GraphSurgery.layerNames(model);
        LOG.info("{}: froze {} of {} layers {} ({} parameters); trainable: {}", NAME, chosen.size(), layers.size(),
                chosen, params, layers.stream().filter(n -> !GraphSurgery.isFrozen(frozen, n)).toList());
        context.setModel(frozen);
    }
}
