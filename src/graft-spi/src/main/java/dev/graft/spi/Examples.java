package dev.graft.spi;

import java.util.Arrays;
import java.util.Objects;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
        return new Examples(Arrays.stream(inputs).map(a -> rows(a, from, to)).toArray(INDArray[]::new),
                rows(labels, from, to));
    }

    /** A copy of the examples in the given order (a permutation, or any selection of row indices). */
    public Examples pick(int[] order) {
        return new Examples(Arrays.stream(inputs).map(a -> pick(a, order)).toArray(INDArray[]::new),
                pick(labels, order));
    }

    /** A copy in a random order drawn from {@code random}. */
    public Examples shuffled(Random random) {
        return pick(permutation(size(), random));
    }

    /** A random permutation of 0..n-1 drawn from {@code random} (Fisher-Yates; the local loop's order). */
    public static int[] permutation(int n, Random random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Rows [from, to) of an array whose first dimension is the example, as a view when it is contiguous. */
    public static INDArray rows(INDArray a, int from, int to) {
        if (a.rank() == 2) {
            return a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
        }
        long[] shape = a.shape().clone();
        INDArray flat = a.reshape(a.ordering(), shape[0], a.length() / shape[0]);
        shape[0] = to - from;
        return flat.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).reshape('c', shape);
    }

    /** A copy of an array's rows (first dimension) in the given order. */
    public static INDArray pick(INDArray a, int[] order) {
        long[] shape = a.shape().clone();
        INDArray flat = a.rank() == 2 ? a : a.reshape('c', shape[0], a.length() / shape[0]);
        INDArray picked = Nd4j.pullRows(flat, 1, order);
        shape[0] = order.length;
        return a.rank() == 2 ? picked : picked.reshape('c', shape);
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
