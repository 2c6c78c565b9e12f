package dev.graft.steps;

import dev.graft.surgery.GraphSurgery;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Freezes layers of the model: their parameters stay bit-identical through training, and batch
 * normalisation and dropout in them run in inference mode.
 */
public final class FreezeLayersStep extends LayerSelectionStep {

    static final String NAME = "freeze-layers";
    private static final Logger LOG = LoggerFactory.getLogger(FreezeLayersStep.class);

    public FreezeLayersStep() {
        super(NAME, "freeze", "Freezes layers chosen by a Python-style slice over the layers (as in "
                + "model.layers[:-3]), by names, up to and including a named layer, or by a regular expression; frozen "
                + "batch normalisation keeps its running statistics.");
    }

    @Override
    ComputationGraph change(ComputationGraph model, List<String> chosen) {
        ComputationGraph frozen = GraphSurgery.freeze(model, chosen);
        long params = chosen.stream().mapToLong(n -> GraphSurgery.paramCount(model, n)).sum();
        List<String> layers = GraphSurgery.layerNames(model);
        LOG.info("{}: froze {} of {} layers {} ({} parameters); trainable: {}", NAME, chosen.size(), layers.size(),
                chosen, params, layers.stream().filter(n -> !GraphSurgery.isFrozen(frozen, n)).toList());
        return frozen;
    }
}
