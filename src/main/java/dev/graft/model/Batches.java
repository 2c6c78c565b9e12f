package dev.graft.model;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Row views and shuffles of example arrays whose first dimension is the example. */
final class Batches {

    private Batches() {
    }

    /** Rows [from, to) as a view when the array is contiguous (no copy). */
    static INDArray rows(INDArray a, int from, int to) {
        if (a.rank() == 2) {
            return a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
        }
        long[] shape = a.shape().clone();
        INDArray flat = a.reshape(a.ordering(), shape[0], a.length() / shape[0]);
        shape[0] = to - from;
        return flat.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).reshape('c', shape);
    }

    /** A copy of the rows in the given order. */
    static INDArray pick(INDArray a, int[] order) {
        long[] shape = a.shape().clone();
        INDArray flat = a.rank() == 2 ? a : a.reshape('c', shape[0], a.length() / shape[0]);
        INDArray picked = Nd4j.pullRows(flat, 1, order);
        shape[0] = order.length;
        return a.rank() == 2 ? picked : picked.reshape('c', shape);
    }

    /** A seeded permutation of 0..n-1. */
    static int[] permutation(int n, Random random) {
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
