package dev.graft.steps;

import dev.graft.data.DataSplits;
import dev.graft.model.DistributedTraining;
import dev.graft.model.Trainer;
import dev.graft.model.TrainingEngine;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.OptionType;
import dev.graft.spi.RunContext;
import dev.graft.spi.Step;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.BiFunction;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Trains the model's trainable layers on the training split, featurizing once when the frozen part allows; the
 * epochs run on the {@code engine}: this JVM, or a cluster engine found through {@link DistributedTraining}.
 */
public final class TrainStep implements Step {

    static final String NAME = "train";

    /** The engine value that trains in this JVM. */
    static final String LOCAL = "local";

    /** Options that only a cluster engine reads. */
    static final List<String> CLUSTER_OPTIONS = List.of("master", "workers", "averagingFrequency", "batchPerWorker");

    /** Bound options. */
    record Options(int epochs, int batchSize, String updater, double learningRate, long seed, boolean featurize,
                   TrainingEngine engine) {

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
                + "features once and trains only the rest (featurize-once); prints a line per epoch; the epochs run in "
                + "this JVM or, with engine=spark, on an Apache Spark cluster.";
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
                        "Allow featurize-once when the frozen part permits it; default true."),
                OptionSpec.oneOf("engine", LOCAL, List.of(LOCAL, "spark"),
                        "Where the epochs run: local (this JVM) or spark (needs the Spark build, see README "
                                + "'Scaling out'); featurize-once, accuracies and the result stay here; default local."),
                OptionSpec.optional("master", OptionType.STRING, null,
                        "engine=spark: cluster manager URL such as spark://host:7077, yarn or k8s://https://host:443; "
                                + "default: spark-submit's --master, else local[workers]."),
                OptionSpec.optional("workers", OptionType.INT, null,
                        "engine=spark: parallel workers, each fitting batchSize examples a minibatch; default: "
                                + "Spark's default parallelism (all executor cores)."),
                OptionSpec.optional("averagingFrequency", OptionType.INT, null,
                        "engine=spark: minibatches each worker fits between parameter averages; default 1 "
                                + "(synchronous, as accurate as a local run); more means fewer rounds, less accuracy."),
                OptionSpec.optional("batchPerWorker", OptionType.INT, null,
                        "engine=spark: examples in each worker's minibatch; default batchSize / workers, so that all "
                                + "workers together take batchSize-example steps as a local run does."));
    }

    private final BiFunction<String, ClassLoader, Optional<DistributedTraining>> engines;

    public TrainStep() {
        this(DistributedTraining::find);
    }

    /** For tests: finds cluster engines with {@code engines} instead of {@link java.util.ServiceLoader}. */
    TrainStep(BiFunction<String, ClassLoader, Optional<DistributedTraining>> engines) {
        this.engines = engines;
    }

    @Override
    public StepAction configure(StepOptions o) {
        Options options = new Options(o.integer("epochs"), o.integer("batchSize"), o.string("updater"),
                o.number("learningRate"), o.integer("seed"), o.bool("featurize"), engine(o));
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

    private TrainingEngine engine(StepOptions o) {
        String engine = o.string("engine");
        Optional<String> master = o.find("master").filter(m -> !m.isBlank());
        if (engine.equals(LOCAL)) {
            for (String option : CLUSTER_OPTIONS) {
                Optional<String> value = option.equals("master") ? master : o.find(option);
                if (value.isPresent()) {
                    throw new ConfigurationException(NAME + ": option '" + option + "' needs a cluster engine but "
                            + "engine is 'local' ('" + option + "=" + value.get() + "'); expected engine=spark, or no '"
                            + option + "'");
                }
            }
            return TrainingEngine.local();
        }
        int averaging = o.find("averagingFrequency").map(Integer::parseInt).orElse(1);
        if (averaging < 1) {
            throw o.invalid("averagingFrequency", String.valueOf(averaging), "at least 1");
        }
        OptionalInt workers = o.find("workers").map(w -> OptionalInt.of(Integer.parseInt(w))).orElse(OptionalInt.empty());
        if (workers.isPresent() && workers.getAsInt() < 1) {
            throw o.invalid("workers", String.valueOf(workers.getAsInt()), "at least 1");
        }
        OptionalInt batchPerWorker = o.find("batchPerWorker").map(b -> OptionalInt.of(Integer.parseInt(b)))
                .orElse(OptionalInt.empty());
        if (batchPerWorker.isPresent() && batchPerWorker.getAsInt() < 1) {
            throw o.invalid("batchPerWorker", String.valueOf(batchPerWorker.getAsInt()), "at least 1");
        }
        DistributedTraining provider = engines.apply(engine, TrainStep.class.getClassLoader())
                .orElseThrow(() -> new ConfigurationException(NAME + ": the training engine '" + engine
                        + "' is not on the class path; expected the Spark build of Graft: build it with "
                        + "'mvn -B -Pspark package' and run the route with './graft-spark run ROUTE.yaml' or "
                        + "'spark-submit --class dev.graft.cli.GraftCli target/spark/graft-spark.jar run ROUTE.yaml' "
                        + "(README, 'Scaling out'), or use engine=local"));
        return provider.configure(new DistributedTraining.Cluster(master, workers, averaging, batchPerWorker));
    }

    private static void run(Options o, RunContext context) {
        DataSplits data = context.requireData(NAME);
        var model = context.requireModel(NAME);
        context.setSeed(o.seed());
        Trainer.Result result = Trainer.train(model, data,
                new Trainer.Settings(o.epochs(), o.batchSize(), o.toUpdater(), o.seed(), o.featurize()), o.engine(),
                new ConsoleProgress(System.out, NAME + ":", context::isCancelled));
        context.setModel(result.model());
        context.setHistory(result.history());
    }
}
