package dev.graft.steps;

import dev.graft.training.fastpath.LocalTraining;
import dev.graft.io.ByteSize;
import dev.graft.training.fastpath.JitWarmUp;
import dev.graft.metrics.RouteMetrics;
import dev.graft.spi.DataSplits;
import dev.graft.training.featurize.FeatureCache;
import dev.graft.training.LearningRateSchedule;
import dev.graft.spi.DistributedTraining;
import dev.graft.surgery.GraphSurgery;
import dev.graft.training.Trainer;
import dev.graft.spi.TrainingEngine;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.OptionType;
import dev.graft.spi.RunContext;
import dev.graft.spi.Step;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.BiFunction;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ISchedule;

/** Trains the model's trainable layers on the training split, featurizing once when the frozen part allows. */
public final class TrainStep implements Step {

    static final String NAME = "train";

    /** The engine value that trains in this JVM. */
    static final String LOCAL = "local";

    /** Options that only a cluster engine reads. */
    static final List<String> CLUSTER_OPTIONS = List.of("master", "workers", "averagingFrequency", "batchPerWorker");

    /**
     * Bound options; {@code checkpointDir} is null when {@code checkpointEvery} is 0, {@code featureCache} null
     * when there is none.
     */
    record Options(int epochs, int batchSize, String updater, double learningRate, LearningRateSchedule schedule,
                   double l2, double weightDecay, int patience, boolean restoreBest, Trainer.Monitor monitor,
                   int checkpointEvery,
                   Path checkpointDir, long seed, boolean featurize, FeatureCache featureCache,
                   TrainingEngine engine) {

        IUpdater toUpdater() {
            ISchedule s = schedule.toSchedule(learningRate, epochs);
            return switch (updater) {
                case "sgd" -> s == null ? new Sgd(learningRate) : new Sgd(s);
                case "nesterovs" -> s == null ? new Nesterovs(learningRate, 0.9) : new Nesterovs(s, 0.9);
                case "rmsprop" -> s == null ? new RmsProp(learningRate) : new RmsProp(s);
                default -> s == null ? new Adam(learningRate) : new Adam(s);
            };
        }

        List<Regularization> regularization() {
            List<Regularization> r = new ArrayList<>();
            if (l2 > 0) {
                r.add(new L2Regularization(l2));
            }
            if (weightDecay > 0) {
                r.add(new WeightDecay(weightDecay, true));
            }
            return r;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Trains the trainable layers (frozen ones never change); when every trainable layer follows the frozen "
                + "part, computes the frozen features once and trains only the rest (featurize-once, with an optional "
                + "feature cache that keeps them between runs); learning-rate "
                + "schedules, L2 or weight decay, early stopping and best-epoch restore on the validation split, "
                + "checkpoints; prints a line per epoch; the epochs run in this JVM or, with engine=spark, on Spark.";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.optional("epochs", OptionType.INT, "5", "Passes over the training split (at most, with "
                        + "patience); default 5."),
                OptionSpec.optional("batchSize", OptionType.INT, "64", "Examples per minibatch; default 64."),
                OptionSpec.oneOf("updater", "adam", List.of("adam", "sgd", "nesterovs", "rmsprop"),
                        "Optimiser; default adam."),
                OptionSpec.optional("learningRate", OptionType.DOUBLE, "1e-3", "Learning rate; default 1e-3."),
                OptionSpec.optional("schedule", OptionType.STRING, "none", "Learning rate by epoch: none, step(f,n) "
                        + "(times f every n epochs), exponential(g) (times g each epoch) or cosine (down to 0 over the "
                        + "epochs); default none."),
                OptionSpec.optional("l2", OptionType.DOUBLE, "0",
                        "L2 penalty on the trainable layers' weights (not biases, never frozen layers); default 0."),
                OptionSpec.optional("weightDecay", OptionType.DOUBLE, "0", "Decoupled weight decay (times the learning "
                        + "rate) on the trainable layers' weights, never frozen layers; default 0."),
                OptionSpec.optional("patience", OptionType.INT, "0", "Stop when the monitored validation measure has "
                        + "not improved for this many epochs (needs fetch-dataset validation=...); default 0 = never."),
                OptionSpec.optional("restoreBest", OptionType.BOOLEAN, "false", "End with the weights of the epoch "
                        + "with the best monitored validation measure (needs a validation split); default false."),
                OptionSpec.oneOf("monitor", "val_loss", List.of("val_loss", "val_accuracy"),
                        "What decides the best epoch for patience and restoreBest: validation loss (lower is better) or "
                                + "validation accuracy; default val_loss."),
                OptionSpec.optional("checkpointEvery", OptionType.INT, "0",
                        "Write the whole model every N epochs; default 0 = never."),
                OptionSpec.optional("checkpointDir", OptionType.STRING, "checkpoints", "Folder for checkpoints, "
                        + "written as <folder>/<run id>/epoch-<n>.zip; default 'checkpoints'."),
                OptionSpec.optional("seed", OptionType.INT, "12345", "Seed for shuffling and dropout; default 12345."),
                OptionSpec.optional("featurize", OptionType.BOOLEAN, "true",
                        "Allow featurize-once when the frozen part permits it; default true."),
                OptionSpec.optional("featureCache", OptionType.STRING, null, "Folder where featurize-once keeps "
                        + "each split's frozen features between runs, so a retrain on the same data with the same "
                        + "frozen part skips featurizing; default none (off)."),
                OptionSpec.optional("featureCacheSize", OptionType.STRING, "2g", "Size cap of the featureCache "
                        + "folder in bytes, with an optional k, m, g or t suffix; the least recently used entries "
                        + "go first; default 2g."),
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
        for (String positive : List.of("epochs", "batchSize")) {
            if (o.integer(positive) < 1) {
                throw o.invalid(positive, o.string(positive), "at least 1");
            }
        }
        if (!(o.number("learningRate") > 0)) {
            throw o.invalid("learningRate", o.string("learningRate"), "a positive number such as 1e-3");
        }
        for (String nonNegative : List.of("l2", "weightDecay")) {
            if (o.number(nonNegative) < 0) {
                throw o.invalid(nonNegative, o.string(nonNegative), "0 or a positive number such as 1e-4");
            }
        }
        for (String nonNegative : List.of("patience", "checkpointEvery")) {
            if (o.integer(nonNegative) < 0) {
                throw o.invalid(nonNegative, o.string(nonNegative), "0 (off) or a positive number of epochs");
            }
        }
        Options options = new Options(o.integer("epochs"), o.integer("batchSize"), o.string("updater"),
                o.number("learningRate"), LearningRateSchedule.parse(o.string("schedule")), o.number("l2"),
                o.number("weightDecay"), o.integer("patience"), o.bool("restoreBest"),
                Trainer.Monitor.valueOf(o.string("monitor").toUpperCase(Locale.ROOT)), o.integer("checkpointEvery"),
                o.integer("checkpointEvery") > 0 ? Path.of(o.string("checkpointDir")) : null, o.integer("seed"),
                o.bool("featurize"), featureCache(o), engine(o));
        return options.featurize() ? new Featurizing(options) : context -> run(options, context);
    }

    /** A train step that may featurize: the engine warms the fast path up for it when its route starts. */
    private record Featurizing(Options options) implements StepAction, JitWarmUp.Wanted {
        @Override
        public void run(RunContext context) {
            TrainStep.run(options, context);
        }

        @Override
        public boolean featureCache() {
            return options.featureCache() != null;
        }
    }

    private static FeatureCache featureCache(StepOptions o) {
        long size;
        try {
            size = ByteSize.parse(o.string("featureCacheSize"));
        } catch (IllegalArgumentException e) {
            throw o.invalid("featureCacheSize", o.string("featureCacheSize"),
                    "a positive byte count with an optional k, m, g or t suffix, such as 500m or 2g");
        }
        Optional<String> folder = o.find("featureCache").filter(f -> !f.isBlank());
        if (folder.isEmpty()) {
            return null;
        }
        Path dir;
        try {
            dir = Path.of(folder.get());
        } catch (InvalidPathException e) {
            throw o.invalid("featureCache", folder.get(), "a folder path");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw o.invalid("featureCache", folder.get(), "a folder (it is a file)");
        }
        return new FeatureCache(dir, size);
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
            return LocalTraining.INSTANCE;
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
        GraphSurgery.requireOutputFits(NAME, model, data.numClasses());
        context.setSeed(o.seed());
        Trainer.Result result = Trainer.train(model, data,
                new Trainer.Settings(o.epochs(), o.batchSize(), o.toUpdater(), o.seed(), o.featurize(),
                        o.regularization(), o.patience(), o.restoreBest(), o.monitor(), o.checkpointEvery(),
                        o.checkpointDir() == null ? null : o.checkpointDir().resolve(context.runId()),
                        o.featureCache()), o.engine(),
                new ConsoleProgress(System.out, NAME + ":", context::isCancelled)
                        .and(RouteMetrics.of(context).trainingProgress()));
        context.setModel(result.model());
        context.addHistory(result.history());
    }
}
