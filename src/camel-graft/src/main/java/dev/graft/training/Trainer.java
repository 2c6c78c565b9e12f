package dev.graft.training;

import dev.graft.data.FeatureSample;
import dev.graft.nd4j.Batches;
import dev.graft.nd4j.LayerParams;
import dev.graft.nd4j.RunRandom;
import dev.graft.spi.TrainingEngine;
import dev.graft.spi.Examples;
import dev.graft.training.featurize.FeatureCache;
import dev.graft.nd4j.NativeHelpers;
import dev.graft.surgery.GraphSurgery;
import dev.graft.training.featurize.FrozenFeatures;
import dev.graft.training.featurize.FeaturizePlan;
import dev.graft.training.featurize.StreamedFeatures;
import dev.graft.spi.EpochRecord;
import dev.graft.spi.TrainingHistory;
import dev.graft.spi.TrainingPath;
import dev.graft.spi.DataSplits;
import dev.graft.spi.LabeledSet;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.TransientException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a graph on a data set epoch by epoch, featurizing once when the frozen part allows it.
 *
 * <p>The passes over the data run on a {@link TrainingEngine}: by default this JVM's loop, whose minibatches
 * are contiguous views of a copy shuffled once per epoch with a seeded permutation, so a run is reproducible
 * for a given seed. No listeners are attached: the loop itself records the loss.
 * With a validation split the loop can stop early and keep the best epoch's weights (by validation loss or
 * accuracy), and it can write
 * checkpoints of the whole model every few epochs.
 */
public final class Trainer {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /** How many training examples are scored for the per-epoch training accuracy when the engine does not track it. */
    static final int TRAIN_ACCURACY_SAMPLE = 2000;

    /**
     * @param epochs          passes over the training split (at most, with early stopping)
     * @param batchSize       examples per minibatch
     * @param updater         optimiser with its learning rate (possibly an epoch schedule), for every trainable layer
     * @param seed            seeds shuffling and dropout
     * @param featurize       allow featurize-once when the graph permits it
     * @param regularization  L2 or weight decay for the trainable layers' weights; empty for none
     * @param patience        stop after this many epochs without a better monitored value; 0 never stops early
     * @param restoreBest     end with the weights of the epoch with the best monitored value
     * @param monitor         what "better" means for patience, restoreBest and the best epoch
     * @param checkpointEvery write the model every this many epochs; 0 writes none
     * @param checkpointDir   where checkpoints go ({@code epoch-<n>.zip}); null when {@code checkpointEvery} is 0
     * @param featureCache    where featurize-once keeps its features between runs; null for no cache
     */
    public record Settings(int epochs, int batchSize, IUpdater updater, long seed, boolean featurize,
                           List<Regularization> regularization, int patience, boolean restoreBest,
                           Monitor monitor, int checkpointEvery, Path checkpointDir, FeatureCache featureCache) {

        public Settings {
            regularization = List.copyOf(regularization);
            if (checkpointEvery > 0 && checkpointDir == null) {
                throw new IllegalArgumentException("checkpointEvery needs a checkpointDir");
            }
        }

        /** Training without a feature cache. */
        public Settings(int epochs, int batchSize, IUpdater updater, long seed, boolean featurize,
                        List<Regularization> regularization, int patience, boolean restoreBest,
                        Monitor monitor, int checkpointEvery, Path checkpointDir) {
            this(epochs, batchSize, updater, seed, featurize, regularization, patience, restoreBest, monitor,
                    checkpointEvery, checkpointDir, null);
        }

        /** Plain training: no regularisation, early stopping, checkpoints or feature cache. */
        public Settings(int epochs, int batchSize, IUpdater updater, long seed, boolean featurize) {
            this(epochs, batchSize, updater, seed, featurize, List.of(), 0, false, Monitor.VAL_LOSS, 0, null);
        }

        /** These settings with featurize-once's features kept in {@code cache} between runs (null for none). */
        public Settings withFeatureCache(FeatureCache cache) {
            return new Settings(epochs, batchSize, updater, seed, featurize, regularization, patience, restoreBest,
                    monitor, checkpointEvery, checkpointDir, cache);
        }

        boolean watchesValidation() {
            return patience > 0 || restoreBest;
        }
    }

