package dev.graft.nd4j;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Row views and shuffles of example arrays whose first dimension is the example. */
public final class Batches {

    private Batches() {
    }

    /**
     * Whether the array's elements lie in its buffer in row-major order from its offset on: each dimension longer
     * than 1 has the stride of the elements after it. ND4J's {@code Shape.hasDefaultStridesForShape} says no for a
     * unit dimension between equal strides ({@code [n, 1, 28, 28]} with strides {@code [784, 784, 28, 1]}), which
     * made every image batch hashed by the feature cache a needless 94 MB copy.
     */
    public static boolean rowMajor(INDArray a) {
        long expected = 1;
        for (int d = a.rank() - 1; d >= 0; d--) {
            if (a.size(d) != 1 && a.stride(d) != expected) {
                return false;
            }
            expected *= a.size(d);
        }
        return true;
    }

    /** Rows [from, to) as a view when the array is contiguous (no copy). */
    public static INDArray rows(INDArray a, int from, int to) {
        if (a.rank() == 2) {
            return a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
        }
        long[] shape = a.shape().clone();
        INDArray flat = a.reshape(a.ordering(), shape[0], a.length() / shape[0]);
        shape[0] = to - from;
        return flat.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).reshape('c', shape);
    }

    /** A copy of the rows in the given order. */
    public static INDArray pick(INDArray a, int[] order) {
        long[] shape = a.shape().clone();
        INDArray flat = a.rank() == 2 ? a : a.reshape('c', shape[0], a.length() / shape[0]);
        INDArray picked = Nd4j.pullRows(flat, 1, order);
        shape[0] = order.length;
        return a.rank() == 2 ? picked : picked.reshape('c', shape);
    }

    /** A seeded permutation of 0..n-1. */
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
}
