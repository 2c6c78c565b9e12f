package dev.graft.data;

/**
 * Examples as read from the files, before filtering, splitting and scaling.
 *
 * @param features     row-major, {@code size() * exampleLength()} values, unscaled (pixels 0-255)
 * @param labels       one original label per example, non-negative
 * @param exampleShape the shape of one example: {channels, height, width} or {features}
 */
record RawExamples(float[] features, int[] labels, long[] exampleShape) {

    /** The features of examples that were listed but not decoded (a streamed data set's records). */
    static final float[] LISTED = new float[0];

    RawExamples {
        long length = 1;
        for (long d : exampleShape) {
            length *= d;
        }
        if (features != LISTED && features.length != labels.length * length) {
            throw new IllegalArgumentException(features.length + " feature values do not fill " + labels.length
                    + " examples of " + length + " values");
        }
    }

    /** Labels only: examples listed as records, decoded later by a stream. */
    static RawExamples listed(int[] labels, long[] exampleShape) {
        return new RawExamples(LISTED, labels, exampleShape);
    }

    /** Whether the features are here, or only the labels of listed records. */
    boolean decoded() {
        return features != LISTED;
    }

    int size() {
        return labels.length;
    }

    int exampleLength() {
        return (int) product(exampleShape);
    }

    private static long product(long[] shape) {
        long p = 1;
        for (long d : shape) {
            p *= d;
        }
        return p;
    }
}
