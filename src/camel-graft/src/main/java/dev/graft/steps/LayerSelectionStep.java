package dev.graft.steps;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.OptionSpec;
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
        this(name, verb, description, List.of());
    }

    /** As {@link #LayerSelectionStep(String, String, String)}, with options of the step's own after the selectors. */
    LayerSelectionStep(String name, String verb, String description, List<OptionSpec<?>> more) {
        super(name, description, java.util.stream.Stream.concat(LayerSelection.options(name, verb).stream(),
                more.stream()).toList());
    }

    @Override
    public final Role role(StepOptions options) {
        return Role.SURGERY;
    }

    @Override
    public final StepAction configure(StepOptions o) {
        LayerSelection selection = LayerSelection.of(o);
        if (selection.auto()) {
            return auto(o);
        }
        return context -> {
            ComputationGraph model = context.requireModel(name());
            InputType[] types = context.data().map(d -> GraphSurgery.inputTypes(d.exampleShape())).orElse(null);
            ComputationGraph changed = change(model, selection.select(model, types));
            GraphSurgery.requireGradientPath(name(), changed);
            context.setModel(changed);
        };
    }

    /**
     * The action of {@code layers=auto}; by default refused, naming the step that has it.
     *
     * @throws ConfigurationException unless the step decides layers by trying candidates
     */
    StepAction auto(StepOptions o) {
        throw new ConfigurationException(name() + ": option 'layers' has a bad value 'auto'; expected a slice such as "
                + "':-3'; layers=auto is unfreeze-layers' (two-phase fine-tuning tries how many top layers to reopen)");
    }

    /** A new model: {@code model} with the {@code chosen} layers changed, the change logged; {@code model} stays as it is. */
    abstract ComputationGraph change(ComputationGraph model, List<String> chosen);
}
