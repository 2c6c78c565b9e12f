package dev.graft.steps;

import dev.graft.metrics.RouteMetrics;
import dev.graft.spi.DataSplits;
import dev.graft.spi.ExampleStream;
import dev.graft.spi.Examples;
import dev.graft.spi.LabeledSet;
import dev.graft.evaluation.ClassMetrics;
import dev.graft.spi.EvaluationResult;
import dev.graft.evaluation.Gate;
import dev.graft.spi.Verdict;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.RunContext;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import dev.graft.modelio.ModelFiles;
import dev.graft.nd4j.Batches;
import dev.graft.registry.ModelRef;
import dev.graft.registry.ModelRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Measures the model on the test split and writes a verdict with its reason. */
public final class EvaluateStep extends BuiltInStep {

    static final String NAME = "evaluate";
    private static final Logger LOG = LoggerFactory.getLogger(EvaluateStep.class);

    static final OptionSpec<Gate> GATE = OptionSpec.parsed("gate", "gate", null, Gate::parse, "Conditions that must "
            + "all hold, e.g. accuracy>=0.85 or accuracy>=0.85,f1>=0.8; metrics: " + Gate.METRICS + "; operators: "
            + Gate.Operator.SYMBOLS + "; default: no gate.");
    static final OptionSpec<ModelRef> CHAMPION = OptionSpec.parsed("champion", "model", null, ModelRef::parse,
            "Registry model to beat, <name>[@<alias>] (default alias champion): it is measured on the same test "
                    + "examples and the verdict passes only if the new model's accuracy is at least its accuracy plus "
                    + "minImprovement; a tie (as many correct examples) passes only when the new model was trained on "
                    + "different data (data SHA-256) from the champion's; default: no comparison.");
    static final OptionSpec<Double> MIN_IMPROVEMENT = OptionSpec.decimal("minImprovement", 0.0, "Accuracy the new "
            + "model must gain over the champion; default 0 (a tie passes on different data only).");
    static final OptionSpec<Path> REGISTRY = OptionSpec.path("registry", "registry", "Registry folder holding the "
            + "champion; default 'registry'.");

    /** Bound options; {@code gate} and {@code champion} are null when absent. */
    record Options(Gate gate, String champion, String alias, Path registry, double minImprovement) {
    }

    public EvaluateStep() {
        super(NAME, "Computes accuracy, macro precision/recall/F1 and the confusion matrix on the test split; an optional "
                + "gate and champion comparison decide whether publish may move aliases (champion rule: strictly more "
                + "accurate on the same test examples, or equally accurate and trained on different data; the same "
                + "data never takes the alias on a tie); the verdict always carries a reason.",
                List.of(GATE, CHAMPION, MIN_IMPROVEMENT, REGISTRY));
    }

    @Override
    public StepAction configure(StepOptions o) {
        ModelRef champion = o.find(CHAMPION).orElse(null);
        Options options = new Options(o.find(GATE).orElse(null), champion == null ? null : champion.name(),
                champion == null ? ModelRef.DEFAULT_ALIAS : champion.ref(), o.get(REGISTRY), o.get(MIN_IMPROVEMENT));
        return context -> run(options, context);
    }

    private static void run(Options o, RunContext context) {
        DataSplits data = context.requireData(NAME);
        ComputationGraph model = context.requireModel(NAME);
        Evaluation eval = measure(model, data, context, "challenger");
        int k = data.numClasses();
        int[][] confusion = confusion(eval, k);
        ClassMetrics metrics = ClassMetrics.of(confusion);
        double accuracy = metrics.accuracy();
        double precision = metrics.precision();
        double recall = metrics.recall();
        double f1 = metrics.f1();
        Verdict verdict = o.gate() == null
                ? new Verdict(Verdict.Outcome.NO_GATE, "no gate configured: aliases move unconditionally")
                : o.gate().judge(Map.of("accuracy", accuracy, "precision", precision, "recall", recall, "f1", f1));
        EvaluationResult.Champion champion = null;
        if (o.champion() != null) {
            ModelRegistry registry = new ModelRegistry(o.registry());
            Optional<ModelRegistry.ResolvedModel> current = registry.resolve(o.champion(), o.alias());
            if (current.isEmpty()) {
                verdict = combine(verdict, true, "no " + o.champion() + "@" + o.alias() + " yet in " + registry.root()
                        + ": nothing to beat");
            } else {
                Evaluation theirs = measure(ModelFiles.load(current.get().modelFile()), data, context, "champion");
                int[][] theirConfusion = confusion(theirs, k);
                champion = new EvaluationResult.Champion(o.champion(), current.get().version(), theirs.accuracy(),
                        ClassMetrics.of(theirConfusion).f1(), theirConfusion);
                String championData = dataSha256(registry, o.champion(), champion.version());
                Comparison c = compare(correct(eval, k), correct(theirs, k), data.test().size(), o.minImprovement(),
                        data.sha256(), championData);
                verdict = combine(verdict, c.beats(), String.format(Locale.ROOT,
                        "challenger accuracy %.4f %s champion %s v%d's %.4f%s on the same %d test examples%s",
                        accuracy, c.relation(), o.champion(), champion.version(), champion.accuracy(),
                        o.minImprovement() == 0 ? "" : String.format(Locale.ROOT, " + %.4f", o.minImprovement()),
                        data.test().size(), c.why()));
            }
        }
        EvaluationResult result = new EvaluationResult(accuracy, precision, recall, f1, confusion, data.test().size(),
                verdict, champion);
        context.setEvaluation(result);
        RouteMetrics.of(context).evaluated(result);
        context.console().line(String.format(Locale.ROOT, "%s: test accuracy %.4f  precision %.4f  recall %.4f  f1 %.4f  "
                + "on %d examples", NAME, accuracy, precision, recall, f1, data.test().size()));
        context.console().line(NAME + ": verdict " + verdict.outcome() + " - " + verdict.reason());
        LOG.debug("{}: confusion matrix\n{}", NAME, eval.confusionToString());
    }

