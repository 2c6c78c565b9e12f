package dev.graft.nd4j;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Memory layout checks of ND4J arrays (row views and shuffles are {@link dev.graft.spi.Examples}'). */
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
}
