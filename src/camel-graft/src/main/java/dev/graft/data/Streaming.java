package dev.graft.data;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataSplits;
import dev.graft.spi.InputContract;
import dev.graft.spi.LabeledSet;
import java.util.LinkedHashSet;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The rule for streaming, and the splits of a streamed data set. An image folder, an image zip on the local disk
 * (read in place, see {@link ZipView}), several of them ({@link Shards}), CSV files ({@link CsvRecords}) and raw IDX
 * files ({@link IdxRecords}) stream when {@code stream=true}, or with {@code stream=auto} (the default) when their
 * decoded examples, 4 bytes a value, would exceed {@code memoryBudget}: every set that fits is read into memory
 * exactly as before.
 */
final class Streaming {

    private Streaming() {
    }

    /**
     * Whether the listed records stream.
     *
     * @param folder whether the source stays where it is for the run: a folder, image zip or CSV file of the user's (a
     *               download, a classpath resource or the files extracted from a zip live in temporary files, deleted
     *               when fetch-dataset returns, so they cannot stream)
     * @throws ConfigurationException when {@code stream=true} asks to stream a source that cannot
     */
    static boolean streams(FetchSpec spec, SourceData listed, boolean folder, String label) {
        StreamSettings.Mode mode = spec.stream().mode();
        long examples = (long) listed.train().size() + (listed.test() == null ? 0 : listed.test().size());
        long bytes = examples * listed.train().exampleLength() * Float.BYTES;
        boolean wanted = mode == StreamSettings.Mode.TRUE
                || (mode == StreamSettings.Mode.AUTO && bytes > spec.budget().memoryBytes());
        if (wanted && !folder) {
            if (mode == StreamSettings.Mode.TRUE) {
                throw new ConfigurationException(DatasetLoader.STEP + ": option 'stream' has a bad value 'true' for"
                        + " '" + label + "'; expected a source that stays on the local disk for the run: a download, a "
                        + "classpath resource and the CSV or IDX files of a zip live in temporary files deleted when "
                        + "fetch-dataset returns; copy (or unzip) it to a local folder and set source to it");
            }
            return false; // read into memory as before, which checks the memory budget
        }
        return wanted;
    }

    /** The splits of a listed data set, each streaming its examples from their records. */
    static DatasetLoader.Profiled splits(FetchSpec spec, SourceData source, ClassSelection selection,
                                         InputContract contract, int[] trainRows, int[] validationRows,
                                         int[] testRows, String sha, String label) {
        long[] shape = source.train().exampleShape();
        Set<String> names = new LinkedHashSet<>();
        names.add("train");
        if (validationRows != null) {
            names.add("validation");
        }
        names.add("test");
        StreamProfile profile = new StreamProfile(new DataProfile.Builder(shape, selection.classNames()), names);
        boolean testFiles = source.test() != null;
        RawExamples testSource = testFiles ? source.test() : source.train();
        DataSplits data = new DataSplits(
                set(spec, source, false, source.train(), trainRows, selection, contract, profile, "train"),
                validationRows == null ? null
                        : set(spec, source, false, source.train(), validationRows, selection, contract, profile,
                        "validation"),
                set(spec, source, testFiles, testSource, testRows, selection, contract, profile, "test"),
                selection.classNames(), shape, sha, label,
                (long) source.train().size() + (testFiles ? source.test().size() : 0), contract);
        return new DatasetLoader.Profiled(data, null, profile);
    }

    private static LabeledSet set(FetchSpec spec, SourceData source, boolean test, RawExamples examples, int[] rows,
                                  ClassSelection selection, InputContract contract, StreamProfile profile,
                                  String split) {
        int classes = selection.numClasses();
        int[] labels = new int[rows.length];
        float[] oneHot = new float[Math.multiplyExact(rows.length, classes)];
        for (int i = 0; i < rows.length; i++) {
            labels[i] = selection.newLabel()[examples.labels()[rows[i]]];
            oneHot[i * classes + labels[i]] = 1f;
        }
        PrefetchStream stream = new PrefetchStream(source.records(), source.locator(), test, rows, labels,
                examples.exampleShape(), contract.preprocess(), spec.stream(), profile, split);
        return LabeledSet.streamed(stream, Nd4j.create(oneHot, new long[] {rows.length, classes}, DataType.FLOAT));
    }
}
