package dev.graft.training;

import dev.graft.nd4j.Batches;
import java.util.Arrays;
import java.util.Objects;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * Training examples for a graph: one array per graph input and the one-hot labels, all with the example as
 * the first dimension. Immutable as far as this type goes: every method returns views or copies and never
 * writes into the arrays.
 *
 * @param inputs one array per graph input, [n, ...]
 * @param labels [n, classes]
 */
public record Examples(INDArray[] inputs, INDArray labels) {

    public Examples {
        Objects.requireNonNull(labels, "labels");
        inputs = inputs.clone();
        for (INDArray input : inputs) {
            if (input.size(0) != labels.size(0)) {
                throw new IllegalArgumentException("an input has " + input.size(0) + " rows but labels have "
                        + labels.size(0));
            }
        }
    }

    @Override
    public INDArray[] inputs() {
        return inputs.clone();
    }

    /** Number of examples. */
    public int size() {
        return (int) labels.size(0);
    }

    /** Examples [from, to) as views where the arrays allow it (no copy). */
    public Examples rows(int from, int to) {
        if (from < 0 || to > size() || from > to) {
            throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") of " + size() + " examples");
        }
        return new Examples(Arrays.stream(inputs).map(a -> Batches.rows(a, from, to)).toArray(INDArray[]::new),
                Batches.rows(labels, from, to));
    }

    /** A copy of the examples in the given order (a permutation, or any selection of row indices). */
    public Examples pick(int[] order) {
        return new Examples(Arrays.stream(inputs).map(a -> Batches.pick(a, order)).toArray(INDArray[]::new),
                Batches.pick(labels, order));
    }

    /** A copy in a random order drawn from {@code random}. */
    public Examples shuffled(Random random) {
        return pick(permutation(size(), random));
    }

    /** A random permutation of 0..n-1 drawn from {@code random} (Fisher-Yates; the local loop's order). */
    public static int[] permutation(int n, Random random) {
        return Batches.permutation(n, random);
    }

    /** A compact copy: the rows own their buffers, so serialising them writes only these rows. */
    public Examples dup() {
        return new Examples(Arrays.stream(inputs).map(INDArray::dup).toArray(INDArray[]::new), labels.dup());
    }

    /**
     * Frees the arrays' native memory now. Only for copies this code owns (from {@link #pick}, {@link #shuffled},
     * {@link #dup}); the arrays must not be used afterwards.
     */
    public void close() {
        for (INDArray input : inputs) {
            free(input);
        }
        free(labels);
    }

    private static void free(INDArray a) {
        if (a.closeable()) {
            a.close();
        } else if (!a.isAttached()) {
            // a reshaped view of a copy made here: the buffer underneath is the copy's alone
            DataBuffer own = a.data().originalDataBuffer() != null ? a.data().originalDataBuffer() : a.data();
            if (own.closeable()) {
                own.close();
            }
        }
    }

    /** A DL4J view of the same arrays (no copy), for {@code ComputationGraph.fit}. */
    public MultiDataSet toMultiDataSet() {
        return new MultiDataSet(inputs.clone(), new INDArray[] {labels});
    }
}