    /** The validation measure that decides the best epoch. */
    public enum Monitor {
        /** Lowest loss on the validation split (the training objective, regularisation included). */
        VAL_LOSS,
        /** Highest accuracy on the validation split; coarse on small splits, where ties are common. */
        VAL_ACCURACY;

        double badness(EpochRecord r) {
            return this == VAL_LOSS ? r.validationLoss() : -r.validationAccuracy();
        }

        String describe(EpochRecord r) {
            return this == VAL_LOSS ? String.format("validation loss %.4f", r.validationLoss())
                    : String.format("validation accuracy %.4f", r.validationAccuracy());
        }
    }

    /** The trained graph (a new one) and what happened. */
    /** @param features a summary of the training features at the cut when featurize-once ran; else null */
    public record Result(ComputationGraph model, TrainingHistory history, FeatureSample features) {
        public Result(ComputationGraph model, TrainingHistory history) {
            this(model, history, null);
        }
    }

    /**
     * Receives progress on the training thread: each finished epoch, the fraction of the epoch done (for a
     * progress bar), featurize-once's one-off cost, and free-form notes. Implementations must be quick.
     */
    public interface Progress extends TrainingEngine.Progress {
        /** An epoch finished; {@code epochs} is how many the step runs in all. */
        void epoch(EpochRecord record, int epochs);

        /** A line for the console. */
        default void note(String line) {
        }

        /** True when training should stop at the end of the current epoch (the run is being abandoned). */
        default boolean stopRequested() {
            return false;
        }

        /** Featurize-once has computed the frozen features of {@code done} of the {@code total} examples of {@code split}. */
        default void featurizing(String split, int done, int total) {
        }

        /** Featurize-once computed the frozen features of {@code examples} examples in {@code seconds}. */
        default void featurized(int examples, double seconds) {
        }

        /**
         * Featurize-once found the frozen features of all {@code examples} examples in the feature cache and
         * loaded them in {@code seconds}, computing none.
         */
        default void featuresLoaded(int examples, double seconds) {
        }

        /** A listener that tells this one, then {@code other}, of everything. */
        default Progress and(Progress other) {
            return new Both(this, other);
        }

        /** Tells {@code first}, then {@code second}, of everything. */
        record Both(Progress first, Progress second) implements Progress {
            private void tell(java.util.function.Consumer<Progress> call) {
                call.accept(first);
                call.accept(second);
            }

            // One line a callback: each only forwards.
            @Override public void epoch(EpochRecord record, int epochs) { tell(p -> p.epoch(record, epochs)); }
            @Override public void within(int epoch, double fraction) { tell(p -> p.within(epoch, fraction)); }
            @Override public void batch(int epoch, int batch, int batches, double loss, double accuracy) {
                tell(p -> p.batch(epoch, batch, batches, loss, accuracy));
            }
            @Override public void note(String line) { tell(p -> p.note(line)); }
            @Override public void featurizing(String split, int done, int total) {
                tell(p -> p.featurizing(split, done, total));
            }
            @Override public void featurized(int examples, double seconds) { tell(p -> p.featurized(examples, seconds)); }
            @Override public void featuresLoaded(int n, double seconds) { tell(p -> p.featuresLoaded(n, seconds)); }
            @Override public boolean stopRequested() { return first.stopRequested() || second.stopRequested(); }
        }
    }

    private Trainer() {
    }

    /**
     * Trains a copy of {@code model} with its passes over the data made by {@code engine} (this JVM or a
     * cluster); featurize-once, accuracies, early stopping, checkpoints and progress happen here. Frozen layers
     * come back bit-identical to {@code model}'s whatever the engine did with them.
     */
    public static Result train(ComputationGraph model, DataSplits data, Settings settings, TrainingEngine engine,
                               Progress progress) {
        return train(model, data, settings, Tuning.fromSystemProperties(), engine, progress);
    }

