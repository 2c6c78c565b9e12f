package dev.graft.spi;

import java.util.List;

/**
 * The data set of one run, split for training.
 *
 * @param train        training examples
 * @param validation   held-out examples checked after each epoch; null when no validation fraction was asked
 * @param test         examples for the final evaluation
 * @param classNames   one name per output class, in label order (after any remapping)
 * @param exampleShape the shape of one example: {channels, height, width} or {features}
 * @param sha256       SHA-256 of the bytes read, hex; identifies the data in metadata and caches
 * @param source       where the data came from, as the route wrote it (or the trigger file)
 * @param examplesRead examples decoded from the files before the class filter and limits; at least the
 *                     number kept in the splits
 * @param input        how raw inputs become these examples (shape, channels, resize, preprocessing, class names),
 *                     recorded at publish and applied by prediction; null when the source did not say
 */
public record DataSplits(LabeledSet train, LabeledSet validation, LabeledSet test, List<String> classNames,
                         long[] exampleShape, String sha256, String source, long examplesRead, InputContract input) {

    public DataSplits {
        classNames = List.copyOf(classNames);
        exampleShape = exampleShape.clone();
        examplesRead = Math.max(examplesRead, (long) train.size() + (validation == null ? 0 : validation.size())
                + test.size());
    }

    /** Splits without an input contract. */
    public DataSplits(LabeledSet train, LabeledSet validation, LabeledSet test, List<String> classNames,
                      long[] exampleShape, String sha256, String source, long examplesRead) {
        this(train, validation, test, classNames, exampleShape, sha256, source, examplesRead, null);
    }

    /** Splits whose files held exactly the examples kept (nothing filtered out). */
    public DataSplits(LabeledSet train, LabeledSet validation, LabeledSet test, List<String> classNames,
                      long[] exampleShape, String sha256, String source) {
        this(train, validation, test, classNames, exampleShape, sha256, source, 0);
    }

    /** Examples in the train, validation and test splits together. */
    public long examplesUsed() {
        return (long) train.size() + (validation == null ? 0 : validation.size()) + test.size();
    }

    public int numClasses() {
        return classNames.size();
    }

    @Override
    public long[] exampleShape() {
        return exampleShape.clone();
    }
}
