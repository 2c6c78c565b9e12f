package dev.graft.data.image;

/**
 * Bilinear resampling with pixel centres aligned (as most image libraries do), one plane at a time. A centre crop
 * scales the image so that it covers the target (keeping its aspect ratio: the shorter side meets the target, the
 * longer is rounded to the nearest pixel) and keeps the middle (the offset rounded down); it samples the source
 * directly, so no intermediate image is allocated whatever the aspect ratio.
 */
public final class Resampling {

    private Resampling() {
    }

    /** Stretches one plane to {@code dstH x dstW}. */
    public static float[] resizeBilinear(float[] src, int srcH, int srcW, int dstH, int dstW) {
        float[] dst = new float[Math.multiplyExact(dstH, dstW)];
        sample(src, 0, srcH, srcW, dstH, dstW, 0, 0, dst, 0, dstH, dstW);
        return dst;
    }

    /**
     * Resizes every plane of an image to {@code dstH x dstW}: stretched, or scaled to cover and centre-cropped.
     *
     * @return {@code image} itself when it already has that size
     */
    public static DecodedImage resize(DecodedImage image, int dstH, int dstW, boolean centerCrop) {
        int h = image.height();
        int w = image.width();
        if (h == dstH && w == dstW) {
            return image;
        }
        long scaledH = dstH;
        long scaledW = dstW;
        if (centerCrop) {
            if ((long) w * dstH > (long) h * dstW) {
                scaledW = Math.max(dstW, Math.round((double) w * dstH / h));
            } else {
                scaledH = Math.max(dstH, Math.round((double) h * dstW / w));
            }
        }
        int top = (int) ((scaledH - dstH) / 2);
        int left = (int) ((scaledW - dstW) / 2);
        int plane = Math.multiplyExact(dstH, dstW);
        float[] dst = new float[Math.multiplyExact(image.channels(), plane)];
        for (int c = 0; c < image.channels(); c++) {
            sample(image.pixels(), c * h * w, h, w, scaledH, scaledW, top, left, dst, c * plane, dstH, dstW);
        }
        return new DecodedImage(dst, image.channels(), dstH, dstW);
    }

    /**
     * Fills {@code dstH x dstW} values of {@code dst} from {@code at} with the window at ({@code top}, {@code left})
     * of the source plane scaled to {@code scaledH x scaledW}.
     */
    private static void sample(float[] src, int from, int srcH, int srcW, long scaledH, long scaledW, int top,
                               int left, float[] dst, int at, int dstH, int dstW) {
        for (int y = 0; y < dstH; y++) {
            float sy = clamp((y + top + 0.5f) * srcH / scaledH - 0.5f, srcH - 1);
            int y0 = (int) sy;
            int y1 = Math.min(y0 + 1, srcH - 1);
            float fy = sy - y0;
            for (int x = 0; x < dstW; x++) {
                float sx = clamp((x + left + 0.5f) * srcW / scaledW - 0.5f, srcW - 1);
                int x0 = (int) sx;
                int x1 = Math.min(x0 + 1, srcW - 1);
                float fx = sx - x0;
                float upper = lerp(src[from + y0 * srcW + x0], src[from + y0 * srcW + x1], fx);
                float lower = lerp(src[from + y1 * srcW + x0], src[from + y1 * srcW + x1], fx);
                dst[at + y * dstW + x] = lerp(upper, lower, fy);
            }
        }
    }

    /** Exact at both ends and for equal neighbours, so flat regions keep their value. */
    private static float lerp(float a, float b, float t) {
        return a + (b - a) * t;
    }

    private static float clamp(float value, int max) {
        return Math.max(0, Math.min(value, max));
    }
}
