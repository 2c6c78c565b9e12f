package dev.graft.steps;

import dev.graft.data.InputSpec;
import dev.graft.data.image.ImageDecoder;
import dev.graft.data.image.Preprocessing;
import dev.graft.spi.InputContract.Preprocess;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.StepOptions;
import java.util.Arrays;
import java.util.List;

/** fetch-dataset's options on channels, size, shape and preprocessing, bound once into an {@link InputSpec}. */
final class InputOptions {

    static final OptionSpec<Integer> CHANNELS = OptionSpec.parsed("channels", "channels", "1", text -> switch (text) {
        case "auto" -> ImageDecoder.AUTO;
        case "1" -> 1;
        case "3" -> 3;
        default -> throw new IllegalArgumentException("auto, 1 or 3");
    }, "Image channels: 1 (default; colour becomes luminance 0.299R+0.587G+0.114B), 3 (RGB; grey is replicated) or "
            + "auto (as stored, the first image deciding); examples are channels first, [C, H, W].");
    static final OptionSpec<int[]> RESIZE = OptionSpec.parsed("resize", "WxH", null, InputOptions::parseSize,
            "Resize every image to width x height, e.g. 224x224, bilinearly (pixel centres aligned), as crop says; "
                    + "default: fetch-dataset's height and width (stretched), else as read.");
    static final OptionSpec<String> CROP = OptionSpec.oneOf("crop", "center", List.of("center", "none"), "With resize: "
            + "center keeps the aspect ratio (the shorter side meets the target) and crops the middle; none "
            + "stretches; default center.");
    static final OptionSpec<String> PREPROCESS = OptionSpec.oneOf("preprocess", "scale255", Preprocessing.PRESETS,
            "How values 0-255 become inputs: scale255 (divide by scale; default), imagenet (/255, then per-channel "
                    + "mean [0.485,0.456,0.406], std [0.229,0.224,0.225]), tf (x/127.5-1, into [-1,1]), caffe (RGB to "
                    + "BGR, minus [103.939,116.779,123.68]); recorded with the model and applied by predict.");
    static final OptionSpec<double[]> MEAN = numbers("mean", "Per-channel means subtracted after dividing by scale, "
            + "e.g. 0.485,0.456,0.406 (one value applies to every channel); with std, instead of preprocess.");
    static final OptionSpec<double[]> STD = numbers("std", "Per-channel standard deviations dividing after the mean, "
            + "e.g. 0.229,0.224,0.225; with mean.").check(s -> Arrays.stream(s).allMatch(v -> v > 0),
            "positive numbers such as 0.229,0.224,0.225");
    static final OptionSpec<long[]> SHAPE = OptionSpec.parsed("shape", "shape", null, InputOptions::parseShape,
            "The shape of one example, channels first, e.g. 1x28x28 so that a CSV of 784 pixels feeds a CNN; "
                    + "default as read (IDX images [C,H,W] from their header, CSV rows [features]).");

    /** Every option, in the order {@code graft steps} lists them. */
    static final List<OptionSpec<?>> ALL = List.of(CHANNELS, RESIZE, CROP, PREPROCESS, MEAN, STD, SHAPE);

    private InputOptions() {
    }

    static InputSpec bind(StepOptions o, double scale) {
        boolean custom = o.given(MEAN) || o.given(STD);
        if (custom && !(o.given(MEAN) && o.given(STD))) {
            throw o.invalid(o.given(MEAN) ? MEAN : STD, "mean and std given together, one value per channel");
        }
        if (custom && o.given(PREPROCESS)) {
            throw o.invalid(PREPROCESS, "no preset beside mean and std, which replace it; remove one of them");
        }
        if (o.given(CROP) && !o.given(RESIZE)) {
            throw o.invalid(CROP, "crop together with resize=WxH, which it shapes");
        }
        Preprocess preprocess = custom ? Preprocessing.custom(scale, o.get(MEAN), o.get(STD))
                : o.given(PREPROCESS) ? Preprocessing.preset(o.get(PREPROCESS), scale) : null;
        int[] size = o.find(RESIZE).orElse(new int[] {0, 0});
        return new InputSpec(o.get(CHANNELS), size[0], size[1], o.get(CROP).equals("center"), o.find(SHAPE).orElse(null),
                preprocess);
    }

    private static OptionSpec<double[]> numbers(String name, String doc) {
        return OptionSpec.parsed(name, "numbers", null, text -> {
            try {
                double[] values = Arrays.stream(text.split(",")).map(String::trim).mapToDouble(Double::parseDouble)
                        .toArray();
                if (values.length > 0 && Arrays.stream(values).allMatch(Double::isFinite)) {
                    return values;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the expected form
            }
            throw new IllegalArgumentException("comma-separated numbers, one per channel, such as 0.5,0.5,0.5");
        }, doc);
    }

    /** {@code 224x224} as {width, height}. */
    private static int[] parseSize(String text) {
        String[] parts = text.split("x");
        try {
            if (parts.length == 2) {
                int w = Integer.parseInt(parts[0].trim());
                int h = Integer.parseInt(parts[1].trim());
                if (w > 0 && h > 0 && w <= 65_536 && h <= 65_536) {
                    return new int[] {w, h};
                }
            }
        } catch (NumberFormatException ignored) {
            // reported below with the expected form
        }
        throw new IllegalArgumentException("width x height in pixels such as 224x224");
    }

    /** {@code 1x28x28} or {@code 784}. */
    private static long[] parseShape(String text) {
        long[] dims = new long[0];
        try {
            dims = Arrays.stream(text.split("x")).mapToLong(d -> Long.parseLong(d.trim())).toArray();
        } catch (NumberFormatException ignored) {
            // reported below with the expected form
        }
        if ((dims.length == 1 || dims.length == 3) && Arrays.stream(dims).allMatch(d -> d > 0 && d <= 1 << 24)) {
            return dims;
        }
        throw new IllegalArgumentException("channels x height x width such as 1x28x28, or a feature count");
    }
}
