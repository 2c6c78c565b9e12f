package dev.graft.steps;

import dev.graft.surgery.GraphSurgery;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Makes frozen layers trainable again, for the second phase of a fine-tune; layers not frozen stay as they are. */
public final class UnfreezeLayersStep extends LayerSelectionStep {

    static final String NAME = "unfreeze-layers";
    private static final Logger LOG = LoggerFactory.getLogger(UnfreezeLayersStep.class);

    public UnfreezeLayersStep() {
        super(NAME, "unfreeze", "Unfreezes layers chosen like freeze-layers does (slice, names, upTo or regex), "
                + "e.g. layers=-4: reopens the top four layers for a second, lower-learning-rate train step.");
    }

    @Override
    ComputationGraph change(ComputationGraph model, List<String> chosen) {
        List<String> reopened = chosen.stream().filter(n -> GraphSurgery.isFrozen(model, n)).toList();
        ComputationGraph unfrozen = GraphSurgery.unfreeze(model, chosen);
        LOG.info("{}: unfroze {} {} ({} parameters){}; still frozen: {}", NAME, reopened.size(), reopened,
                reopened.stream().mapToLong(n -> GraphSurgery.paramCount(model, n)).sum(),
                reopened.size() < chosen.size() ? "; already trainable: "
                        + chosen.stream().filter(n -> !reopened.contains(n)).toList() : "",
                GraphSurgery.frozenLayers(unfrozen));
        return unfrozen;
    }
}
