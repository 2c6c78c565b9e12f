package dev.graft.spi;

import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The features of a split read from their records batch by batch, for data sets that do not fit in memory: each
 * {@link #open} is one pass over the examples in split order. Implementations are thread-safe; a pass is not.
 */
public interface ExampleStream {

    /** The examples in the split, non-negative. */
    int size();

    /** The shape of one example: {channels, height, width} or {features}. */
    long[] exampleShape();

    /**
     * Starts one pass over every example in split order, {@code batchSize} at a time (the last batch may be smaller).
     *
     * @param batchSize the most examples a batch holds, positive
     */
    Pass open(int batchSize);

    /**
     * Starts one pass over the examples at {@code order}'s indices (into the split, each in [0, size)), in that order,
     * {@code batchSize} at a time: a training epoch's seeded shuffle, or a sample. The default refuses: a stream that
     * can only read in split order cannot feed training that needs full forward passes.
     *
     * @param batchSize the most examples a batch holds, positive
     * @param order     the indices of the examples to read, in the order to read them
     * @throws ConfigurationException when this stream reads only in split order
     */
    default Pass open(int batchSize, int[] order) {
        throw new ConfigurationException("train: this data set's stream (" + getClass().getSimpleName()
                + ") reads its examples only in file order, and training through the frozen layers needs a shuffled "
                + "pass every epoch; expected featurize-once training (freeze-layers, featurize=true) or "
                + "fetch-dataset stream=false");
    }

    /**
     * The split's records as another machine can read them (for {@link RemoteFeaturization}), or empty when they
     * can only be read here (the default: a zip's entries in a temporary folder, say).
     */
    default Optional<RemoteFeaturization.Records> records() {
        return Optional.empty();
    }

    /** One pass over a split's examples; close it to stop its decoders. Not thread-safe. */
    interface Pass extends AutoCloseable {
        /**
         * The next batch's preprocessed features, {@code [n, ...exampleShape]} float32, or null after the last.
         *
         * @throws DataException when an example cannot be decoded or a decoder does not finish in time
         */
        INDArray next();

        /** Stops the pass's decoders; never throws. */
        @Override
        void close();
    }
}
