package dev.graft.data;

import dev.graft.spi.LabeledSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Copies selected examples into float32 ND4J arrays: scaled features and one-hot labels. */
final class Tensors {

    private Tensors() {
    }

    /**
     * A labeled set of the examples at {@code rows}.
     *
     * @param selection maps original labels to output labels
     * @param scale     every feature value is divided by this
     */
    static LabeledSet labeledSet(RawExamples examples, int[] rows, ClassSelection selection, double scale) {
        int length = examples.exampleLength();
        int classes = selection.numClasses();
        float[] source = examples.features();
        float[] features = new float[Math.multiplyExact(rows.length, length)];
        float[] labels = new float[Math.multiplyExact(rows.length, classes)];
        float divisor = (float) scale;
        for (int i = 0; i < rows.length; i++) {
            int from = rows[i] * length;
            int to = i * length;
            if (scale == 1) {
                System.arraycopy(source, from, features, to, length);
            } else {
                for (int j = 0; j < length; j++) {
                    features[to + j] = source[from + j] / divisor;
                }
            }
            labels[i * classes + selection.newLabel()[examples.labels()[rows[i]]]] = 1f;
        }
        long[] shape = examples.exampleShape();
        long[] featureShape = new long[shape.length + 1];
        featureShape[0] = rows.length;
        System.arraycopy(shape, 0, featureShape, 1, shape.length);
        INDArray x = Nd4j.create(features, featureShape, DataType.FLOAT);
        INDArray y = Nd4j.create(labels, new long[] {rows.length, classes}, DataType.FLOAT);
        return new LabeledSet(x, y);
    }
}
