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

/** Makes frozen layers trainable again, for the second phase of a fine-tune; layers not frozen stay as they are. */
public final class UnfreezeLayersStep implements Step {

    static final String NAME = "unfreeze-layers";
    private static final Logger LOG = LoggerFactory.getLogger(UnfreezeLayersStep.class);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Unfreezes layers chosen like freeze-layers does (slice, names, upTo or regex), e.g. layers=-4: "
                + "reopens the top four layers for a second, lower-learning-rate train step.";
    }

    @Override
    public List<OptionSpec<?>> options() {
        return LayerSelection.options(NAME, "unfreeze");
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
        List<String> reopened = chosen.stream().filter(n -> GraphSurgery.isFrozen(model, n)).toList();
        ComputationGraph unfrozen = GraphSurgery.unfreeze(model, chosen);
        LOG.info("{}: unfroze {} {} ({} parameters){}; still frozen: {}", NAME, reopened.size(), reopened,
                reopened.stream().mapToLong(n -> GraphSurgery.paramCount(model, n)).sum(),
                reopened.size() < chosen.size() ? "; already trainable: "
                        + chosen.stream().filter(n -> !reopened.contains(n)).toList() : "",
                GraphSurgery.frozenLayers(unfrozen));
        context.setModel(unfrozen);
    }
}
