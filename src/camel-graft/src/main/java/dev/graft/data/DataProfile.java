package dev.graft.data;

import dev.graft.io.JsonFields;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The profile of a run's data set, computed by {@code fetch-dataset} while it copies the examples: the example
 * shape and type, the class names, a {@link SplitProfile} per split, and how many test (and validation) examples
 * are also in the training split; the features at the backbone's cut are added by {@code train}
 * ({@link FeatureSample}). Published as {@value #FILE} beside metadata.json. Immutable.
 *
 * @param exampleShape    {channels, height, width} or {features}
 * @param type            the element type of the examples, {@code float32}
 * @param classNames      one per output label
 * @param splits          train, validation (when there is one) and test, in that order
 * @param testInTrain     test examples whose values equal a training example's
 * @param validationInTrain validation examples whose values equal a training example's
 * @param features        a sample of the training split's features at the cut; null when no featurize pass ran
 * @param seconds         time spent profiling while fetch-dataset copied the examples (the profile's own cost)
 */
public record DataProfile(long[] exampleShape, String type, List<String> classNames, Map<String, SplitProfile> splits,
                          long testInTrain, long validationInTrain, FeatureSample features, double seconds) {

    /** The key of the profile in a run's attributes. */
    public static final String ATTRIBUTE = "graft.data.profile";
    /** The file name beside metadata.json. */
    public static final String FILE = "profile.json";

    public DataProfile {
        exampleShape = exampleShape.clone();
        classNames = List.copyOf(classNames);
        splits = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(splits));
    }

    @Override
    public long[] exampleShape() {
        return exampleShape.clone();
    }

    /** Channels of an example: the first dimension of an image shape, 1 for tabular rows. */
    public int channels() {
        return exampleShape.length == 3 ? (int) exampleShape[0] : 1;
    }

    /** The same profile with the feature sample of a featurize pass. */
    public DataProfile withFeatures(FeatureSample sample) {
        return new DataProfile(exampleShape, type, classNames, splits, testInTrain, validationInTrain, sample, seconds);
    }

    /** Every split summed, as one data set (a drop is compared as a whole). */
    public SplitProfile whole() {
        return splits.values().stream().reduce(SplitProfile::plus).orElseThrow();
    }

    /** The profile as JSON fields. */
    public Map<String, Object> toJson() {
        Map<String, Object> splitJson = new LinkedHashMap<>();
        splits.forEach((name, p) -> splitJson.put(name, p.toJson()));
        return JsonFields.of("exampleShape", exampleShape, "type", type, "classes", classNames, "splits", splitJson,
                "testInTrain", testInTrain, "validationInTrain", validationInTrain,
                "seconds", seconds, "features", features == null ? null : features.toJson());
    }

    /** A profile read back from {@link #toJson}'s fields. */
    public static DataProfile fromJson(Map<?, ?> json) {
        Map<String, SplitProfile> splits = new LinkedHashMap<>();
        ((Map<?, ?>) json.get("splits")).forEach((k, v) -> splits.put(String.valueOf(k), SplitProfile.fromJson((Map<?, ?>) v)));
        Object features = json.get("features");
        return new DataProfile(SplitProfile.longs(json.get("exampleShape")), String.valueOf(json.get("type")),
                ((List<?>) json.get("classes")).stream().map(String::valueOf).toList(), splits,
                ((Number) json.get("testInTrain")).longValue(), ((Number) json.get("validationInTrain")).longValue(),
                features == null ? null : FeatureSample.fromJson((Map<?, ?>) features),
                json.get("seconds") instanceof Number n ? n.doubleValue() : Double.NaN);
    }

    /** The most bytes a {@value #FILE} may have; a larger one is refused unread. */
    static final long MAX_FILE_BYTES = 64L << 20;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** The profile as the bytes of {@value #FILE}. */
    public byte[] toJsonBytes() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The profile in {@code file}, or empty when there is none.
     *
     * @throws dev.graft.spi.DataException when the file is over {@link #MAX_FILE_BYTES} or not a profile
     */
    public static java.util.Optional<DataProfile> read(java.nio.file.Path file) {
        if (!java.nio.file.Files.isRegularFile(file)) {
            return java.util.Optional.empty();
        }
        try {
            long size = java.nio.file.Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new dev.graft.spi.DataException("profile: '" + file + "' has " + size + " bytes; expected at most "
                        + MAX_FILE_BYTES + "; publish the version again to write a new profile");
            }
            return java.util.Optional.of(fromJson(JSON.readValue(file.toFile(), Map.class)));
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof dev.graft.spi.DataException d) {
                throw d;
            }
            throw new dev.graft.spi.DataException("profile: cannot read '" + file + "' (" + e.getMessage()
                    + "); expected the profile.json a publish writes; publish the version again to write a new one", e);
        }
    }

    /** Builds the profile of the three splits as {@link Tensors} fills them. Not thread-safe. */
    static final class Builder {

        private final long[] exampleShape;
        private final List<String> classNames;
        private final Map<String, SplitProfile.Builder> splits = new LinkedHashMap<>();

        Builder(long[] exampleShape, List<String> classNames) {
            this.exampleShape = exampleShape.clone();
            this.classNames = classNames;
        }

        /** The collector of one split, made on first use. */
        SplitProfile.Builder split(String name) {
            int channels = exampleShape.length == 3 ? (int) exampleShape[0] : 1;
            return splits.computeIfAbsent(name, n -> new SplitProfile.Builder(classNames.size(), channels));
        }

        DataProfile build() {
            int length = (int) Arrays.stream(exampleShape).reduce(1, (a, b) -> a * b);
            Map<String, SplitProfile> built = new LinkedHashMap<>();
            splits.forEach((name, b) -> built.put(name, b.build(length)));
            SplitProfile.Builder train = splits.get("train");
            long testInTrain = splits.containsKey("test") ? train.shared(splits.get("test")) : 0;
            long validationInTrain = splits.containsKey("validation") ? train.shared(splits.get("validation")) : 0;
            long nanos = splits.values().stream().mapToLong(SplitProfile.Builder::nanos).sum();
            return new DataProfile(exampleShape, "float32", classNames, built, testInTrain, validationInTrain, null,
                    nanos / 1e9);
        }
    }
}
