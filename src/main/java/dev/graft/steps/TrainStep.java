package dev.graft.steps;

import dev.graft.data.DataSplits;
import dev.graft.model.Trainer;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.OptionType;
import dev.graft.spi.RunContext;
import dev.graft.spi.Step;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.util.List;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;

/** Trains the model's trainable layers on the training split, featurizing once when the frozen part allows. */
public final class TrainStep implements Step {

    static final String NAME = "train";

    /** Bound options. */
    record Options(int epochs, int batchSize, String updater, double learningRate, long seed, boolean featurize) {

        IUpdater toUpdater() {
            return switch (updater) {
                case "sgd" -> new Sgd(learningRate);
                case "nesterovs" -> new Nesterovs(learningRate, 0.9);
                case "rmsprop" -> new RmsProp(learningRate);
                default -> new Adam(learningRate);
            };
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Trains the trainable layers; when every trainable layer follows the frozen part, computes the frozen "
                + "features once and trains only the rest (featurize-once); prints a line per epoch.";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.optional("epochs", OptionType.INT, "5", "Passes over the training split; default 5."),
                OptionSpec.optional("batchSize", OptionType.INT, "64", "Examples per minibatch; default 64."),
                OptionSpec.oneOf("updater", "adam", List.of("adam", "sgd", "nesterovs", "rmsprop"),
                        "Optimiser; default adam."),
                OptionSpec.optional("learningRate", OptionType.DOUBLE, "1e-3", "Learning rate; default 1e-3."),
                OptionSpec.optional("seed", OptionType.INT, "12345", "Seed for shuffling and dropout; default 12345."),
                OptionSpec.optional("featurize", OptionType.BOOLEAN, "true",
                        "Allow featurize-once when the frozen part permits it; default true."));
    }

    @Override
    public StepAction configure(StepOptions o) {
        Options options = new Options(o.integer("epochs"), o.integer("batchSize"), o.string("updater"),
                o.number("learningRate"), o.integer("seed"), o.bool("featurize"));
        if (options.epochs() < 1) {
            throw o.invalid("epochs", String.valueOf(options.epochs()), "at least 1");
        }
        if (options.batchSize() < 1) {
            throw o.invalid("batchSize", String.valueOf(options.batchSize()), "at least 1");
        }
        if (!(options.learningRate() > 0)) {
            throw o.invalid("learningRate", o.string("learningRate"), "a positive number such as 1e-3");
        }
        return context -> run(options, context);
    }

    private static void run(Options o, RunContext context) {
        DataSplits data = context.requireData(NAME);
        var model = context.requireModel(NAME);
        context.setSeed(o.seed());
        Trainer.Result result = Trainer.train(model, data,
                new Trainer.Settings(o.epochs(), o.batchSize(), o.toUpdater(), o.seed(), o.featurize()),
                new ConsoleProgress(System.out, NAME + ":", context::isCancelled)
                        .and(context.metrics().trainingProgress()));
        context.setModel(result.model());
        context.setHistory(result.history());
    }
}
