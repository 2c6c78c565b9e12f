package dev.graft.spi;

import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where the epochs of a training run are computed: Graft's own minibatch loop in this JVM, or a cluster (a
 * {@link DistributedTraining} provider). Graft keeps everything around the epochs: featurize-once, accuracies,
 * progress, cancellation and the returned copy; an engine only makes passes over the examples.
 *
 * <p>Implementations are immutable and thread-safe; each {@link #start} returns state for one training run.
 */
public interface TrainingEngine {

    /**
     * What an engine needs of the run's settings.
     *
     * @param batchSize examples in one minibatch of the whole run (a cluster divides it among its workers)
     * @param seed      the seed of the run's shuffles
     */
    record Settings(int batchSize, long seed) {
    }

    /** Told how far an epoch has got, on the training thread; must be quick. */
    interface Progress {

        /** A fraction (0 to 1] of epoch {@code epoch} is done. */
        default void within(int epoch, double fraction) {
        }

        /**
         * Batch {@code batch} of {@code batches} of epoch {@code epoch} is done; {@code loss} and {@code accuracy}
         * are the epoch's running means over its batches so far (accuracy NaN when the engine does not track it).
         * By default reports the fraction to {@link #within}.
         */
        default void batch(int epoch, int batch, int batches, double loss, double accuracy) {
            within(epoch, (double) batch / batches);
        }
    }

    /** One training run on an engine; used by one thread; closed when the run ends, also on failure. */
    interface Epochs extends AutoCloseable {

        /**
         * Makes one pass over the training examples, changing the graph given to {@link #start} in place.
         *
         * @param epoch    1-based epoch number
         * @param progress receives the fraction of the epoch done, when the engine knows it
         * @return the mean training loss of the epoch
         */
        double fit(int epoch, Progress progress);

        /**
         * The accuracy on the training examples of the last {@link #fit}, each predicted as the pass fitted it
         * (model in training mode, before that minibatch's step), or NaN when this engine does not track it; then
         * Graft scores a sample of the training examples after the epoch instead.
         */
        default double trainAccuracy() {
            return Double.NaN;
        }

        /** The loop that makes the passes, for the log and metadata; DL4J's {@code fit} unless the engine says. */
        default String loop() {
            return "fit";
        }

        /** The kernels of that loop when it has a choice of them, such as {@code vector}; null otherwise. */
        default String kernels() {
            return null;
        }

        /** Releases what the run holds (a cluster connection, cached data); the default holds nothing. */
        @Override
        default void close() {
        }
    }

    /** Short name for logs and metadata, such as {@code local} or {@code spark}. */
    String name();

    /**
     * Prepares a run that trains {@code net} in place.
     *
     * @param net      the graph to train; owned by the run (a copy the caller made)
     * @param train    every training example, in the order the data set gave them
     * @param settings batch size and seed; the updater is already set on {@code net}
     */
    Epochs start(ComputationGraph net, Examples train, Settings settings);

    /**
     * Prepares a run that trains {@code net} in place on examples streamed from their records: each epoch reads a
     * seeded shuffle of every example through {@code train}, a minibatch at a time. The default refuses, naming the
     * engine: an engine that needs the examples in memory cannot stream them.
     *
     * @param train    the training split's stream
     * @param labels   its one-hot labels, [n, classes], in split order
     * @throws ConfigurationException when this engine cannot train on streamed examples
     */
    default Epochs startStreamed(ComputationGraph net, ExampleStream train, INDArray labels, Settings settings) {
        throw new ConfigurationException("train: engine '" + name() + "' trains through the frozen layers only on "
                + "examples in memory, and the data set is streamed from its files; expected engine=local, or "
                + "featurize-once training (freeze-layers with every trainable layer after the frozen ones), or "
                + "fetch-dataset stream=false");
    }

    /**
     * Featurize-once on this engine's workers for streamed splits whose records they can read, or empty (the
     * default) when the frozen pass runs in this JVM.
     */
    default Optional<RemoteFeaturization> featurization() {
        return Optional.empty();
    }

}
