package dev.graft.steps;

import dev.graft.data.DataSplits;
import dev.graft.data.LabeledSet;
import dev.graft.model.EvaluationResult;
import dev.graft.model.Gate;
import dev.graft.model.Verdict;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.OptionType;
import dev.graft.spi.RunContext;
import dev.graft.spi.Step;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.evaluation.EvaluationAveraging;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Measures the model on the test split and writes a verdict with its reason. */
public final class EvaluateStep implements Step {

    static final String NAME = "evaluate";
    private static final Logger LOG = LoggerFactory.getLogger(EvaluateStep.class);

    /** Bound options; {@code gate} is null when there is none. */
    record Options(Gate gate) {
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
                        + Gate.METRICS + "; default: no gate."));
    }

    @Override
    public StepAction configure(StepOptions o) {
        Options options = new Options(o.find("gate").map(Gate::parse).orElse(null));
        return context -> run(options, context);
    }

    private static void run(Options o, RunContext context) {
        DataSplits data = context.requireData(NAME);
        ComputationGraph model = context.requireModel(NAME);
        LabeledSet test = data.test();
        Evaluation eval = new Evaluation(data.numClasses());
        for (int from = 0; from < test.size(); from += 512) {
            int to = Math.min(test.size(), from + 512);
            INDArray x = test.features().get(NDArrayIndex.interval(from, to));
            INDArray y = test.labels().get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
            eval.eval(y, model.outputSingle(false, x));
        }
        int k = data.numClasses();
        int[][] confusion = new int[k][k];
        for (int a = 0; a < k; a++) {
            for (int p = 0; p < k; p++) {
                confusion[a][p] = eval.getConfusionMatrix().getCount(a, p);
            }
        }
        double accuracy = eval.accuracy();
        double precision = eval.precision(EvaluationAveraging.Macro);
        double recall = eval.recall(EvaluationAveraging.Macro);
        double f1 = eval.f1(EvaluationAveraging.Macro);
        Verdict verdict = o.gate() == null
                ? new Verdict(Verdict.Outcome.NO_GATE, "no gate configured: aliases move unconditionally")
                : o.gate().judge(Map.of("accuracy", accuracy, "precision", precision, "recall", recall, "f1", f1));
        EvaluationResult result = new EvaluationResult(accuracy, precision, recall, f1, confusion, test.size(), verdict);
        context.setEvaluation(result);
        context.metrics().evaluated(result);
        System.out.printf(Locale.ROOT, "%s: test accuracy %.4f  precision %.4f  recall %.4f  f1 %.4f  on %d examples%n",
                NAME, accuracy, precision, recall, f1, test.size());
        System.out.println(NAME + ": verdict " + verdict.outcome() + " - " + verdict.reason());
        LOG.debug("{}: confusion matrix\n{}", NAME, eval.confusionToString());
    }
}
