package dev.graft.spi;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How raw inputs become the examples a model was trained on: recorded by fetch-dataset, carried by {@link DataSplits},
 * written into each published version's {@code metadata.json} and applied by prediction. Examples are channels first
 * ({@code [N, C, H, W]}, RGB order unless the preprocessing says BGR); a backbone that takes NHWC converts them itself.
 *
 * @param shape         one example as the model takes it: {@code {C, H, W}} for images, {@code {features}} otherwise
 * @param channels      the image channels (1 grey, 3 colour); 0 when the examples are not images
 * @param resize        the size images are resized to, {@code WxH}; null when they must already have the shape's size
 * @param crop          {@code center} (keep the aspect ratio, then crop the middle) or {@code none} (stretch); null
 *                      without resize
 * @param interpolation how images are resampled ({@code bilinear}); null without resize
 * @param preprocess    how the values 0-255 become model inputs
 * @param classNames    one name per output class, in label order
 */
public record InputContract(long[] shape, int channels, String resize, String crop, String interpolation,
                            Preprocess preprocess, List<String> classNames) {

    /** The memory layout of every example tensor. */
    public static final String LAYOUT = "NCHW";

    public InputContract {
        shape = shape.clone();
        Objects.requireNonNull(preprocess, "preprocess");
        classNames = List.copyOf(classNames);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Values one example holds, flattened. */
    public long size() {
        long size = 1;
        for (long s : shape) {
            size = Math.multiplyExact(size, s);
        }
        return size;
    }

    /** True when the examples are images of {@link #channels()} channels, {@code shape = {C, H, W}}. */
    public boolean images() {
        return shape.length == 3 && channels > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputContract c && Arrays.equals(shape, c.shape) && channels == c.channels
                && Objects.equals(resize, c.resize) && Objects.equals(crop, c.crop)
                && Objects.equals(interpolation, c.interpolation) && preprocess.equals(c.preprocess)
                && classNames.equals(c.classNames);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(shape), channels, resize, crop, interpolation, preprocess, classNames);
    }

    @Override
    public String toString() {
        return "InputContract[shape=" + Arrays.toString(shape) + ", channels=" + channels + ", resize=" + resize
                + ", crop=" + crop + ", interpolation=" + interpolation + ", preprocess=" + preprocess
                + ", classNames=" + classNames + "]";
    }

    /**
     * Per-channel preprocessing of values 0-255: {@code (x / divisor - mean[c]) / std[c]}, after reversing the
     * channels when {@code bgr}. A one-element mean or std applies to every channel.
     *
     * @param name    the preset ({@code scale255}, {@code imagenet}, {@code tf}, {@code caffe}) or {@code custom}
     * @param divisor every value is divided by this first; positive
     * @param bgr     whether RGB channels are reversed to BGR (Caffe-style models)
     * @param mean    subtracted per channel after dividing; one value or one per channel
     * @param std     divides per channel after subtracting; one value or one per channel, each positive
     */
    public record Preprocess(String name, double divisor, boolean bgr, double[] mean, double[] std) {

        public Preprocess {
            Objects.requireNonNull(name, "name");
            mean = mean.clone();
            std = std.clone();
            if (!(divisor > 0) || mean.length == 0 || std.length == 0) {
                throw new IllegalArgumentException("preprocess " + name + ": expected a positive divisor and at least"
                        + " one mean and std");
            }
        }

        @Override
        public double[] mean() {
            return mean.clone();
        }

        @Override
        public double[] std() {
            return std.clone();
        }

        /** True when it only divides (no mean, std or channel order): {@code scale255} and {@code scale}. */
        public boolean divideOnly() {
            return !bgr && Arrays.stream(mean).allMatch(m -> m == 0) && Arrays.stream(std).allMatch(s -> s == 1);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Preprocess p && name.equals(p.name) && divisor == p.divisor && bgr == p.bgr
                    && Arrays.equals(mean, p.mean) && Arrays.equals(std, p.std);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, divisor, bgr, Arrays.hashCode(mean), Arrays.hashCode(std));
        }

        @Override
        public String toString() {
            return name + "(divisor=" + divisor + ", bgr=" + bgr + ", mean=" + Arrays.toString(mean) + ", std="
                    + Arrays.toString(std) + ")";
        }
    }
}
