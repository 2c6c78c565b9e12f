package dev.graft.model;

import dev.graft.data.DataSplits;
import dev.graft.data.LabeledSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Trains a graph on a data set epoch by epoch, featurizing once when the frozen part allows it.
 *
 * <p>Minibatches are contiguous views of a copy shuffled once per epoch with a seeded permutation, so
 * a run is reproducible for a given seed. No listeners are attached: the loop itself records the loss.
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

    /**
     * Receives progress on the training thread: each finished epoch, the fraction of the epoch done (for a
     * progress bar), featurize-once's one-off cost, and free-form notes. Implementations must be quick.
     */
    public interface Progress {
        /** An epoch finished; {@code epochs} is how many the step runs in all. */
        void epoch(EpochRecord record, int epochs);

        /** A fraction (0 to 1] of epoch {@code epoch} is done. */
        default void within(int epoch, double fraction) {
        }

        /** A line for the console. */
        default void note(String line) {
        }

        /** True when training should stop at the end of the current epoch (the run is being abandoned). */
        default boolean stopRequested() {
            return false;
        }

        /** Featurize-once computed the frozen features of {@code examples} examples in {@code seconds}. */
        default void featurized(int examples, double seconds) {
        }

        /** A listener that tells this one, then {@code other}, of everything. */
        default Progress and(Progress other) {
            Progress first = this;
            return new Progress() {
                @Override
                public void epoch(EpochRecord record, int epochs) {
                    first.epoch(record, epochs);
                    other.epoch(record, epochs);
                }

                @Override
                public void within(int epoch, double fraction) {
                    first.within(epoch, fraction);
                    other.within(epoch, fraction);
                }

                @Override
                public void note(String line) {
                    first.note(line);
                    other.note(line);
                }

                @Override
                public void featurized(int examples, double seconds) {
                    first.featurized(examples, seconds);
                    other.featurized(examples, seconds);
                }

                @Override
                public boolean stopRequested() {
                    return first.stopRequested() || other.stopRequested();
                }
            };
        }
    }

    private Trainer() {
    }

    /** Trains a copy of {@code model}; the argument is not changed. */
    public static Result train(ComputationGraph model, DataSplits data, Settings settings, Progress progress) {
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
            progress.featurized(train.size() + (validation == null ? 0 : validation.size()), featurizeSeconds);
            progress.note(String.format("featurized %d examples once at %s in %.1f s; training %s only",
                    train.size(), p.frontier(), featurizeSeconds, p.trainable()));
            ComputationGraph head = p.headGraph(net);
            List<EpochRecord> epochs = loop(head, trainFeatures, train.labels(), validationFeatures,
                    validation == null ? null : validation.labels(), settings, progress);
            return new Result(p.merge(net, head), new TrainingHistory(epochs, true, featurizeSeconds));
        }
        List<EpochRecord> epochs = loop(net, new INDArray[] {train.features()}, train.labels(),
                validation == null ? null : new INDArray[] {validation.features()},
                validation == null ? null : validation.labels(), settings, progress);
        return new Result(net, new TrainingHistory(epochs, false, 0));
    }

    private static List<EpochRecord> loop(ComputationGraph net, INDArray[] inputs, INDArray labels,
                                          INDArray[] valInputs, INDArray valLabels, Settings s, Progress progress) {
        int n = (int) labels.size(0);
        Random random = new Random(s.seed());
        List<EpochRecord> records = new ArrayList<>();
        int sample = Math.min(n, TRAIN_ACCURACY_SAMPLE);
        for (int epoch = 1; epoch <= s.epochs(); epoch++) {
            long start = System.nanoTime();
            int[] order = Batches.permutation(n, random);
            INDArray[] x = new INDArray[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                x[i] = Batches.pick(inputs[i], order);
            }
            INDArray y = Batches.pick(labels, order);
            double lossSum = 0;
            int batches = 0;
            for (int from = 0; from < n; from += s.batchSize()) {
                int to = Math.min(n, from + s.batchSize());
                INDArray[] bx = new INDArray[x.length];
                for (int i = 0; i < x.length; i++) {
                    bx[i] = Batches.rows(x[i], from, to);
                }
                net.fit(new MultiDataSet(bx, new INDArray[] {Batches.rows(y, from, to)}));
                lossSum += net.score();
                batches++;
                progress.within(epoch, (double) to / n);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            INDArray[] sx = new INDArray[x.length];
            for (int i = 0; i < x.length; i++) {
                sx[i] = Batches.rows(x[i], 0, sample);
            }
            double trainAccuracy = accuracy(net, sx, Batches.rows(y, 0, sample));
            double valAccuracy = valInputs == null ? Double.NaN : accuracy(net, valInputs, valLabels);
            EpochRecord record = new EpochRecord(epoch, lossSum / batches, trainAccuracy, valAccuracy, seconds,
                    n / seconds);
            records.add(record);
            progress.epoch(record, s.epochs());
            if (progress.stopRequested() && epoch < s.epochs()) {
                throw new dev.graft.spi.TransientException("train: run abandoned after epoch " + epoch + " of "
                        + s.epochs() + " because Graft is shutting down; nothing was published; the run starts "
                        + "again when its trigger fires", null);
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
