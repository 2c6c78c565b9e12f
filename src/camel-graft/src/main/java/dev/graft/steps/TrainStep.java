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
import dev.graft.spi.RunContext;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
public final class TrainStep extends BuiltInStep {

    static final String NAME = "train";

    /** The engine value that trains in this JVM. */
    static final String LOCAL = "local";

    /** The optimisers; each takes the learning rate (or its schedule). */
    enum Updater { ADAM, SGD, NESTEROVS, RMSPROP }

    private static final String ATLEAST1 = "at least 1";
    private static final String EPOCHS_OFF = "0 (off) or a positive number of epochs";
    private static final String NON_NEGATIVE = "0 or a positive number such as 1e-4";

    static final OptionSpec<Integer> EPOCHS = OptionSpec.integer("epochs", 5, "Passes over the training split (at "
            + "most, with patience); default 5.").check(n -> n >= 1, ATLEAST1);
    static final OptionSpec<Integer> BATCH_SIZE = OptionSpec.integer("batchSize", 64, "Examples per minibatch; "
            + "default 64.").check(n -> n >= 1, ATLEAST1);
    static final OptionSpec<Updater> UPDATER = OptionSpec.oneOf("updater", Updater.class, Updater.ADAM,
            "Optimiser; default adam.");
    static final OptionSpec<Double> LEARNING_RATE = OptionSpec.decimal("learningRate", 1e-3, "Learning rate; default "
            + "1e-3.").check(r -> r > 0, "a positive number such as 1e-3");
    static final OptionSpec<LearningRateSchedule> SCHEDULE = OptionSpec.parsed("schedule", "schedule", "none",
            LearningRateSchedule::parse, "Learning rate by epoch: none, step(f,n) (times f every n epochs), "
                    + "exponential(g) (times g each epoch) or cosine (down to 0 over the epochs); default none.");
    static final OptionSpec<Double> L2 = OptionSpec.decimal("l2", 0.0, "L2 penalty on the trainable layers' weights "
            + "(not biases, never frozen layers); default 0.").check(v -> v >= 0, NON_NEGATIVE);
    static final OptionSpec<Double> WEIGHT_DECAY = OptionSpec.decimal("weightDecay", 0.0, "Decoupled weight decay "
            + "(times the learning rate) on the trainable layers' weights, never frozen layers; default 0.")
            .check(v -> v >= 0, NON_NEGATIVE);
    static final OptionSpec<Integer> PATIENCE = OptionSpec.integer("patience", 0, "Stop when the monitored validation "
            + "measure has not improved for this many epochs (needs fetch-dataset validation=...); default 0 = never.")
            .check(n -> n >= 0, EPOCHS_OFF);
    static final OptionSpec<Boolean> RESTORE_BEST = OptionSpec.bool("restoreBest", false, "End with the weights of "
            + "the epoch with the best monitored validation measure (needs a validation split); default false.");
    static final OptionSpec<Trainer.Monitor> MONITOR = OptionSpec.oneOf("monitor", Trainer.Monitor.class,
            Trainer.Monitor.VAL_LOSS, "What decides the best epoch for patience and restoreBest: validation loss "
                    + "(lower is better) or validation accuracy; default val_loss.");
    static final OptionSpec<Integer> CHECKPOINT_EVERY = OptionSpec.integer("checkpointEvery", 0, "Write the whole "
            + "model every N epochs; default 0 = never.").check(n -> n >= 0, EPOCHS_OFF);
    static final OptionSpec<Path> CHECKPOINT_DIR = OptionSpec.path("checkpointDir", "checkpoints", "Folder for "
            + "checkpoints, written as <folder>/<run id>/epoch-<n>.zip; default 'checkpoints'.");
    static final OptionSpec<Integer> SEED = OptionSpec.integer("seed", 12345, "Seed for shuffling and dropout; "
            + "default 12345.");
    static final OptionSpec<Boolean> FEATURIZE = OptionSpec.bool("featurize", true, "Allow featurize-once when the "
            + "frozen part permits it; default true.");
    static final OptionSpec<Path> FEATURE_CACHE = OptionSpec.parsed("featureCache", "path", null, text -> {
        Path dir = text.isEmpty() ? null : OptionSpec.path("featureCache", null, "").parse(text);
        if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("a folder (it is a file)");
        }
        return dir; // empty: no cache, so that a route can leave it to a property such as {{graft.cache:}}
    }, "Folder where featurize-once keeps each split's frozen features between runs, so a retrain on the same data "
            + "with the same frozen part skips featurizing; default none (off).");
    static final OptionSpec<Long> FEATURE_CACHE_SIZE = OptionSpec.parsed("featureCacheSize", "size", "2g", text -> {
        try {
            return ByteSize.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a positive byte count with an optional k, m, g or t suffix, such as "
                    + "500m or 2g");
        }
    }, "Size cap of the featureCache folder in bytes, with an optional k, m, g or t suffix; the least recently used "
            + "entries go first; default 2g.");
    static final OptionSpec<String> ENGINE = OptionSpec.oneOf("engine", LOCAL, List.of(LOCAL, "spark"),
            "Where the epochs run: local (this JVM) or spark (needs the Spark build, see README 'Scaling out'); "
                    + "featurize-once, accuracies and the result stay here; default local.");
    static final OptionSpec<String> MASTER = OptionSpec.string("master", null, "engine=spark: cluster manager URL such "
            + "as spark://host:7077, yarn or k8s://https://host:443; default: spark-submit's --master, else "
            + "local[workers].");
    static final OptionSpec<Integer> WORKERS = OptionSpec.integer("workers", null, "engine=spark: parallel workers, "
            + "each fitting batchSize examples a minibatch; default: Spark's default parallelism (all executor cores).")
            .check(n -> n >= 1, ATLEAST1);
    static final OptionSpec<Integer> AVERAGING = OptionSpec.integer("averagingFrequency", null, "engine=spark: "
            + "minibatches each worker fits between parameter averages; default 1 (synchronous, as accurate as a local "
            + "run); more means fewer rounds, less accuracy.").check(n -> n >= 1, ATLEAST1);
    static final OptionSpec<Integer> BATCH_PER_WORKER = OptionSpec.integer("batchPerWorker", null, "engine=spark: "
            + "examples in each worker's minibatch; default batchSize / workers, so that all workers together take "
            + "batchSize-example steps as a local run does.").check(n -> n >= 1, ATLEAST1);

    static final OptionSpec<String> HEAD_ENGINE = OptionSpec.oneOf("headEngine", null, List.of("engine", LOCAL),
            "engine=spark: where the epochs run after featurize-once: engine (the cluster, by parameter averaging) or "
                    + "local (this JVM, exactly as engine=local; a streamed image folder is still featurized on the "
                    + "executors); default engine.");

    /** Options that only a cluster engine reads. */
    static final List<OptionSpec<?>> CLUSTER_OPTIONS = List.of(MASTER, WORKERS, AVERAGING, BATCH_PER_WORKER,
            HEAD_ENGINE);

    /**
     * Bound options; {@code checkpointDir} is null when {@code checkpointEvery} is 0, {@code featureCache} null
     * when there is none.
     */
    record Options(int epochs, int batchSize, Updater updater, double learningRate, LearningRateSchedule schedule,
                   double l2, double weightDecay, int patience, boolean restoreBest, Trainer.Monitor monitor,
                   int checkpointEvery,
                   Path checkpointDir, long seed, boolean featurize, FeatureCache featureCache,
                   TrainingEngine engine) {

        IUpdater toUpdater() {
            ISchedule s = schedule.toSchedule(learningRate, epochs);
            return switch (updater) {
                case SGD -> s == null ? new Sgd(learningRate) : new Sgd(s);
                case NESTEROVS -> s == null ? new Nesterovs(learningRate, 0.9) : new Nesterovs(s, 0.9);
                case RMSPROP -> s == null ? new RmsProp(learningRate) : new RmsProp(s);
                case ADAM -> s == null ? new Adam(learningRate) : new Adam(s);
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

    private final BiFunction<String, ClassLoader, Optional<DistributedTraining>> engines;

    public TrainStep() {
        this(DistributedTraining::find);
    }

    /** For tests: finds cluster engines with {@code engines} instead of {@link java.util.ServiceLoader}. */
    TrainStep(BiFunction<String, ClassLoader, Optional<DistributedTraining>> engines) {
        super(NAME, "Trains the trainable layers (frozen ones never change); when every trainable layer follows the frozen "
                + "part, computes the frozen features once and trains only the rest (featurize-once, with an optional "
                + "feature cache that keeps them between runs); learning-rate "
                + "schedules, L2 or weight decay, early stopping and best-epoch restore on the validation split, "
                + "checkpoints; prints a line per epoch; the epochs run in this JVM or, with engine=spark, on Spark.",
                List.of(EPOCHS, BATCH_SIZE, UPDATER, LEARNING_RATE, SCHEDULE, L2, WEIGHT_DECAY, PATIENCE, RESTORE_BEST,
                        MONITOR, CHECKPOINT_EVERY, CHECKPOINT_DIR, SEED, FEATURIZE, FEATURE_CACHE, FEATURE_CACHE_SIZE,
                        ENGINE, MASTER, WORKERS, AVERAGING, BATCH_PER_WORKER, HEAD_ENGINE));
        this.engines = engines;
    }

    @Override
    public StepAction configure(StepOptions o) {
        int checkpointEvery = o.get(CHECKPOINT_EVERY);
        Options options = new Options(o.get(EPOCHS), o.get(BATCH_SIZE), o.get(UPDATER), o.get(LEARNING_RATE),
                o.get(SCHEDULE), o.get(L2), o.get(WEIGHT_DECAY), o.get(PATIENCE), o.get(RESTORE_BEST), o.get(MONITOR),
                checkpointEvery, checkpointEvery > 0 ? o.get(CHECKPOINT_DIR) : null, o.get(SEED), o.get(FEATURIZE),
                o.find(FEATURE_CACHE).map(dir -> new FeatureCache(dir, o.get(FEATURE_CACHE_SIZE))).orElse(null),
                engine(o));
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

    private TrainingEngine engine(StepOptions o) {
        String engine = o.get(ENGINE);
        Optional<String> master = o.find(MASTER).filter(m -> !m.isBlank());
        if (engine.equals(LOCAL)) {
            for (OptionSpec<?> option : CLUSTER_OPTIONS) {
                Optional<?> value = option == MASTER ? master : o.find(option);
                if (value.isPresent()) {
                    throw new ConfigurationException(NAME + ": option '" + option.name() + "' needs a cluster engine "
                            + "but engine is 'local' ('" + option.name() + "=" + value.get() + "'); expected "
                            + "engine=spark, or no '" + option.name() + "'");
                }
            }
            return LocalTraining.INSTANCE;
        }
        OptionalInt workers = o.find(WORKERS).map(OptionalInt::of).orElse(OptionalInt.empty());
        OptionalInt batchPerWorker = o.find(BATCH_PER_WORKER).map(OptionalInt::of).orElse(OptionalInt.empty());
        DistributedTraining provider = engines.apply(engine, TrainStep.class.getClassLoader())
                .orElseThrow(() -> new ConfigurationException(NAME + ": the training engine '" + engine
                        + "' is not on the class path; expected the Spark build of Graft: build it with "
                        + "'mvn -B -Pspark package' and run the route with './graft-spark run ROUTE.yaml' or "
                        + "'spark-submit --class dev.graft.cli.GraftCli target/spark/graft-spark.jar run ROUTE.yaml' "
                        + "(README, 'Scaling out'), or use engine=local"));
        TrainingEngine cluster = provider.configure(new DistributedTraining.Cluster(master, workers,
                o.find(AVERAGING).orElse(1), batchPerWorker));
        return o.find(HEAD_ENGINE).filter(LOCAL::equals).isPresent() ? new LocalHead(cluster) : cluster;
    }

    /** headEngine=local: the cluster's featurization, the epochs in this JVM exactly as engine=local runs them. */
    private record LocalHead(TrainingEngine cluster) implements TrainingEngine {
        @Override
        public String name() {
            return LocalTraining.INSTANCE.name();
        }

        @Override
        public Epochs start(org.deeplearning4j.nn.graph.ComputationGraph net, dev.graft.spi.Examples train,
                            Settings settings) {
            return LocalTraining.INSTANCE.start(net, train, settings);
        }

        @Override
        public Optional<dev.graft.spi.RemoteFeaturization> featurization() {
            return cluster.featurization();
        }
    }

    private static void run(Options o, RunContext context) {
        DataSplits data = context.requireData(NAME);
        var model = context.requireModel(NAME);
        GraphSurgery.requireOutputFits(NAME, model, data.numClasses());
        GraphSurgery.requireInputFits(NAME, model, data.exampleShape());
        context.setSeed(o.seed());
        Trainer.Result result;
        try (ConsoleProgress progress = new ConsoleProgress(context, NAME + ":", o.epochs(), o.batchSize())) {
            result = Trainer.train(model, data,
                    new Trainer.Settings(o.epochs(), o.batchSize(), o.toUpdater(), o.seed(), o.featurize(),
                            o.regularization(), o.patience(), o.restoreBest(), o.monitor(), o.checkpointEvery(),
                            o.checkpointDir() == null ? null : o.checkpointDir().resolve(context.runId()),
                            o.featureCache()), o.engine(), progress.and(RouteMetrics.of(context).trainingProgress()));
        }
        context.setModel(result.model());
        context.addHistory(result.history());
        if (result.features() != null) { // the data profile's summary of the features at the cut (PublishStep)
            context.attributes().put(dev.graft.data.FeatureSample.ATTRIBUTE, result.features());
        }
    }
}
