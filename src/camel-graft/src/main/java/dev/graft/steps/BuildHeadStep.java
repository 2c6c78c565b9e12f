package dev.graft.steps;

import dev.graft.spi.DataSplits;
import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.HeadLayer;
import dev.graft.modelio.ModelFiles;
import dev.graft.surgery.ModelSummary;
import dev.graft.surgery.Pooling;
import dev.graft.spi.MissingInputException;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.RunContext;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Cuts the model at one or more layer outputs and attaches a new head declared in the route. */
public final class BuildHeadStep extends BuiltInStep {

    static final String NAME = "build-head";
    private static final Logger LOG = LoggerFactory.getLogger(BuildHeadStep.class);

    static final OptionSpec<List<String>> FROM = OptionSpec.names("from",
            "Comma-separated layer names whose outputs feed the head, e.g. dense1 or pool1,dense1; 'auto' measures: a "
                    + "linear probe on each candidate's output, the best on the validation split wins.").require();
    static final OptionSpec<List<String>> CANDIDATES = OptionSpec.names("candidates", "With from=auto, the layers "
            + "probed; default every pooling and dense layer before the output.");
    static final OptionSpec<Integer> PROBE_LIMIT = OptionSpec.integer("probeLimit", 2000, "With from=auto, the "
            + "training examples (a seeded sample) each probe learns from; default 2000.").check(n -> n >= 10, "at least 10");
    static final OptionSpec<Integer> PROBE_EPOCHS = OptionSpec.integer("probeEpochs", 5, "With from=auto, passes of "
            + "each probe over its examples; default 5, as train's epochs.").check(n -> n >= 1 && n <= 1000, "1 to 1000");
    static final OptionSpec<Double> PROBE_LEARNING_RATE = OptionSpec.decimal("probeLearningRate", 1e-3, "With "
            + "from=auto, the Adam learning rate of each probe; default 1e-3, as train's learningRate.")
            .check(r -> r > 0 && r <= 1, "above 0 and at most 1");
    static final OptionSpec<List<HeadLayer>> LAYERS = OptionSpec.parsed("layers", "head", null, HeadLayer::parseAll,
            "The head, e.g. dense(128,relu),dropout(0.5),output(5,softmax); output(softmax) takes the class count "
                    + "from the data set; dropout(p) drops units with probability p; model(<zip, .h5, classpath: or "
                    + "URL>) splices a saved model's layers in as a block.").require();
    static final OptionSpec<Pooling> POOLING = OptionSpec.oneOf("pooling", Pooling.class, Pooling.FLATTEN,
            "How image-shaped outputs become vectors: flatten (all values), avg or max (global pooling, one value a "
                    + "channel); default flatten.");
    static final OptionSpec<long[]> INPUT_SHAPE = OptionSpec.parsed("inputShape", "shape", null,
            BuildHeadStep::parseShape, "The backbone's input shape, e.g. 1x28x28 or 784; default: the fetched data "
                    + "set's example shape.");
    static final OptionSpec<Integer> SEED = OptionSpec.integer("seed", 12345, "Seed of the new layers' weights; "
            + "default 12345.");

    /** Bound options; {@code inputShape} is null when it comes from the data set. */
    record Options(List<String> from, List<HeadLayer> layers, Pooling pooling, long[] inputShape, long seed,
                   List<String> candidates, int probeLimit, int probeEpochs, double probeLearningRate) {

        boolean auto() {
            return from.equals(List.of(AUTO));
        }
    }

    static final String AUTO = "auto";

    public BuildHeadStep() {
        super(NAME, "Keeps the model up to the named layer outputs, drops the old output layers, and adds a new head "
                + "(dense, dropout, a saved model as a block, output); image outputs are flattened or globally pooled, "
                + "several outputs concatenated; input sizes are inferred and checked.",
                List.of(FROM, LAYERS, POOLING, INPUT_SHAPE, SEED, CANDIDATES, PROBE_LIMIT, PROBE_EPOCHS,
                        PROBE_LEARNING_RATE));
    }

    @Override
    public Role role(StepOptions options) {
        return Role.SURGERY;
    }

    @Override
    public StepAction configure(StepOptions o) {
        Options options = new Options(o.get(FROM), o.get(LAYERS), o.get(POOLING), o.find(INPUT_SHAPE).orElse(null),
                o.get(SEED), o.find(CANDIDATES).orElse(List.of()), o.get(PROBE_LIMIT), o.get(PROBE_EPOCHS),
                o.get(PROBE_LEARNING_RATE));
        if (!options.auto()) {
            for (OptionSpec<?> probing : List.of(CANDIDATES, PROBE_LIMIT, PROBE_EPOCHS, PROBE_LEARNING_RATE)) {
                if (o.given(probing)) {
                    throw o.invalid(probing, "no value: it applies to from=auto only");
                }
            }
        }
        if (o.get(FROM).contains(AUTO) && !options.auto()) {
            throw o.invalid(FROM, "either 'auto' alone or layer names");
        }
        return context -> run(options, context);
    }

    private static long[] parseShape(String text) {
        try {
            long[] shape = Arrays.stream(text.split("x")).map(String::trim).mapToLong(Long::parseLong).toArray();
            if ((shape.length == 1 || shape.length == 3) && Arrays.stream(shape).allMatch(v -> v > 0)) {
                return shape;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the expected form
        }
        throw new IllegalArgumentException("channels x height x width such as 1x28x28, or a feature count such as 784");
    }

    private static void run(Options o, RunContext context) {
        ComputationGraph model = context.requireModel(NAME);
        long[] shape = o.inputShape();
        int classes = context.data().map(DataSplits::numClasses).orElse(0);
        if (shape == null) {
            shape = context.data().map(DataSplits::exampleShape).orElseThrow(() -> new MissingInputException(NAME
                    + ": cannot infer the backbone's input shape; expected option 'inputShape' (e.g. inputShape=1x28x28) "
                    + "or 'fetch-dataset' before '" + NAME + "'"));
        }
        InputType[] types = GraphSurgery.inputTypes(shape);
        Path trigger = context.triggerFile().orElse(null);
        List<String> from = o.auto() ? List.of(CutProbes.choose(NAME, o, model, types, context)) : o.from();
        ComputationGraph headed = GraphSurgery.withHead(model, from, o.layers(), o.pooling(), types, classes,
                o.seed(), source -> ModelFiles.load(NAME, source, trigger).graph());
        GraphSurgery.requireOutputFits(NAME, headed, classes);
        LOG.info("{}: head on {}:\n{}", NAME, from, ModelSummary.of(headed, types));
        context.setModel(headed);
    }
}