    /** As {@link #train(ComputationGraph, DataSplits, Settings, TrainingEngine, Progress)}, tuned by {@code tuning}. */
    public static Result train(ComputationGraph model, DataSplits data, Settings settings, Tuning tuning,
                               TrainingEngine engine, Progress progress) {
        NativeHelpers.tuneThreads(tuning.blasThreads());
        LabeledSet train = data.train();
        LabeledSet validation = data.validation();
        if (settings.watchesValidation() && (validation == null || validation.size() == 0)) {
            throw new ConfigurationException("train: " + (settings.patience() > 0 ? "patience=" + settings.patience()
                    : "restoreBest=true") + " needs a validation split; expected 'fetch-dataset' with "
                    + "validation=<fraction>, e.g. validation=0.1");
        }
        RunRandom.seed(settings.seed());
        ComputationGraph net = NativeHelpers.forTraining(
                GraphSurgery.withTraining(model, settings.updater(), settings.regularization()));
        Optional<FeaturizePlan> plan = settings.featurize() ? FeaturizePlan.of(net) : Optional.empty();
        if (plan.isPresent()) {
            FeaturizePlan p = plan.get();
            try (StreamedFeatures mapped = new StreamedFeatures()) {
                return featurizeOnce(p, net, train, validation, settings, engine, progress, mapped);
            }
        }
        TrainingEngine.Settings run = new TrainingEngine.Settings(settings.batchSize(), settings.seed());
        EpochLoop.Outcome o;
        if (train.streamed()) { // each epoch reads a seeded shuffle of the records; only minibatches are held
            int sample = Math.min(train.size(), TRAIN_ACCURACY_SAMPLE);
            o = EpochLoop.run(net, train.size(), engine.startStreamed(net, train.stream(), train.labels(), run),
                    Scoring.streamed(train.stream(), train.labels(), Scoring.first(sample)), scoring(validation),
                    settings, progress, UnaryOperator.identity());
        } else {
            Examples examples = new Examples(new INDArray[] {train.features()}, train.labels());
            o = EpochLoop.run(net, examples.size(), engine.start(net, examples, run),
                    Scoring.of(examples.rows(0, Math.min(examples.size(), TRAIN_ACCURACY_SAMPLE))),
                    scoring(validation), settings, progress, UnaryOperator.identity());
        }
        restoreFrozen(model, net);
        return new Result(net, new TrainingHistory(o.epochs(), false, 0, o.bestEpoch(), o.restored(),
                o.stoppedEarly(), false, path(engine, o, false, TrainingPath.CacheUse.NONE)));
    }

