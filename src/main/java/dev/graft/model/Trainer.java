package dev.graft.model;

import dev.graft.data.DataSplits;
import dev.graft.data.LabeledSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Trains a graph on a data set epoch by epoch, featurizing once when the frozen part allows it.
 *
 * <p>The passes over the data run on a {@link TrainingEngine}: by default this JVM's loop, whose minibatches
 * are contiguous views of a copy shuffled once per epoch with a seeded permutation, so a run is reproducible
 * for a given seed. No listeners are attached: the engine reports the loss.
 */
public final class Trainer {

    /** How many training examples are scored for the per-epoch training accuracy. */
    static final int TRAIN_ACCURACY_SAMPLE = 2000;

    /**
     * @param epochs    passes over the training split
     * @param batchSize examples per minibatch
     * @param updater   optimiser with its learning rate, applied to every trainable layer
     * @param seed      seeds shuffling and dropout
     * @param featurize allow featurize-once when the graph permits it
     */
    public record Settings(int epochs, int batchSize, IUpdater updater, long seed, boolean featurize) {
    }

    /** The trained graph (a new one) and what happened. */
    public record Result(ComputationGraph model, TrainingHistory history) {
    }

    /** Receives progress: a line per epoch, and the fraction of the epoch done (for a progress bar). */
    public interface Progress {
        void epoch(EpochRecord record, int epochs);

        default void within(int epoch, double fraction) {
        }

        default void note(String line) {
        }

        /** True when training should stop at the end of the current epoch (the run is being abandoned). */
        default boolean stopRequested() {
            return false;
        }
    }

    private Trainer() {
    }

    /** Trains a copy of {@code model} in this JVM; the argument is not changed. */
    public static Result train(ComputationGraph model, DataSplits data, Settings settings, Progress progress) {
        return train(model, data, settings, TrainingEngine.local(), progress);
    }

    /**
     * Trains a copy of {@code model} on an engine; the argument is not changed. Featurize-once, accuracies and
     * progress happen here, in this JVM; the engine only makes the passes over the training examples. Frozen
     * layers come back bit-identical to {@code model}'s whatever the engine did with them.
     */
    public static Result train(ComputationGraph model, DataSplits data, Settings settings, TrainingEngine engine,
                               Progress progress) {
        Nd4j.getRandom().setSeed(settings.seed());
        ComputationGraph net = GraphSurgery.withUpdater(model, settings.updater());
        Optional<FeaturizePlan> plan = settings.featurize() ? FeaturizePlan.of(net) : Optional.empty();
        LabeledSet train = data.train();
        LabeledSet validation = data.validation();
        if (plan.isPresent()) {
            FeaturizePlan p = plan.get();
            long start = System.nanoTime();
            INDArray[] trainFeatures = p.featurize(net, train.features(), 256);
            INDArray[] validationFeatures = validation == null ? null : p.featurize(net, validation.features(), 256);
            double featurizeSeconds = (System.nanoTime() - start) / 1e9;
            progress.note(String.format("featurized %d examples once at %s in %.1f s; training %s only",
                    train.size(), p.frontier(), featurizeSeconds, p.trainable()));
            ComputationGraph head = p.headGraph(net);
            List<EpochRecord> epochs = loop(head, new Examples(trainFeatures, train.labels()),
                    validation == null ? null : new Examples(validationFeatures, validation.labels()), settings,
                    engine, progress);
            return new Result(p.merge(net, head), new TrainingHistory(epochs, true, featurizeSeconds));
        }
        List<EpochRecord> epochs = loop(net, new Examples(new INDArray[] {train.features()}, train.labels()),
                validation == null ? null : new Examples(new INDArray[] {validation.features()}, validation.labels()),
                settings, engine, progress);
        restoreFrozen(model, net);
        return new Result(net, new TrainingHistory(epochs, false, 0));
    }

    /** Frozen layers never learn, but a cluster's parameter averaging may round them; the source's values are the truth. */
    private static void restoreFrozen(ComputationGraph source, ComputationGraph trained) {
        for (String name : GraphSurgery.frozenLayers(trained)) {
            if (trained.getLayer(name).numParams() > 0) {
                trained.getLayer(name).setParams(source.getLayer(name).params().dup());
            }
        }
    }

    private static List<EpochRecord> loop(ComputationGraph net, Examples train, Examples validation, Settings s,
                                          TrainingEngine engine, Progress progress) {
        int n = train.size();
        List<EpochRecord> records = new ArrayList<>();
        Examples scored = train.rows(0, Math.min(n, TRAIN_ACCURACY_SAMPLE));
        try (TrainingEngine.Epochs epochs = engine.start(net, train, s)) {
            for (int epoch = 1; epoch <= s.epochs(); epoch++) {
                long start = System.nanoTime();
                double loss = epochs.fit(epoch, progress);
                double seconds = (System.nanoTime() - start) / 1e9;
                double trainAccuracy = accuracy(net, scored.inputs(), scored.labels());
                double valAccuracy = validation == null ? Double.NaN
                        : accuracy(net, validation.inputs(), validation.labels());
                EpochRecord record = new EpochRecord(epoch, loss, trainAccuracy, valAccuracy, seconds, n / seconds);
                records.add(record);
                progress.epoch(record, s.epochs());
                if (progress.stopRequested() && epoch < s.epochs()) {
                    throw new dev.graft.spi.TransientException("train: run abandoned after epoch " + epoch + " of "
                            + s.epochs() + " because Graft is shutting down; nothing was published; the run starts "
                            + "again when its trigger fires", null);
                }
            }
        }
        return records;
    }

    /** Fraction of examples whose highest output is the labelled class; inference mode, in batches. */
    public static double accuracy(ComputationGraph net, INDArray[] inputs, INDArray labels) {
        int n = (int) labels.size(0);
        if (n == 0) {
            return Double.NaN;
        }
        long correct = 0;
        for (int from = 0; from < n; from += 512) {
            int to = Math.min(n, from + 512);
            INDArray[] bx = new INDArray[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                bx[i] = Batches.rows(inputs[i], from, to);
            }
            INDArray out = net.output(false, bx)[0];
            INDArray predicted = out.argMax(1);
            INDArray actual = Batches.rows(labels, from, to).argMax(1);
            correct += predicted.eq(actual).castTo(org.nd4j.linalg.api.buffer.DataType.INT).sumNumber().longValue();
        }
        return (double) correct / n;
    }
}
