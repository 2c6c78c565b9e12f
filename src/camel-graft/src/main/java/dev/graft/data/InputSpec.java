package dev.graft.data;

import dev.graft.data.image.ImageDecoder;
import dev.graft.spi.InputContract.Preprocess;
import java.util.Arrays;
import java.util.Objects;

/**
 * How fetch-dataset shapes and preprocesses examples: image channels and size, a shape for feature rows, and the
 * preprocessing. {@link #defaults()} is today's behaviour: grey images at their own size, divided by {@code scale}.
 *
 * @param channels     1 (grey; colour becomes luminance), 3 (RGB; grey is replicated) or {@link ImageDecoder#AUTO}
 *                     (as stored, the first image deciding)
 * @param resizeWidth  images are resized to this width ({@code resize=WxH}); 0 when not asked
 * @param resizeHeight images are resized to this height; 0 exactly when resizeWidth is 0
 * @param centerCrop   whether a resize keeps the aspect ratio and crops the middle ({@code crop=center}) rather than
 *                     stretching ({@code crop=none})
 * @param shape        the shape of one example ({@code shape=1x28x28}) for CSV or IDX rows; null keeps the reader's
 * @param preprocess   the preprocessing; null divides by fetch-dataset's {@code scale}
 */
public record InputSpec(int channels, int resizeWidth, int resizeHeight, boolean centerCrop, long[] shape,
                        Preprocess preprocess) {

    public InputSpec {
        if (channels != 1 && channels != 3 && channels != ImageDecoder.AUTO) {
            throw new IllegalArgumentException("channels " + channels + ": expected 1, 3 or auto");
        }
        if (resizeWidth < 0 || resizeHeight < 0 || (resizeWidth == 0) != (resizeHeight == 0)) {
            throw new IllegalArgumentException("resize " + resizeWidth + "x" + resizeHeight + ": expected both positive");
        }
        shape = shape == null ? null : shape.clone();
    }

    /** Grey images at their own size (or fetch-dataset's height and width), no shape, divided by scale. */
    public static InputSpec defaults() {
        return new InputSpec(1, 0, 0, true, null, null);
    }

    @Override
    public long[] shape() {
        return shape == null ? null : shape.clone();
    }

    /** True when {@code resize=WxH} was asked. */
    public boolean resizes() {
        return resizeWidth > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputSpec s && channels == s.channels && resizeWidth == s.resizeWidth
                && resizeHeight == s.resizeHeight && centerCrop == s.centerCrop && Arrays.equals(shape, s.shape)
                && Objects.equals(preprocess, s.preprocess);
    }

    @Override
    public int hashCode() {
        return Objects.hash(channels, resizeWidth, resizeHeight, centerCrop, Arrays.hashCode(shape), preprocess);
    }
}
