package dev.graft.data.image;

/**
 * One decoded image, upright (EXIF orientation applied), channels first.
 *
 * @param pixels   {@code channels * height * width} values 0-255, plane after plane, rows top to bottom; RGB order
 * @param channels 1 (grey) or 3 (RGB)
 * @param height   rows
 * @param width    columns
 */
public record DecodedImage(float[] pixels, int channels, int height, int width) {

    public DecodedImage {
        if (channels != 1 && channels != 3 || (long) channels * height * width != pixels.length) {
            throw new IllegalArgumentException(pixels.length + " values are not " + channels + "x" + height + "x"
                    + width);
        }
    }

    /** The same image with {@code 3} channels, the grey plane copied to each; this image when it has 3 already. */
    public DecodedImage toRgb() {
        if (channels == 3) {
            return this;
        }
        int plane = height * width;
        float[] rgb = new float[Math.multiplyExact(3, plane)];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(pixels, 0, rgb, c * plane, plane);
        }
        return new DecodedImage(rgb, 3, height, width);
    }
}
