package dev.graft.steps;

import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.LayerSelection;
import java.util.List;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A step that chooses layers of the model by a {@link LayerSelection} (slice, names, upTo or regex) and replaces
 * the model with one in which those layers are changed.
 */
abstract class LayerSelectionStep extends BuiltInStep {

    /**
     * @param name        the step's name
     * @param verb        what the step does to the chosen layers, for the options' descriptions (freeze, unfreeze)
     * @param description the step's description
     */
    LayerSelectionStep(String name, String verb, String description) {
        super(name, description, LayerSelection.options(name, verb));
    }

    @Override
    public final Role role(StepOptions options) {
        return Role.SURGERY;
    }

    @Override
    public final StepAction configure(StepOptions o) {
        LayerSelection selection = LayerSelection.of(o);
        return context -> {
            ComputationGraph model = context.requireModel(name());
            InputType[] types = context.data().map(d -> GraphSurgery.inputTypes(d.exampleShape())).orElse(null);
            ComputationGraph changed = change(model, selection.select(model, types));
            GraphSurgery.requireGradientPath(name(), changed);
            context.setModel(changed);
        };
    }

    /** A new model: {@code model} with the {@code chosen} layers changed, the change logged; {@code model} stays as it is. */
    abstract ComputationGraph change(ComputationGraph model, List<String> chosen);
}
