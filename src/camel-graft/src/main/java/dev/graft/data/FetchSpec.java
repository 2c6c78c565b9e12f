package dev.graft.data;

import dev.graft.spi.ConfigurationException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything fetch-dataset needs to read and split a data set; checked when built, so an invalid spec
 * cannot exist.
 *
 * @param source             a local file or folder path, a {@code file:} URI, {@code classpath:<resource>}, an
 *                           http(s) URL, or {@code trigger} for the file that started the run
 * @param format             the layout of the files; null means {@link DataFormat#AUTO}
 * @param testFraction       the fraction of examples held out as test when the files have no test split, in
 *                           [0, 1); ignored when they have one
 * @param validationFraction the fraction of the training part held out for validation, in [0, 1); 0 means no
 *                           validation set
 * @param classes            the original labels to keep, in output order when {@code remap}; empty (or null)
 *                           keeps all
 * @param remap              whether {@code classes.get(i)} becomes label i; otherwise labels keep their values
 * @param trainLimit         keep only N training examples after class filtering and before the validation split,
 *                           chosen as {@code limitSample} says; 0 keeps all
 * @param testLimit          keep only N test examples after class filtering, chosen as {@code limitSample} says;
 *                           0 keeps all
 * @param scale              every feature value is divided by this (255 for pixels); positive, 1 leaves them
 * @param seed               the seed of the shuffle behind the fraction splits
 * @param height             images are resized to this height in pixels; 0 keeps the size of the first image
 *                           and requires all images to share it
 * @param width              images are resized to this width in pixels; 0 exactly when height is 0
 * @param labelColumn        the CSV label column, by name or 0-based index; null means {@code label}
 * @param limitSample        how the limits choose: a seeded class-stratified sample (the default, also for null)
 *                           or the first N in file order
 * @param budget             what the readers may allocate and extract; null means {@link ReadBudget#defaults()}
 * @param input              channels, resize, shape and preprocessing; null means {@link InputSpec#defaults()}
 * @param classNames         one name per output label in label order, replacing the data's own (see
 *                           {@link ClassNames}); empty (or null) keeps them
 * @param stream             whether and how an image folder is streamed from its files rather than decoded into
 *                           memory; null means {@link StreamSettings#defaults()}
 */
public record FetchSpec(String source, DataFormat format, double testFraction, double validationFraction,
                        List<Integer> classes, boolean remap, int trainLimit, int testLimit, double scale, long seed,
                        int height, int width, String labelColumn, LimitSample limitSample, ReadBudget budget,
                        InputSpec input, List<String> classNames, StreamSettings stream) {

    /** The label column used when none is given. */
    public static final String DEFAULT_LABEL_COLUMN = "label";

    public FetchSpec {
        if (source == null || source.isBlank()) {
            throw invalid("source", String.valueOf(source), "a path, 'classpath:<resource>', an http(s) URL or 'trigger'");
        }
        format = format == null ? DataFormat.AUTO : format;
        checkFraction("testFraction", testFraction);
        checkFraction("validationFraction", validationFraction);
        classes = classes == null ? List.of() : List.copyOf(classes);
        Set<Integer> seen = new HashSet<>();
        for (int c : classes) {
            if (c < 0 || !seen.add(c)) {
                throw invalid("classes", classes.toString(), "distinct non-negative labels");
            }
        }
        if (trainLimit < 0) {
            throw invalid("trainLimit", Integer.toString(trainLimit), "0 (all) or a positive count");
        }
        if (testLimit < 0) {
            throw invalid("testLimit", Integer.toString(testLimit), "0 (all) or a positive count");
        }
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw invalid("scale", Double.toString(scale), "a positive number, such as 255 for pixels or 1 to keep values");
        }
        if (height < 0 || width < 0 || (height == 0) != (width == 0)) {
            throw invalid(height < 0 || (height == 0 && width > 0) ? "height" : "width", height + "x" + width,
                    "both positive, or both 0 to keep the images' own size");
        }
        labelColumn = labelColumn == null || labelColumn.isBlank() ? DEFAULT_LABEL_COLUMN : labelColumn.trim();
        limitSample = limitSample == null ? LimitSample.STRATIFIED : limitSample;
        budget = budget == null ? ReadBudget.defaults() : budget;
        input = input == null ? InputSpec.defaults() : input;
        classNames = classNames == null ? List.of() : List.copyOf(classNames);
        stream = stream == null ? StreamSettings.defaults() : stream;
        for (String name : classNames) {
            if (name.isBlank() || name.chars().anyMatch(Character::isISOControl)) {
                throw invalid("classNames", String.join(",", classNames), "non-blank names without control characters, "
                        + "separated by commas");
            }
        }
    }

    /** A spec with the default input handling: grey images, divided by {@code scale}. */
    public FetchSpec(String source, DataFormat format, double testFraction, double validationFraction,
                     List<Integer> classes, boolean remap, int trainLimit, int testLimit, double scale, long seed,
                     int height, int width, String labelColumn, LimitSample limitSample, ReadBudget budget) {
        this(source, format, testFraction, validationFraction, classes, remap, trainLimit, testLimit, scale, seed,
                height, width, labelColumn, limitSample, budget, null, null, null);
    }

    /** The preprocessing the examples get: the input's, or division by {@code scale}. */
    public dev.graft.spi.InputContract.Preprocess preprocess() {
        return input.preprocess() != null ? input.preprocess() : dev.graft.data.image.Preprocessing.divide(scale);
    }

    /** A spec with a stratified limit sample and the default budget. */
    public FetchSpec(String source, DataFormat format, double testFraction, double validationFraction,
                     List<Integer> classes, boolean remap, int trainLimit, int testLimit, double scale, long seed,
                     int height, int width, String labelColumn) {
        this(source, format, testFraction, validationFraction, classes, remap, trainLimit, testLimit, scale, seed,
                height, width, labelColumn, LimitSample.STRATIFIED, ReadBudget.defaults());
    }

    /** This spec with another way of choosing the limited examples. */
    public FetchSpec withLimitSample(LimitSample value) {
        return new FetchSpec(source, format, testFraction, validationFraction, classes, remap, trainLimit, testLimit,
                scale, seed, height, width, labelColumn, value, budget, input, classNames, stream);
    }

    /** This spec with another read budget. */
    public FetchSpec withBudget(ReadBudget value) {
        return new FetchSpec(source, format, testFraction, validationFraction, classes, remap, trainLimit, testLimit,
                scale, seed, height, width, labelColumn, limitSample, value, input, classNames, stream);
    }

    /** This spec with other channels, resize, shape or preprocessing. */
    public FetchSpec withInput(InputSpec value) {
        return new FetchSpec(source, format, testFraction, validationFraction, classes, remap, trainLimit, testLimit,
                scale, seed, height, width, labelColumn, limitSample, budget, value, classNames, stream);
    }

    /** This spec with the given names for the output labels (see {@link #classNames()}). */
    public FetchSpec withClassNames(List<String> value) {
        return new FetchSpec(source, format, testFraction, validationFraction, classes, remap, trainLimit, testLimit,
                scale, seed, height, width, labelColumn, limitSample, budget, input, value, stream);
    }

    /** A spec reading {@code source} with the defaults: AUTO, 20% test, no validation, all classes, seed 42, unscaled. */
    /** A spec that streams as {@link StreamSettings#defaults()} says. */
    public FetchSpec(String source, DataFormat format, double testFraction, double validationFraction,
                     List<Integer> classes, boolean remap, int trainLimit, int testLimit, double scale, long seed,
                     int height, int width, String labelColumn, LimitSample limitSample, ReadBudget budget,
                     InputSpec input, List<String> classNames) {
        this(source, format, testFraction, validationFraction, classes, remap, trainLimit, testLimit, scale, seed,
                height, width, labelColumn, limitSample, budget, input, classNames, null);
    }

    public FetchSpec withStream(StreamSettings value) {
        return new FetchSpec(source, format, testFraction, validationFraction, classes, remap, trainLimit, testLimit,
                scale, seed, height, width, labelColumn, limitSample, budget, input, classNames, value);
    }

    public static FetchSpec defaults(String source) {
        return new FetchSpec(source, DataFormat.AUTO, 0.2, 0, List.of(), false, 0, 0, 1, 42, 0, 0,
                DEFAULT_LABEL_COLUMN);
    }

    private static void checkFraction(String option, double value) {
        if (!(value >= 0 && value < 1)) {
            throw invalid(option, Double.toString(value), "a fraction from 0 up to but excluding 1, such as 0.2");
        }
    }

    private static ConfigurationException invalid(String option, String value, String expected) {
        return new ConfigurationException(DatasetLoader.STEP + ": option '" + option + "' has a bad value '" + value
                + "'; expected " + expected);
    }
}
