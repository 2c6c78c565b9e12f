package dev.graft.spi;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Examples with one-hot labels.
 *
 * @param features [n, channels, height, width] for images, [n, features] for tabular data; float32
 * @param labels   [n, classes], one-hot float32
 */
public record LabeledSet(INDArray features, INDArray labels) {

    public LabeledSet {
        if (features.size(0) != labels.size(0)) {
            throw new IllegalArgumentException("features have " + features.size(0) + " rows but labels have "
                    + labels.size(0));
        }
    }

    public int size() {
        return (int) features.size(0);
    }

    /** A DL4J view of the same arrays (no copy). */
    public DataSet toDataSet() {
        return new DataSet(features, labels);
    }
}
