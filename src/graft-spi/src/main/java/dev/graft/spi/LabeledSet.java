package dev.graft.spi;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Examples with one-hot labels: their features in memory, or streamed from their records.
 *
 * @param features [n, channels, height, width] for images, [n, features] for tabular data; float32; null exactly
 *                 when {@code stream} is set (then {@link #features()} throws)
 * @param labels   [n, classes], one-hot float32, always in memory
 * @param stream   the features read batch by batch from their records; null when they are in memory
 */
public record LabeledSet(INDArray features, INDArray labels, ExampleStream stream) {

    public LabeledSet {
        if ((features == null) == (stream == null)) {
            throw new IllegalArgumentException("expected either features in memory or a stream of them");
        }
        long rows = features != null ? features.size(0) : stream.size();
        if (rows != labels.size(0)) {
            throw new IllegalArgumentException("features have " + rows + " rows but labels have " + labels.size(0));
        }
    }

    /** Examples in memory. */
    public LabeledSet(INDArray features, INDArray labels) {
        this(features, labels, null);
    }

    /** Examples streamed from their records. */
    public static LabeledSet streamed(ExampleStream stream, INDArray labels) {
        return new LabeledSet(null, labels, stream);
    }

    /** Whether the features are streamed from their records rather than held in memory. */
    public boolean streamed() {
        return stream != null;
    }

    /**
     * The features in memory.
     *
     * @throws ConfigurationException when the set is streamed: the caller needs it in memory
     */
    @Override
    public INDArray features() {
        if (features == null) {
            throw new ConfigurationException("this step needs the data set's " + size() + " examples in memory, but "
                    + "fetch-dataset streams them from their files (stream=true, or stream=auto because they exceed "
                    + "memoryBudget); expected featurize-once training and evaluation, which stream; or set "
                    + "fetch-dataset stream=false and a memoryBudget (and -Xmx) that holds them");
        }
        return features;
    }

    public int size() {
        return (int) labels.size(0);
    }

    /** A DL4J view of the same arrays (no copy). */
    public DataSet toDataSet() {
        return new DataSet(features(), labels);
    }
}
