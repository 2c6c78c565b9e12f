package dev.graft.data;

import java.nio.file.Path;

/** The files of a data set once its format is known, and how to read them. */
sealed interface Layout permits Layout.Idx, Layout.Csv, Layout.Images {

    /** Reads every example the layout names, taking memory from {@code meter} before allocating it. */
    SourceData read(FetchSpec spec, DataRoot root, BudgetMeter meter);

    /** IDX images and labels files; the test pair is null when the files have no test split. */
    record Idx(Path trainImages, Path trainLabels, Path testImages, Path testLabels) implements Layout {

        @Override
        public SourceData read(FetchSpec spec, DataRoot root, BudgetMeter meter) {
            return IdxReader.read(this, root, meter);
        }
    }

    /** A training CSV file and an optional (null) test CSV file. */
    record Csv(Path train, Path test) implements Layout {

        @Override
        public SourceData read(FetchSpec spec, DataRoot root, BudgetMeter meter) {
            return CsvReader.read(this, spec.labelColumn(), root, meter);
        }
    }

    /** A folder of class sub-folders for training and an optional (null) one for test. */
    record Images(Path train, Path test) implements Layout {

        @Override
        public SourceData read(FetchSpec spec, DataRoot root, BudgetMeter meter) {
            return ImageFolderReader.read(this, spec, root, meter);
        }
    }
}
