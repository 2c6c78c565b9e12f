package dev.graft.data.image;

/** Turns an image upright as its EXIF Orientation (1-8) says; 5-8 swap height and width. */
final class Orientation {

    private Orientation() {
    }

    /** The upright image; {@code image} itself for orientation 1 or an unknown value. */
    static DecodedImage apply(DecodedImage image, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return image;
        }
        int h = image.height();
        int w = image.width();
        boolean swap = orientation >= 5;
        int outH = swap ? w : h;
        int outW = swap ? h : w;
        int plane = h * w;
        float[] src = image.pixels();
        float[] dst = new float[src.length];
        for (int c = 0; c < image.channels(); c++) {
            int base = c * plane;
            for (int y = 0; y < outH; y++) {
                for (int x = 0; x < outW; x++) {
                    int sx;
                    int sy;
                    switch (orientation) {
                        case 2 -> { sx = w - 1 - x; sy = y; }
                        case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                        case 4 -> { sx = x; sy = h - 1 - y; }
                        case 5 -> { sx = y; sy = x; }
                        case 6 -> { sx = y; sy = h - 1 - x; }
                        case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                        default -> { sx = w - 1 - y; sy = x; } // 8: rotate 90 degrees counter-clockwise
                    }
                    dst[base + y * outW + x] = src[base + sy * w + sx];
                }
            }
        }
        return new DecodedImage(dst, image.channels(), outH, outW);
    }
}
