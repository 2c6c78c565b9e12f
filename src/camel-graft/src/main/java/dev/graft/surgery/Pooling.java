package dev.graft.surgery;

/** How a head turns image-shaped layer outputs into vectors: all values, or one value a channel. */
public enum Pooling {
    /** Every value, in channel-height-width order. */
    FLATTEN,
    /** Global average pooling: the mean of each channel. */
    AVG,
    /** Global max pooling: the largest value of each channel. */
    MAX
}
