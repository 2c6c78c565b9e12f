package dev.graft.steps;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataSplits;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import dev.graft.surgery.GraphSurgery;
import dev.graft.training.Trainer;
import dev.graft.training.UnfreezeProbe;
import dev.graft.training.fastpath.LocalTraining;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.learning.config.Adam;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes frozen layers trainable again, for the second phase of a fine-tune; layers not frozen stay as they are.
 * With {@code layers=auto} it tries how many top layers to reopen ({@link UnfreezeProbe}) and reopens the winner's.
 */
public final class UnfreezeLayersStep extends LayerSelectionStep {

    static final String NAME = "unfreeze-layers";
    private static final Logger LOG = LoggerFactory.getLogger(UnfreezeLayersStep.class);

    static final OptionSpec<List<Integer>> CANDIDATES = OptionSpec.parsed("candidates", "counts", null,
            UnfreezeLayersStep::counts, "With layers=auto, the counts of top layers to try reopening, e.g. '0,2,4' "
                    + "(default 0, then the count reaching each of the top four frozen layers with parameters).");
    static final OptionSpec<Integer> AUTO_EPOCHS = OptionSpec.integer("autoEpochs", 2, "With layers=auto, epochs "
            + "of each candidate's short fine-tune on the training split.");
    static final OptionSpec<Double> AUTO_LEARNING_RATE = OptionSpec.decimal("autoLearningRate", 3e-4, "With "
            + "layers=auto, Adam's learning rate of each candidate's short fine-tune.");
    static final OptionSpec<Integer> AUTO_BATCH_SIZE = OptionSpec.integer("autoBatchSize", 64, "With layers=auto, "
            + "examples a minibatch of each candidate's short fine-tune.");
    static final OptionSpec<Duration> AUTO_BUDGET = OptionSpec.duration("autoBudget", "5m", "With layers=auto, the "
            + "time the candidates may take: once it is spent the rest are skipped (the first is always tried).");
    static final OptionSpec<Integer> SEED = OptionSpec.integer("seed", 12345, "With layers=auto, the seed of each "
            + "candidate's fine-tune (the same for all, so they differ only in the layers reopened).");

    public UnfreezeLayersStep() {
        super(NAME, "unfreeze", "Unfreezes layers chosen like freeze-layers does (slice, names, upTo or regex), "
                + "e.g. layers=-4: reopens the top four layers for a second, lower-learning-rate train step; "
                + "layers=auto tries candidate counts of top layers by short fine-tunes and keeps the best.",
                List.of(CANDIDATES, AUTO_EPOCHS, AUTO_LEARNING_RATE, AUTO_BATCH_SIZE, AUTO_BUDGET, SEED));
    }

    private static List<Integer> counts(String text) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",")) {
            try {
                int n = Integer.parseInt(part.trim());
                if (n < 0) {
                    throw new IllegalArgumentException("counts of top layers, 0 or more, such as '0,2,4'");
                }
                out.add(n);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("comma-separated counts of top layers such as '0,2,4'");
            }
        }
        return List.copyOf(out);
    }

    @Override
    StepAction auto(StepOptions o) {
        List<Integer> candidates = o.find(CANDIDATES).orElse(null);
        int epochs = o.get(AUTO_EPOCHS);
        int batch = o.get(AUTO_BATCH_SIZE);
        double rate = o.get(AUTO_LEARNING_RATE);
        if (epochs < 1 || batch < 1 || !(rate > 0)) {
            throw new ConfigurationException(NAME + ": options autoEpochs, autoBatchSize and autoLearningRate must "
                    + "be positive; got " + epochs + ", " + batch + " and " + rate);
        }
        Duration budget = o.get(AUTO_BUDGET);
        Trainer.Settings settings = new Trainer.Settings(epochs, batch, new Adam(rate), o.get(SEED), true);
        return context -> {
            ComputationGraph model = context.requireModel(NAME);
            DataSplits data = context.requireData(NAME);
            if (data.validation() == null || data.validation().size() == 0) {
                throw new ConfigurationException(NAME + ": layers=auto needs a validation split to compare the "
                        + "candidates; expected 'fetch-dataset' with validation=<fraction>, e.g. validation=0.1");
            }
            List<Integer> tried = candidates != null ? candidates : UnfreezeProbe.defaultCandidates(model);
            UnfreezeProbe.Result result = UnfreezeProbe.probe(NAME, model, tried, data, budget, epochs,
                    (m, d) -> LocalTraining.train(m, d, settings, (record, all) -> { }),
                    line -> context.console().line(line));
            context.attributes().put(UnfreezeProbe.Result.ATTRIBUTE, result);
            context.console().line(String.format(Locale.ROOT, "%s: layers=auto reopens the top %d layers (best "
                    + "validation accuracy of %s)", NAME, result.chosen(), String.join(", ", result.rows().stream()
                    .map(r -> r.status() == UnfreezeProbe.Status.TRIED ? String.format(Locale.ROOT, "%d: %.4f",
                            r.top(), r.validationAccuracy()) : r.top() + ": " + r.status().name().toLowerCase())
                    .toList())));
            ComputationGraph chosen = UnfreezeProbe.reopen(NAME, model, result.chosen());
            context.setModel(chosen);
        };
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
