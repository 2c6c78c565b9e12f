package dev.graft.data.image;

import dev.graft.spi.InputContract.Preprocess;
import java.util.List;
import java.util.Locale;

/**
 * The presets of option {@code preprocess} and the one function that applies a {@link Preprocess} to examples, used
 * alike by fetch-dataset (training and evaluation data) and by prediction. Values are channels first.
 */
public final class Preprocessing {

    /** The preset names, as a route writes them. */
    public static final List<String> PRESETS = List.of("scale255", "imagenet", "tf", "caffe");

    private Preprocessing() {
    }

    /** Division only: {@code x / divisor}; {@code scale255} with divisor 255 is the default of fetch-dataset. */
    public static Preprocess divide(double divisor) {
        return new Preprocess(divisor == 255 ? "scale255" : "scale", divisor, false, new double[] {0}, new double[] {1});
    }

    /**
     * A preset: {@code scale255} (x / scale), {@code imagenet} (x / 255, then per-channel mean [0.485, 0.456, 0.406]
     * and std [0.229, 0.224, 0.225]), {@code tf} (x / 127.5 - 1, into [-1, 1]), {@code caffe} (RGB to BGR, minus
     * [103.939, 116.779, 123.68], not scaled).
     *
     * @param scale the divisor of {@code scale255}
     * @throws IllegalArgumentException naming the presets when {@code name} is none of them
     */
    public static Preprocess preset(String name, double scale) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "scale255" -> divide(scale);
            case "imagenet" -> new Preprocess("imagenet", 255, false, new double[] {0.485, 0.456, 0.406},
                    new double[] {0.229, 0.224, 0.225});
            case "tf" -> new Preprocess("tf", 127.5, false, new double[] {1}, new double[] {1});
            case "caffe" -> new Preprocess("caffe", 1, true, new double[] {103.939, 116.779, 123.68},
                    new double[] {1});
            default -> throw new IllegalArgumentException("one of " + PRESETS);
        };
    }

    /** Explicit per-channel {@code mean} and {@code std}, applied after dividing by {@code scale}. */
    public static Preprocess custom(double scale, double[] mean, double[] std) {
        return new Preprocess("custom", scale, false, mean, std);
    }

    /**
     * Says why {@code p} cannot apply to examples of {@code channels} channels (a mean or std list of another
     * length, or BGR of a non-colour example); null when it can.
     */
    public static String misfit(Preprocess p, int channels) {
        int means = p.mean().length;
        int stds = p.std().length;
        if (means != 1 && means != channels || stds != 1 && stds != channels) {
            return "preprocess '" + p.name() + "' has " + Math.max(means, stds) + " channel means/stds; the examples "
                    + "have " + channels + " channel" + (channels == 1 ? "" : "s");
        }
        if (p.bgr() && channels != 3) {
            return "preprocess '" + p.name() + "' reverses RGB to BGR; the examples have " + channels + " channel"
                    + (channels == 1 ? "" : "s");
        }
        return null;
    }

    /**
     * Writes {@code length} preprocessed values of one example from {@code src[from]} to {@code dst[to]}:
     * {@code (x / divisor - mean[c]) / std[c]} in float arithmetic, channel {@code c} of the output reading source
     * channel {@code channels - 1 - c} when BGR. A division-only preprocess computes exactly {@code x / divisor}.
     *
     * @param channels the example's channels (its first dimension; 1 for a feature vector)
     */
    public static void apply(Preprocess p, float[] src, int from, float[] dst, int to, int length, int channels) {
        float divisor = (float) p.divisor();
        if (p.divideOnly()) {
            if (divisor == 1) {
                System.arraycopy(src, from, dst, to, length);
            } else {
                for (int j = 0; j < length; j++) {
                    dst[to + j] = src[from + j] / divisor;
                }
            }
            return;
        }
        double[] mean = p.mean();
        double[] std = p.std();
        int plane = length / channels;
        for (int c = 0; c < channels; c++) {
            int source = p.bgr() ? channels - 1 - c : c;
            float m = (float) mean[mean.length == 1 ? 0 : c];
            float s = (float) std[std.length == 1 ? 0 : c];
            for (int j = 0; j < plane; j++) {
                dst[to + c * plane + j] = (src[from + source * plane + j] / divisor - m) / s;
            }
        }
    }
}
