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
