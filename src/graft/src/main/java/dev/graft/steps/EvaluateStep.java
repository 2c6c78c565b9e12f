package dev.graft.steps;

import dev.graft.metrics.RouteMetrics;
import dev.graft.spi.DataSplits;
import dev.graft.spi.LabeledSet;
import dev.graft.evaluation.ClassMetrics;
import dev.graft.spi.EvaluationResult;
import dev.graft.evaluation.Gate;
import dev.graft.spi.Verdict;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.OptionType;
import dev.graft.spi.RunContext;
import dev.graft.spi.Step;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import dev.graft.modelio.ModelFiles;
import dev.graft.registry.ModelRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Measures the model on the test split and writes a verdict with its reason. */
public final class EvaluateStep implements Step {

    static final String NAME = "evaluate";
    private static final Logger LOG = LoggerFactory.getLogger(EvaluateStep.class);

    /** Bound options; {@code gate} and {@code champion} are null when absent. */
    record Options(Gate gate, String champion, String alias, Path registry, double minImprovement) {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Computes accuracy, macro precision/recall/F1 and the confusion matrix on the test split; an optional "
                + "gate decides whether publish may move aliases; the verdict always carries a reason.";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(OptionSpec.optional("gate", OptionType.STRING, null,
                        "Conditions that must all hold, e.g. accuracy>=0.85 or accuracy>=0.85,f1>=0.8; metrics: "
                                + Gate.METRICS + "; default: no gate."),
                OptionSpec.optional("champion", OptionType.STRING, null,
                        "Registry model to beat, <name>[@<alias>] (default alias champion): it is measured on the same "
                                + "test split and the verdict passes only if the new model's accuracy is at least its "
                                + "accuracy plus minImprovement; default: no comparison."),
                OptionSpec.optional("minImprovement", OptionType.DOUBLE, "0",
                        "Accuracy the new model must gain over the champion; default 0 (a tie passes)."),
                OptionSpec.optional("registry", OptionType.STRING, "registry",
                        "Registry folder holding the champion; default 'registry'."));
    }

    @Override
    public StepAction configure(StepOptions o) {
        String champion = o.find("champion").orElse(null);
        String alias = "champion";
        if (champion != null && champion.contains("@")) {
            alias = champion.substring(champion.indexOf('@') + 1);
            champion = champion.substring(0, champion.indexOf('@'));
            if (champion.isBlank() || alias.isBlank()) {
                throw o.invalid("champion", o.string("champion"), "<name>[@<alias>], e.g. fashion-5-9@champion");
            }
        }
        Options options = new Options(o.find("gate").map(Gate::parse).orElse(null), champion, alias,
                Path.of(o.string("registry")), o.number("minImprovement"));
        return context -> run(options, context);
    }

    private static void run(Options o, RunContext context) {
        DataSplits data = context.requireData(NAME);
        ComputationGraph model = context.requireModel(NAME);
        Evaluation eval = measure(model, data);
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
                Evaluation theirs = measure(ModelFiles.load(current.get().modelFile()), data);
                champion = new EvaluationResult.Champion(o.champion(), current.get().version(), theirs.accuracy(),
                        ClassMetrics.of(confusion(theirs, k)).f1());
                double needed = champion.accuracy() + o.minImprovement();
                boolean beats = accuracy >= needed;
                verdict = combine(verdict, beats, String.format(Locale.ROOT,
                        "challenger accuracy %.4f %s champion %s v%d's %.4f%s on the same %d test examples",
                        accuracy, beats ? ">=" : "<", o.champion(), champion.version(), champion.accuracy(),
                        o.minImprovement() == 0 ? "" : String.format(Locale.ROOT, " + %.4f", o.minImprovement()),
                        data.test().size()));
            }
        }
        EvaluationResult result = new EvaluationResult(accuracy, precision, recall, f1, confusion, data.test().size(),
                verdict, champion);
        context.setEvaluation(result);
        RouteMetrics.of(context).evaluated(result);
        System.out.printf(Locale.ROOT, "%s: test accuracy %.4f  precision %.4f  recall %.4f  f1 %.4f  on %d examples%n",
                NAME, accuracy, precision, recall, f1, data.test().size());
        System.out.println(NAME + ": verdict " + verdict.outcome() + " - " + verdict.reason());
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

    private static Evaluation measure(ComputationGraph model, DataSplits data) {
        LabeledSet test = data.test();
        Evaluation eval = new Evaluation(data.numClasses());
        for (int from = 0; from < test.size(); from += 512) {
            int to = Math.min(test.size(), from + 512);
            INDArray x = test.features().get(NDArrayIndex.interval(from, to));
            INDArray y = test.labels().get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
            eval.eval(y, model.outputSingle(false, x));
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
