package dev.graft.spi;

import java.io.Serializable;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Featurize-once on a cluster's workers: the frozen forward pass over a streamed split runs where the records are
 * read, and only the features come back, in split order. An engine offers it through
 * {@link TrainingEngine#featurization()}; Graft keeps the feature file, the head training and everything else.
 * Implementations are thread-safe.
 */
public interface RemoteFeaturization {

    /**
     * One streamed split's records as another machine reads them.
     *
     * @param split        the split's name, for messages and logs ({@code train}, {@code validation})
     * @param root         the data root as a URI ({@code file:/...}, {@code hdfs://...}, {@code s3a://...}); every
     *                     record is read under it
     * @param paths        each record's path relative to {@code root}, '/'-separated, in split order
     * @param exampleShape the shape of one decoded example, {@code {channels, height, width}}
     * @param decoder      turns one record's bytes into its preprocessed values, as the local stream does
     */
    record Records(String split, String root, List<String> paths, long[] exampleShape, RecordDecoder decoder)
            implements Serializable {

        public Records {
            paths = List.copyOf(paths);
            exampleShape = exampleShape.clone();
        }

        @Override
        public long[] exampleShape() {
            return exampleShape.clone();
        }

        /** The values of one example: the product of {@link #exampleShape}. */
        public int exampleLength() {
            long n = 1;
            for (long d : exampleShape) {
                n = Math.multiplyExact(n, d);
            }
            return Math.toIntExact(n);
        }
    }

    /** Decodes one record's bytes on a worker; serializable, stateless and thread-safe. */
    interface RecordDecoder extends Serializable {

        /** The most bytes one record's file may have; a larger one is refused before anything is allocated for it. */
        long maxRecordBytes();

        /**
         * The preprocessed values of one record, channels first.
         *
         * @param name names the file in messages
         * @throws DataException when the bytes are not a readable image of the data set's kind, naming {@code name}
         */
        float[] decode(byte[] bytes, String name);
    }

    /** Builds the frozen forward pass on a worker from the model's bytes (broadcast once); serializable. */
    interface FrozenPass extends Serializable {

        /** The frozen pass of the model serialized in {@code model}; the result is used by one thread. */
        Featurize open(byte[] model);
    }

    /** The frozen forward pass of one worker thread. */
    @FunctionalInterface
    interface Featurize {

        /** The frontier activations of one batch of preprocessed examples, one array per frontier output. */
        INDArray[] apply(INDArray batch);
    }

    /** Receives the features of consecutive batches, in split order, on the calling thread. */
    @FunctionalInterface
    interface Sink {

        /** The frontier features of the next {@code features[0].size(0)} examples; the arrays may be closed after. */
        void accept(INDArray[] features);
    }

    /**
     * Featurizes every record of {@code records} on the workers, {@code batchSize} examples a batch counted from
     * the split's start (so the batches match the local stream's), and hands the features to {@code sink} in split
     * order; the caller never receives images.
     *
     * @param model the model's bytes, the input of {@link FrozenPass#open}
     * @throws DataException when a record is refused (a path outside the root, a file over the size limit) or
     *                       cannot be decoded, naming it
     */
    void featurize(Records records, byte[] model, FrozenPass pass, int batchSize, Sink sink);
}