    private static int[][] confusion(Evaluation eval, int k) {
        int[][] confusion = new int[k][k];
        for (int a = 0; a < k; a++) {
            for (int p = 0; p < k; p++) {
                confusion[a][p] = eval.getConfusionMatrix().getCount(a, p);
            }
        }
        return confusion;
    }

    /**
     * The champion rule's decision.
     *
     * @param beats    true when the alias may move to the challenger
     * @param relation how the challenger's accuracy compares: {@code >=}, {@code <}, {@code >} or {@code =}
     * @param why      what decided a tie; empty otherwise
     */
    record Comparison(boolean beats, String relation, String why) {
    }

    /**
     * The champion rule, on the number of test examples each model classified correctly (the same examples for
     * both): the challenger beats the champion when its accuracy is at least the champion's plus
     * {@code minImprovement}, except on a tie - exactly as many correct examples - with a challenger trained on
     * the same data as the champion (equal data SHA-256), which never moves the alias: the same bytes under
     * another file name must not displace the champion. A champion whose data hash is unknown counts as trained
     * on other data.
     */
    static Comparison compare(int challengerCorrect, int championCorrect, int examples, double minImprovement,
                              String challengerData, String championData) {
        boolean tie = challengerCorrect == championCorrect;
        boolean sameData = championData != null && championData.equals(challengerData);
        boolean enough = minImprovement == 0 ? challengerCorrect >= championCorrect
                : (double) challengerCorrect / examples >= (double) championCorrect / examples + minImprovement;
        if (tie && minImprovement == 0) {
            return sameData
                    ? new Comparison(false, "=", ", a tie, and trained on the same data (SHA-256 " + shortHash(championData)
                            + "): a tie on identical data does not move the alias")
                    : new Comparison(true, "=", ", a tie, on different data (SHA-256 " + shortHash(challengerData)
                            + " vs the champion's " + (championData == null ? "unknown" : shortHash(championData))
                            + "): a tie on new data moves the alias");
        }
        if (minImprovement == 0) {
            return new Comparison(enough, enough ? ">" : "<", "");
        }
        return new Comparison(enough, enough ? ">=" : "<", "");
    }

    private static String shortHash(String sha) {
        return sha == null ? "unknown" : sha.substring(0, Math.min(12, sha.length()));
    }

    /** How many test examples the evaluation counted as correct: its confusion matrix's diagonal. */
    private static int correct(Evaluation eval, int classes) {
        int n = 0;
        for (int c = 0; c < classes; c++) {
            n += eval.getConfusionMatrix().getCount(c, c);
        }
        return n;
    }

    /** The data SHA-256 the champion's metadata records; null when it records none. */
    private static String dataSha256(ModelRegistry registry, String name, int version) {
        try {
            return registry.metadata(name, version).get("dataset") instanceof Map<?, ?> d
                    && d.get("sha256") instanceof String sha ? sha : null;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Test examples a batch when the test split is streamed: small, as its activations are what memory holds. */
    static final int STREAM_BATCH = 64;

    /** Scores {@code model} on the test split, showing a progress line named after {@code which} model it is. */
    private static Evaluation measure(ComputationGraph model, DataSplits data, RunContext context, String which) {
        LabeledSet test = data.test();
        Evaluation eval = new Evaluation(data.numClasses());
        int[] done = {0};
        if (test.streamed()) {
            try (ProgressLine line = new ProgressLine(context, NAME + ": " + which, NAME, 0, 0,
                    (test.size() + STREAM_BATCH - 1) / STREAM_BATCH, " batches");
                 ExampleStream.Pass pass = test.stream().open(STREAM_BATCH)) {
                int from = 0;
                for (INDArray x = pass.next(); x != null; x = pass.next()) {
                    int to = from + (int) x.size(0);
                    eval.eval(Examples.rows(test.labels(), from, to), model.output(false, x)[0]);
                    x.close();
                    from = to;
                    line.step(++done[0], "", Double.NaN, Double.NaN);
                }
            }
            return eval;
        }
        try (ProgressLine line = new ProgressLine(context, NAME + ": " + which, NAME, 0, 0,
                Batches.count(test.size()), " batches")) {
            Batches.inBatches(new INDArray[] {test.features()}, test.labels(), (x, y) -> {
                eval.eval(y, model.output(false, x)[0]);
                line.step(++done[0], "", Double.NaN, Double.NaN);
            });
        }
        return eval;
    }

    /** The gate's verdict combined with the champion comparison: both must hold. */
    private static Verdict combine(Verdict gate, boolean beats, String reason) {
        if (gate.outcome() == Verdict.Outcome.FAILED) {
            return new Verdict(Verdict.Outcome.FAILED, gate.reason() + "; " + reason);
        }
        String prefix = gate.outcome() == Verdict.Outcome.NO_GATE ? "" : gate.reason() + "; ";
        return new Verdict(beats ? Verdict.Outcome.PASSED : Verdict.Outcome.FAILED, prefix + reason);
    }
}
