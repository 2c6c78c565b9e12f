package dev.graft.data;

import dev.graft.data.image.Preprocessing;
import dev.graft.spi.InputContract.Preprocess;
import dev.graft.spi.LabeledSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Copies selected examples into float32 ND4J arrays: preprocessed features and one-hot labels. */
final class Tensors {

    private Tensors() {
    }

    /**
     * A labeled set of the examples at {@code rows}.
     *
     * @param selection maps original labels to output labels
     * @param preprocess applied to every example ({@link Preprocessing#apply}), channels being its first dimension
     * @param profile    takes every example's raw values as it is copied (the profile costs no pass of its own)
     */
    static LabeledSet labeledSet(RawExamples examples, int[] rows, ClassSelection selection, Preprocess preprocess,
                                 SplitProfile.Builder profile) {
        int length = examples.exampleLength();
        int classes = selection.numClasses();
        float[] source = examples.features();
        float[] features = new float[Math.multiplyExact(rows.length, length)];
        float[] labels = new float[Math.multiplyExact(rows.length, classes)];
        long[] shape = examples.exampleShape();
        int channels = shape.length == 3 ? (int) shape[0] : 1;
        for (int i = 0; i < rows.length; i++) {
            Preprocessing.apply(preprocess, source, rows[i] * length, features, i * length, length, channels);
            int label = selection.newLabel()[examples.labels()[rows[i]]];
            labels[i * classes + label] = 1f;
            profile.add(source, rows[i] * length, length, label);
        }
        long[] featureShape = new long[shape.length + 1];
        featureShape[0] = rows.length;
        System.arraycopy(shape, 0, featureShape, 1, shape.length);
        INDArray x = Nd4j.create(features, featureShape, DataType.FLOAT);
        INDArray y = Nd4j.create(labels, new long[] {rows.length, classes}, DataType.FLOAT);
        return new LabeledSet(x, y);
    }
}
