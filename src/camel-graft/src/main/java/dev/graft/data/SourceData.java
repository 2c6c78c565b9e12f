package dev.graft.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a reader found in the files.
 *
 * @param train      the training examples (all examples when the files have no separate test split)
 * @param test       the examples of the files' own test split; null when there is none
 * @param classNames one name per original label, in label order
 * @param files      every file read, for the checksum
 * @param locator    where an example was read, for messages
 * @param records    decodes the examples one by one when they were only listed ({@link RawExamples#listed}); else
 *                   null
 */
record SourceData(RawExamples train, RawExamples test, List<String> classNames, List<Path> files, Locator locator,
                  RecordSource records) {

    /** Decoded examples. */
    SourceData(RawExamples train, RawExamples test, List<String> classNames, List<Path> files, Locator locator) {
        this(train, test, classNames, files, locator, null);
    }

    /** Decodes one listed example: thread-safe, each call independent of the others. */
    @FunctionalInterface
    interface RecordSource {
        /**
         * The raw values (pixels 0-255, channels first) of example {@code index} of the train ({@code test} false)
         * or test split.
         *
         * @throws dev.graft.spi.DataException when the file is corrupt, of another size or kind, or hostile
         */
        float[] decode(boolean test, int index);

        /** The records as files another machine can read under their data root, or empty (the default). */
        default java.util.Optional<RecordFiles> files() {
            return java.util.Optional.empty();
        }
    }

    /** Says where one example was read: a file and its line, index or entry. */
    @FunctionalInterface
    interface Locator {
        /**
         * Where example {@code index} of the train ({@code test} false) or test split came from, such as
         * {@code 'data.csv' line 23}.
         */
        String where(boolean test, int index);
    }

    /** Labels above this are refused: a one-hot row per example would not fit in memory. */
    static final int MAX_LABEL = 65_535;

    SourceData {
        classNames = List.copyOf(classNames);
        files = List.copyOf(files);
    }

    /** Names "0", "1", ... up to the largest label found in either split, for files whose labels are numbers. */
    static List<String> numericNames(RawExamples train, RawExamples test) {
        int max = -1;
        for (RawExamples examples : test == null ? List.of(train) : List.of(train, test)) {
            for (int label : examples.labels()) {
                max = Math.max(max, label);
            }
        }
        List<String> names = new ArrayList<>(max + 1);
        for (int i = 0; i <= max; i++) {
            names.add(Integer.toString(i));
        }
        return names;
    }
}
