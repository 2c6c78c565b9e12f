package dev.graft.data;

/**
 * Examples as read from the files, before filtering, splitting and scaling.
 *
 * @param features     row-major, {@code size() * exampleLength()} values, unscaled (pixels 0-255)
 * @param labels       one original label per example, non-negative
 * @param exampleShape the shape of one example: {channels, height, width} or {features}
 */
record RawExamples(float[] features, int[] labels, long[] exampleShape) {

    RawExamples {
        long length = 1;
        for (long d : exampleShape) {
            length *= d;
        }
        if (features.length != labels.length * length) {
            throw new IllegalArgumentException(features.length + " feature values do not fill " + labels.length
                    + " examples of " + length + " values");
        }
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
