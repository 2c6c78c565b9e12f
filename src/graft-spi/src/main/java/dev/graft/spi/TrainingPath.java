package dev.graft.spi;

/**
 * The code path a train step actually took, for the log and {@code metadata.json}.
 *
 * @param engine        the training engine's name, such as {@code local} or {@code spark}
 * @param loop          the loop that made the passes: {@code SmallHeadLoop}, {@code DenseHeadLoop} or {@code fit}
 * @param kernels       the arithmetic of {@code SmallHeadLoop}: {@code vector} (Vector API) or {@code plain}; null for
 *                      the other loops
 * @param featurized    true when the frozen part ran once and only the trainable part trained (featurize-once)
 * @param featureCache  whether featurize-once found its features in the feature cache
 * @param nativeHelpers true when DL4J's layers may run on oneDNN helpers in this process
 */
public record TrainingPath(String engine, String loop, String kernels, boolean featurized, CacheUse featureCache,
                          boolean nativeHelpers) {

    /** What the feature cache did for a train step. */
    public enum CacheUse {
        /** No feature cache, or no featurize-once. */
        NONE,
        /** Every split's features came from the cache. */
        HIT,
        /** The features were computed (and stored in the cache). */
        MISS
    }

    /** One line for the log, e.g. {@code local SmallHeadLoop (vector kernels), featurized, cache MISS, oneDNN on}. */
    public String describe() {
        return engine + " " + loop + (kernels == null ? "" : " (" + kernels + " kernels)")
                + (featurized ? ", featurized once" : ", whole network") + ", feature cache " + featureCache
                + ", oneDNN helpers " + (nativeHelpers ? "on" : "off");
    }
}
