package dev.graft.nd4j;

import dev.graft.spi.Examples;
import java.util.function.BiConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Memory layout checks of ND4J arrays and batched passes over them (row views and shuffles are {@link Examples}'). */
public final class Batches {

    /** The rows of one batch of {@link #inBatches}. */
    private static final int BATCH = 512;

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

    /** How many batches {@link #inBatches} makes of {@code examples} examples. */
    public static int count(int examples) {
        return (examples + BATCH - 1) / BATCH;
    }

    /** Calls {@code batch} on rows [from, to) of every input and of the labels, 512 rows at a time. */
    public static void inBatches(INDArray[] inputs, INDArray labels, BiConsumer<INDArray[], INDArray> batch) {
        int n = (int) labels.size(0);
        for (int from = 0; from < n; from += BATCH) {
            int to = Math.min(n, from + BATCH);
            INDArray[] x = new INDArray[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                x[i] = Examples.rows(inputs[i], from, to);
            }
            batch.accept(x, Examples.rows(labels, from, to));
        }
    }
}
