package dev.graft.training;

import java.util.Properties;

/**
 * How this process computes, as opposed to what a route asks: the switches that choose Graft's fast code paths.
 * None changes a result beyond float rounding; they exist to measure and to work around a platform. Immutable; the
 * process reads its tuning once from system properties ({@link #fromSystemProperties}), so each is still set with
 * {@code -D}; code that trains takes a tuning explicitly and tests pass their own.
 *
 * @param warmUp        {@value #WARM_UP}: warm the JIT up on a background thread when a featurize route starts;
 *                      default true
 * @param vectorKernels {@value #VECTOR_KERNELS}: small heads train with the Vector API kernels when the JVM has the
 *                      module; false forces the plain loops; default true
 * @param denseHeadLoop {@value #DENSE_HEAD_LOOP}: dense heads train in the lean loops (SmallHeadLoop, DenseHeadLoop);
 *                      false trains every head through DL4J's {@code fit}; default true
 * @param nativeHelpers {@value #NATIVE_HELPERS}: DL4J layers run on oneDNN helpers (set once at process start,
 *                      {@code dev.graft.nd4j.NativeHelpers}); DL4J's own property, set either way, wins; default true
 * @param forwardCache  {@value #FORWARD_CACHE}: while the local loop trains a network with trainable convolutions,
 *                      DL4J's forward cache is on ({@code CacheMode.DEVICE}), so each convolution's backward pass
 *                      reuses its forward pass's pre-activation instead of running the convolution again (the same
 *                      values; one more copy of each trainable convolution's output per minibatch); default true
 * @param blasThreads   {@value #BLAS_THREADS}: OpenBLAS threads, at least 1; default one per four cores
 */
public record Tuning(boolean warmUp, boolean vectorKernels, boolean denseHeadLoop, boolean nativeHelpers,
                     boolean forwardCache, int blasThreads) {

    public static final String WARM_UP = "graft.warmUp";
    public static final String VECTOR_KERNELS = "graft.vectorKernels";
    public static final String DENSE_HEAD_LOOP = "graft.denseHeadLoop";
    public static final String NATIVE_HELPERS = "graft.nativeHelpers";
    public static final String FORWARD_CACHE = "graft.forwardCache";
    public static final String BLAS_THREADS = "graft.blasThreads";

    public Tuning {
        if (blasThreads < 1) {
            throw new IllegalArgumentException("blasThreads " + blasThreads + "; expected at least 1 (-D" + BLAS_THREADS
                    + "=N)");
        }
    }

    /** Every fast path on, OpenBLAS on one thread per four cores: what Graft does unless told otherwise. */
    public static Tuning defaults() {
        return new Tuning(true, true, true, true, true, defaultBlasThreads());
    }

    /** This process's tuning, read from the system properties the first time it is asked for. */
    public static Tuning fromSystemProperties() {
        return Process.TUNING;
    }

    /** The tuning that {@code properties} ask for, with the defaults for what they leave out. */
    public static Tuning of(Properties properties) {
        String threads = properties.getProperty(BLAS_THREADS);
        int blas;
        try {
            blas = threads == null ? defaultBlasThreads() : Integer.decode(threads.trim()); // as Integer.getInteger
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + BLAS_THREADS + "='" + threads + "'; expected a whole number of "
                    + "threads, at least 1", e);
        }
        return new Tuning(flag(properties, WARM_UP), flag(properties, VECTOR_KERNELS), flag(properties, DENSE_HEAD_LOOP),
                flag(properties, NATIVE_HELPERS), flag(properties, FORWARD_CACHE), blas);
    }

    public Tuning withWarmUp(boolean on) {
        return new Tuning(on, vectorKernels, denseHeadLoop, nativeHelpers, forwardCache, blasThreads);
    }

    public Tuning withVectorKernels(boolean on) {
        return new Tuning(warmUp, on, denseHeadLoop, nativeHelpers, forwardCache, blasThreads);
    }

    public Tuning withDenseHeadLoop(boolean on) {
        return new Tuning(warmUp, vectorKernels, on, nativeHelpers, forwardCache, blasThreads);
    }

    public Tuning withForwardCache(boolean on) {
        return new Tuning(warmUp, vectorKernels, denseHeadLoop, nativeHelpers, on, blasThreads);
    }

    private static boolean flag(Properties properties, String name) {
        return Boolean.parseBoolean(properties.getProperty(name, "true")); // as before: anything but "true" is off
    }

    private static int defaultBlasThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 4);
    }

    /** Read on first use, once. */
    private static final class Process {
        static final Tuning TUNING = of(System.getProperties());
    }
}
