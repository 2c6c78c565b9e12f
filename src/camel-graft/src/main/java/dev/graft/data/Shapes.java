package dev.graft.data;

import dev.graft.data.image.Preprocessing;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.InputContract;
import java.util.Arrays;
import java.util.List;

/** Gives examples the shape fetch-dataset's {@code shape} asks for, and states the input contract of a data set. */
final class Shapes {

    private Shapes() {
    }

    /**
     * The reader's examples with the shape of {@link InputSpec#shape()} (same values, same order), or as read.
     *
     * @throws ConfigurationException naming option {@code shape} when its product is not the example length
     */
    static SourceData reshape(SourceData source, FetchSpec spec) {
        long[] shape = spec.input().shape();
        if (shape == null || Arrays.equals(shape, source.train().exampleShape())) {
            return source;
        }
        long[] read = source.train().exampleShape();
        long length = source.train().exampleLength();
        if (Arrays.stream(shape).reduce(1, Math::multiplyExact) != length) {
            throw new ConfigurationException(DatasetLoader.STEP + ": option 'shape' has a bad value '" + text(shape)
                    + "' for examples of " + length + " values (shape " + text(read) + " as read); expected a shape of "
                    + length + " values, such as " + suggestion(length));
        }
        RawExamples train = new RawExamples(source.train().features(), source.train().labels(), shape);
        RawExamples test = source.test() == null ? null
                : new RawExamples(source.test().features(), source.test().labels(), shape);
        return new SourceData(train, test, source.classNames(), source.files(), source.locator(), source.records());
    }

    /**
     * The contract of examples of {@code shape} read as {@code spec} says.
     *
     * @throws ConfigurationException naming the options when the preprocessing does not fit the channels
     */
    static InputContract contract(FetchSpec spec, long[] shape, List<String> classNames) {
        InputContract.Preprocess preprocess = spec.preprocess();
        int channels = shape.length == 3 ? (int) shape[0] : 1;
        String misfit = Preprocessing.misfit(preprocess, channels);
        if (misfit != null) {
            throw new ConfigurationException(DatasetLoader.STEP + ": " + misfit + " (example shape " + text(shape)
                    + "); expected " + (preprocess.mean().length == 3 || preprocess.bgr()
                    ? "3-channel examples: set channels=3 (images) or shape=3xHxW (CSV, IDX)"
                    : "one mean and std per channel (options mean, std)"));
        }
        InputSpec input = spec.input();
        boolean resized = input.resizes() || spec.height() > 0;
        String resize = input.resizes() ? input.resizeWidth() + "x" + input.resizeHeight()
                : spec.height() > 0 ? spec.width() + "x" + spec.height() : null;
        return new InputContract(shape, shape.length == 3 ? channels : 0, resize,
                resized ? (input.resizes() && input.centerCrop() ? "center" : "none") : null,
                resized ? "bilinear" : null, preprocess, classNames);
    }

    /** {@code 1x28x28}. */
    static String text(long[] shape) {
        return String.join("x", Arrays.stream(shape).mapToObj(Long::toString).toList());
    }

    /** A channels-first square shape of {@code length} values where one exists, else the vector. */
    private static String suggestion(long length) {
        for (long c : new long[] {1, 3}) {
            long side = Math.round(Math.sqrt(length / (double) c));
            if (c * side * side == length) {
                return c + "x" + side + "x" + side;
            }
        }
        return Long.toString(length);
    }
}
