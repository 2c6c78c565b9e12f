package dev.graft.training;

import dev.graft.io.JsonFields;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataSplits;
import dev.graft.spi.EpochRecord;
import dev.graft.surgery.GraphSurgery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Decides how many top layers two-phase fine-tuning reopens ({@code unfreeze-layers?layers=auto}): each candidate
 * count k reopens the last k layers in topological order (the slice {@code -k:}), is fine-tuned briefly on the
 * training split from the same starting weights, and is scored by its validation accuracy; the best wins (a tie goes
 * to the candidate listed first). Candidates are tried in the order given while the time budget lasts; the first is
 * always tried, and the rest once the budget is spent are listed as skipped.
 */
public final class UnfreezeProbe {

    private UnfreezeProbe() {
    }

    /** What became of a candidate. */
    public enum Status {
        /** Fine-tuned and scored. */
        TRIED,
        /** Not tried: the time budget was spent. */
        SKIPPED,
        /** Not tried: the reopened layers cannot train as they are (the reason says why). */
        REFUSED
    }

    /**
     * One candidate's figures.
     *
     * @param top                how many top layers it reopens
     * @param trainableParams    parameters that train with it (NaN-free: 0 when refused)
     * @param validationAccuracy accuracy on the validation split after the short fine-tune; NaN unless tried
     * @param seconds            time of its fine-tune and scoring; 0 unless tried
     * @param status             tried, skipped or refused
     * @param note               why it was refused or skipped; empty when tried
     */
    public record Row(int top, long trainableParams, double validationAccuracy, double seconds, Status status,
                      String note) {

        /** The row as JSON fields. */
        public Map<String, Object> toJson() {
            return JsonFields.of("top", top, "trainableParams", trainableParams, "validationAccuracy",
                    validationAccuracy, "seconds", seconds, "status", status.name().toLowerCase(), "note", note);
        }
    }

    /**
     * The outcome.
     *
     * @param rows   the candidates in the order tried
     * @param chosen the winning count of top layers
     * @param budget the time budget
     * @param epochs the epochs of each short fine-tune
     */
    public record Result(List<Row> rows, int chosen, Duration budget, int epochs) {

        /** The key of the result in a run's attributes. */
        public static final String ATTRIBUTE = "graft.unfreeze.probe";

        public Result {
            rows = List.copyOf(rows);
        }

        /** The result as JSON fields. */
        public Map<String, Object> toJson() {
            return JsonFields.of("chosen", chosen, "budgetSeconds", budget.toMillis() / 1000.0, "epochs", epochs,
                    "candidates", rows.stream().map(Row::toJson).toList());
        }
    }

    /**
     * The default candidates: 0, then for each of the top four layers with parameters that are frozen, the count
     * of top layers that reaches it (for LeNet's conv1, pool1, conv2, pool2, dense1 and a trained output: 0, 2, 4,
     * 6).
     */
    public static List<Integer> defaultCandidates(ComputationGraph graph) {
        List<String> layers = GraphSurgery.layerNames(graph);
        List<Integer> out = new ArrayList<>(List.of(0));
        for (int i = layers.size() - 1; i >= 0 && out.size() < 5; i--) {
            String name = layers.get(i);
            if (graph.getConfiguration().getVertices().get(name) instanceof LayerVertex
                    && GraphSurgery.paramCount(graph, name) > 0 && GraphSurgery.isFrozen(graph, name)) {
                out.add(layers.size() - i);
            }
        }
        return out;
    }

    /** {@code model} with its top {@code top} layers reopened; {@code model} stays as it is. */
    public static ComputationGraph reopen(String step, ComputationGraph model, int top) {
        List<String> layers = GraphSurgery.layerNames(model);
        if (top < 0 || top > layers.size()) {
            throw new ConfigurationException(step + ": option 'candidates' has a bad value '" + top + "'; expected "
                    + "counts of top layers from 0 to " + layers.size());
        }
        if (top == 0) {
            return model;
        }
        ComputationGraph reopened = GraphSurgery.unfreeze(model, layers.subList(layers.size() - top, layers.size()));
        GraphSurgery.requireGradientPath(step, reopened);
        return reopened;
    }

    /**
     * Tries the candidates.
     *
     * @param fineTune trains a copy of the given model on the data for the short fine-tune (the argument unchanged)
     * @param log      told a line per candidate
     * @throws ConfigurationException when no candidate could be tried
     */
    public static Result probe(String step, ComputationGraph model, List<Integer> candidates, DataSplits data,
                               Duration budget, int epochs,
                               BiFunction<ComputationGraph, DataSplits, Trainer.Result> fineTune,
                               java.util.function.Consumer<String> log) {
        long start = System.nanoTime();
        List<Row> rows = new ArrayList<>();
        int chosen = -1;
        double best = Double.NEGATIVE_INFINITY;
        for (int top : candidates) {
            long elapsed = System.nanoTime() - start;
            if (!rows.isEmpty() && elapsed >= budget.toNanos()) {
                rows.add(new Row(top, 0, Double.NaN, 0, Status.SKIPPED, String.format(java.util.Locale.ROOT,
                        "budget of %d s spent after %.1f s (option autoBudget)", budget.toSeconds(), elapsed / 1e9)));
                continue;
            }
            ComputationGraph reopened;
            try {
                reopened = reopen(step, model, top);
            } catch (ConfigurationException e) {
                rows.add(new Row(top, 0, Double.NaN, 0, Status.REFUSED, e.getMessage()));
                continue;
            }
            long t0 = System.nanoTime();
            Trainer.Result r = fineTune.apply(reopened, data);
            List<EpochRecord> epochsRun = r.history().epochs();
            double accuracy = epochsRun.get(epochsRun.size() - 1).validationAccuracy();
            double seconds = (System.nanoTime() - t0) / 1e9;
            rows.add(new Row(top, trainable(reopened), accuracy, seconds, Status.TRIED, ""));
            log.accept(String.format(java.util.Locale.ROOT, "%s: layers=auto: top %d layers reopened (%d trainable "
                    + "parameters): validation accuracy %.4f after %d epochs in %.1f s", step, top,
                    trainable(reopened), accuracy, epochs, seconds));
            if (accuracy > best) {
                best = accuracy;
                chosen = top;
            }
        }
        if (chosen < 0) {
            throw new ConfigurationException(step + ": layers=auto could try none of the candidates " + candidates
                    + ": " + rows.stream().map(Row::note).toList() + "; expected counts of top layers that can train "
                    + "(option candidates)");
        }
        return new Result(rows, chosen, budget, epochs);
    }

    /** Parameters of the layers that are not frozen. */
    static long trainable(ComputationGraph graph) {
        long n = 0;
        for (String name : GraphSurgery.layerNames(graph)) {
            if (!GraphSurgery.isFrozen(graph, name)) {
                n += GraphSurgery.paramCount(graph, name);
            }
        }
        return n;
    }
}
