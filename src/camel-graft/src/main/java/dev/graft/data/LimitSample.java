package dev.graft.data;

/** How {@code trainLimit} and {@code testLimit} choose the examples they keep. */
public enum LimitSample {
    /**
     * A seeded sample in which every class keeps its share of the split (largest-remainder rounding), in file
     * order; the default, so class-ordered files (image folders) still yield every class.
     */
    STRATIFIED,
    /** The first N examples in file order, as before 0.2; for recipes whose figures depend on exactly those. */
    FIRST
}