    /** Featurize-once: the frozen features computed (streamed into {@code mapped}'s file) or loaded, then the head trained. */
    private static Result featurizeOnce(FeaturizePlan p, ComputationGraph net, LabeledSet train, LabeledSet validation,
                                        Settings settings, TrainingEngine engine, Progress progress,
                                        StreamedFeatures mapped) {
        long start = System.nanoTime();
        Path dir = settings.featureCache() != null ? settings.featureCache().dir()
                : Path.of(System.getProperty("java.io.tmpdir"));
        FrozenFeatures features = train.streamed()
                ? FrozenFeatures.streamed(p, net, train, validation, mapped, dir, progress::featurizing, engine.featurization())
                : FrozenFeatures.of(p, net, train, validation, settings.featureCache(), progress::note,
                progress::featurizing);
        INDArray[] trainFeatures = features.train();
        INDArray[] validationFeatures = features.validation();
        FeatureSample summary = FeatureSample.of(p.frontier(), trainFeatures, settings.seed()); // for the data profile
        double featurizeSeconds = (System.nanoTime() - start) / 1e9;
        int examples = train.size() + (validation == null ? 0 : validation.size());
        if (features.fromCache()) {
            progress.featuresLoaded(examples, featurizeSeconds);
        } else {
            progress.featurized(examples, featurizeSeconds);
        }
        progress.note(features.fromCache()
                ? String.format("loaded the features of %d examples at %s from the feature cache in %.2f s; "
                + "training %s only", train.size(), p.frontier(), featurizeSeconds, p.trainable())
                : String.format("featurized %d examples once at %s in %.1f s; training %s only",
                train.size(), p.frontier(), featurizeSeconds, p.trainable()));
        ComputationGraph head = NativeHelpers.forTraining(p.headGraph(net));
        // featurizing may have drawn from the generator: training starts from the seed, as without featurize-once
        RunRandom.seed(settings.seed());
        Examples headTrain = new Examples(trainFeatures, train.labels());
        EpochLoop.Outcome o = EpochLoop.run(head, headTrain.size(), engine.start(head, headTrain,
                        new TrainingEngine.Settings(settings.batchSize(), settings.seed())),
                Scoring.of(headTrain.rows(0, Math.min(headTrain.size(), TRAIN_ACCURACY_SAMPLE))),
                validation == null ? null : Scoring.of(new Examples(validationFeatures, validation.labels())),
                settings, progress, h -> p.merge(net, h));
        TrainingPath.CacheUse cache = settings.featureCache() == null ? TrainingPath.CacheUse.NONE
                : features.fromCache() ? TrainingPath.CacheUse.HIT : TrainingPath.CacheUse.MISS;
        return new Result(p.merge(net, head), new TrainingHistory(o.epochs(), true, featurizeSeconds,
                o.bestEpoch(), o.restored(), o.stoppedEarly(), features.fromCache(), path(engine, o, true, cache)),
                summary);
    }

    private static TrainingPath path(TrainingEngine engine, EpochLoop.Outcome o, boolean featurized, TrainingPath.CacheUse cache) {
        TrainingPath path = new TrainingPath(engine.name(), o.loop(), o.kernels(), featurized, cache,
                NativeHelpers.enabled());
        LOG.info("train: trained by {}", path.describe());
        return path;
    }

    /** Frozen layers never learn, but a cluster's parameter averaging may round them; the source's values are the truth. */
    private static void restoreFrozen(ComputationGraph source, ComputationGraph trained) {
        for (String name : GraphSurgery.frozenLayers(trained)) {
            if (trained.getLayer(name).numParams() > 0) {
                LayerParams.copy(source.getLayer(name), trained.getLayer(name));
            }
        }
    }

    /** The validation split as the epoch loop scores it, in memory or streamed; null for none. */
    private static Scoring scoring(LabeledSet validation) {
        if (validation == null) {
            return null;
        }
        return validation.streamed()
                ? Scoring.streamed(validation.stream(), validation.labels(), Scoring.first(validation.size()))
                : Scoring.of(new Examples(new INDArray[] {validation.features()}, validation.labels()));
    }

    /** Mean loss over the examples (the network's score, regularisation included), inference mode, in batches. */
    static double loss(ComputationGraph net, INDArray[] inputs, INDArray labels) {
        int n = (int) labels.size(0);
        double[] sum = {0};
        Batches.inBatches(inputs, labels, (x, y) -> sum[0] += net.score(new MultiDataSet(x, new INDArray[] {y}), false)
                * y.size(0));
        return sum[0] / n;
    }

    /** Fraction of examples whose highest output is the labelled class; inference mode, in batches. */
    public static double accuracy(ComputationGraph net, INDArray[] inputs, INDArray labels) {
        int n = (int) labels.size(0);
        if (n == 0) {
            return Double.NaN;
        }
        long[] correct = {0};
        Batches.inBatches(inputs, labels, (x, y) -> {
            INDArray predicted = net.output(false, x)[0].argMax(1);
            correct[0] += predicted.eq(y.argMax(1)).castTo(org.nd4j.linalg.api.buffer.DataType.INT).sumNumber()
                    .longValue();
        });
        return (double) correct[0] / n;
    }
}
