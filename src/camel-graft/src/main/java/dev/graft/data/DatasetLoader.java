package dev.graft.data;

import dev.graft.spi.DataSplits;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import dev.graft.spi.InputContract;
import dev.graft.spi.TransientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Reads a data set described by a {@link FetchSpec} into train, validation and test sets: into memory, or as
 * record lists that stream (see {@link Streaming}); a local folder, zip or several of them ({@link Shards}).
 * Temporary files (downloads, extracted archives) are deleted before {@link #load} returns; a streamed local zip
 * stays open, read in place, until its data set is unreachable.
 */
public final class DatasetLoader {

    /** The step name that prefixes every message. */
    static final String STEP = "fetch-dataset";
    /** Mixed into the seed of the stratified limit sample, so it does not replay the split shuffle's numbers. */
    private static final long SAMPLE_SALT = 0x6A09E667F3BCC909L;

    private DatasetLoader() {
    }

    /**
     * Reads, filters, limits, scales and splits the data of {@code spec}, and records the SHA-256 of the files
     * read: of the single file for a .zip, .csv, download or classpath resource; for a folder, of its files in
     * sorted relative-path order, names included.
     *
     * @param triggerFile the file that started the run, used when the source is {@code trigger}; may be null
     * @throws ConfigurationException when the source does not exist, no layout fits, or an option does not fit the data
     * @throws DataException          when the files are empty, truncated, corrupt or hostile (a zip bomb, a header
     *                                declaring more than is present or than {@link FetchSpec#budget()} allows), a
     *                                label lies outside the requested classes, or a split ends up empty
     * @throws TransientException     when a download fails in a way that may pass
     */
    public static DataSplits load(FetchSpec spec, Path triggerFile) {
        return loadProfiled(spec, triggerFile).data();
    }

    /**
     * The data set and its profile, computed while the examples were copied; for a streamed data set the profile is
     * null and {@code streamed} builds it as the first pass over each split reads the examples.
     */
    public record Profiled(DataSplits data, DataProfile profile, StreamProfile streamed) {
        public Profiled(DataSplits data, DataProfile profile) {
            this(data, profile, null);
        }
    }

    /** As {@link #load}, with the data set's {@link DataProfile}. */
    public static Profiled loadProfiled(FetchSpec spec, Path triggerFile) {
        Objects.requireNonNull(spec, "spec");
        if (Shards.isMany(spec.source())) {
            return loadShards(spec);
        }
        try (ScratchDir scratch = ScratchDir.create()) {
            DataSource.Local local = DataSource.resolve(STEP, spec.source(), triggerFile, scratch, spec.budget());
            Path data = local.path();
            DataRoot root = local.root();
            refuseEmpty(data, local.label());
            String singleFileSha = Files.isRegularFile(data) ? Sha256.ofFile(data, root) : null;
            boolean inScratch = root.base() != null; // a download or classpath copy, deleted when this returns
            if (SafeZip.isZip(data) && !inScratch && spec.stream().mode() != StreamSettings.Mode.FALSE) {
                Profiled streamed = streamZip(spec, data, local.label(), singleFileSha);
                if (streamed != null) {
                    return streamed;
                }
            }
            if (SafeZip.isZip(data)) {
                Path extracted = scratch.folder("unzipped");
                SafeZip.extract(data, local.label(), extracted, spec.budget());
                root = new DataRoot(extracted, local.label());
                data = SafeZip.contentRoot(extracted, root);
            }
            Layout layout = LayoutDetector.detect(data, spec.format(), root);
            if (layout instanceof Layout.Images images && spec.stream().mode() != StreamSettings.Mode.FALSE) {
                SourceData listed = Shapes.reshape(ImageFolderReader.list(images, spec, root,
                        new BudgetMeter(spec.budget())), spec);
                if (Streaming.streams(spec, listed, singleFileSha == null && !inScratch, local.label())) {
                    return split(spec, listed, Sha256.ofFiles(data, listed.files(), root), local.label());
                }
            }
            if (!(layout instanceof Layout.Images) && spec.stream().mode() != StreamSettings.Mode.FALSE) {
                boolean stays = !inScratch && !SafeZip.isZip(local.path()); // not extracted into the scratch folder
                Profiled streamed = streamRows(spec, layout, root, stays, local.label(), data, singleFileSha);
                if (streamed != null) {
                    return streamed;
                }
            }
            SourceData source = Shapes.reshape(ClassNames.named(layout.read(spec, root, new BudgetMeter(spec.budget())),
                    layout, local.label()), spec);
            if (!(layout instanceof Layout.Images)) {
                countRead(source.files()); // an image reader counts each image as it decodes it
            }
            String sha = singleFileSha != null ? singleFileSha : Sha256.ofFiles(data, source.files(), root);
            return split(spec, source, sha, local.label());
        }
    }

    /**
     * Streams an image zip from its entries when {@link Streaming#streams} says so; null (the zip closed again) when it
     * holds another layout or fits in memory, to be extracted and read as before.
     */
    private static Profiled streamZip(FetchSpec spec, Path zip, String label, String sha) {
        ZipView view = ZipView.open(zip, label, spec.budget());
        try {
            Layout layout = LayoutDetector.detect(view.content(), spec.format(), view.root());
            if (layout instanceof Layout.Images images) {
                SourceData listed = Shapes.reshape(ImageFolderReader.list(images, spec, view.root(),
                        new BudgetMeter(spec.budget())), spec);
                if (Streaming.streams(spec, listed, true, label)) {
                    view.closeWhenUnreachable(listed.records());
                    view = null;
                    return split(spec, listed, sha, label);
                }
            }
            return null;
        } finally {
            if (view != null) {
                view.close();
            }
        }
    }

    /**
     * Streams CSV rows or raw IDX images from their offsets when {@link Streaming#streams} says so; null when they are
     * read into memory as before: they fit, a gzipped IDX file or a CSV record spanning lines cannot be cut into
     * records with {@code stream=auto}, or a CSV file is too small to exceed the budget whatever it holds.
     */
    private static Profiled streamRows(FetchSpec spec, Layout layout, DataRoot root, boolean stays, String label,
                                       Path data, String singleFileSha) {
        boolean wanted = spec.stream().mode() == StreamSettings.Mode.TRUE;
        if (layout instanceof Layout.Idx idx && IdxRecords.gzipped(idx)) {
            if (wanted) {
                throw IdxRecords.cannotStreamGzip(idx, root);
            }
            return null;
        }
        // a value takes at least two characters (a digit and a comma) and 4 bytes decoded: no index pass is needed
        if (!wanted && layout instanceof Layout.Csv csv && 2 * csvBytes(csv) <= spec.budget().memoryBytes()) {
            return null;
        }
        OpenFiles files = new OpenFiles();
        try {
            BudgetMeter meter = new BudgetMeter(spec.budget());
            SourceData listed = layout instanceof Layout.Idx idx ? IdxRecords.list(idx, root, meter, files)
                    : CsvRecords.list((Layout.Csv) layout, spec.labelColumn(), root, meter, files, wanted);
            if (listed == null) {
                if (wanted) {
                    throw new ConfigurationException(STEP + ": option 'stream' has a bad value 'true' for '" + label
                            + "'; expected a CSV file with one record a line: a quoted field holds a line break, so "
                            + "rows cannot be found by their line starts; set stream=false, or remove the line breaks");
                }
                return null;
            }
            listed = Shapes.reshape(ClassNames.named(listed, layout, label), spec);
            if (!Streaming.streams(spec, listed, stays, label)) {
                return null;
            }
            files.closeWhenUnreachable(listed.records());
            String sha = singleFileSha != null ? singleFileSha : Sha256.ofFiles(data, listed.files(), root);
            Profiled streamed = split(spec, listed, sha, label);
            files = null;
            return streamed;
        } finally {
            if (files != null) {
                files.close();
            }
        }
    }

    private static long csvBytes(Layout.Csv csv) {
        try {
            return Files.size(csv.train()) + (csv.test() == null ? 0 : Files.size(csv.test()));
        } catch (java.io.IOException e) {
            return Long.MAX_VALUE / 4; // unreadable: the index pass reports it, naming the file
        }
    }

    /** Reads the shards a glob or comma list names as one data set, streamed or in memory (see {@link Shards}). */
    private static Profiled loadShards(FetchSpec spec) {
        List<Path> paths = Shards.paths(spec.source());
        List<ZipView> views = new ArrayList<>();
        boolean kept = false;
        try {
            List<ImageFolderReader.Shard> shards = new ArrayList<>();
            for (Path path : paths) {
                String label = path.toString();
                refuseEmpty(path, label);
                Path content = path;
                DataRoot root = DataRoot.local();
                if (SafeZip.isZip(path)) {
                    ZipView view = ZipView.open(path, label, spec.budget());
                    views.add(view);
                    content = view.content();
                    root = view.root();
                } else if (!Files.isDirectory(path)) {
                    throw new ConfigurationException(STEP + ": shard is neither a folder nor a zip '" + label
                            + "' in source '" + spec.source() + "'; expected image folders or zips of them");
                }
                Layout layout = LayoutDetector.detect(content, spec.format(), root);
                if (!(layout instanceof Layout.Images images)) {
                    throw new ConfigurationException(STEP + ": shard '" + label + "' holds a "
                            + (layout instanceof Layout.Csv ? "CSV" : "IDX") + " data set; expected "
                            + LayoutDetector.IMAGES_LAYOUT + ": only image folders and zips shard in this version; "
                            + "name one CSV or IDX source alone");
                }
                shards.add(new ImageFolderReader.Shard(images, root, label));
            }
            SourceData listed = Shapes.reshape(ImageFolderReader.list(shards, spec, new BudgetMeter(spec.budget())),
                    spec);
            String sha = Shards.sha(paths.stream().map(Path::toString).toList(), shas(paths, listed));
            if (Streaming.streams(spec, listed, true, spec.source())) {
                views.forEach(v -> v.closeWhenUnreachable(listed.records()));
                kept = true;
                return split(spec, listed, sha, spec.source());
            }
            SourceData decoded = ImageFolderReader.decodeAll(listed, new BudgetMeter(spec.budget()), spec.source());
            return split(spec, decoded, sha, spec.source());
        } finally {
            if (!kept) {
                views.forEach(ZipView::close);
            }
        }
    }

    /** Each shard's checksum: of the zip file, or of the folder's listed files as for a single folder. */
    private static List<String> shas(List<Path> paths, SourceData listed) {
        List<String> shas = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isRegularFile(path)) {
                shas.add(Sha256.ofFile(path, DataRoot.local()));
            } else {
                shas.add(Sha256.ofFiles(path, listed.files().stream()
                        .filter(f -> !ZipView.isEntry(f) && f.startsWith(path)).toList(), DataRoot.local()));
            }
        }
        return shas;
    }

    private static void countRead(List<Path> files) {
        for (Path file : files) {
            try {
                StreamCounters.read(Files.size(file));
            } catch (java.io.IOException e) {
                // read a moment ago; a bytes-read count left short is no reason to fail the run
            }
        }
    }

    /** A 0-byte file is bad data whatever its name: no reader can make a data set of it. */
    private static void refuseEmpty(Path data, String label) {
        try {
            if (Files.isRegularFile(data) && Files.size(data) == 0) {
                throw new DataException(STEP + ": empty file '" + label + "' (0 bytes); expected a data set: "
                        + LayoutDetector.ALL_LAYOUTS);
            }
        } catch (java.io.IOException e) {
            throw new DataException(STEP + ": cannot read '" + label + "'; expected a readable file: " + e, e);
        }
    }

    private static Profiled split(FetchSpec spec, SourceData source, String sha, String label) {
        ClassSelection selection = ClassNames.override(ClassSelection.of(spec.classes(), spec.remap(), source),
                spec.classNames());
        Random random = new Random(spec.seed());
        int[] trainRows = selection.keep(source.train());
        RawExamples testSource;
        int[] testRows;
        String testWhy;
        if (source.test() != null) {
            testSource = source.test();
            testRows = selection.keep(testSource);
            testWhy = "the test files hold no examples of the kept classes";
        } else {
            Splitter.Split split = Splitter.holdOut(trainRows, spec.testFraction(), random);
            testSource = source.train();
            testRows = split.heldOut();
            trainRows = split.kept();
            testWhy = "the data has no test files and testFraction " + spec.testFraction() + " of "
                    + (split.kept().length + split.heldOut().length) + " examples rounds to 0; raise testFraction";
        }
        if (spec.limitSample() == LimitSample.FIRST) {
            trainRows = Splitter.limit(trainRows, spec.trainLimit());
            testRows = Splitter.limit(testRows, spec.testLimit());
        } else {
            // its own generator, so the validation split below draws the same numbers whatever the limits do
            Random sampler = new Random(spec.seed() ^ SAMPLE_SALT);
            trainRows = Splitter.stratified(trainRows, source.train().labels(), spec.trainLimit(), sampler);
            testRows = Splitter.stratified(testRows, testSource.labels(), spec.testLimit(), sampler);
        }
        requireExamples("train", trainRows, "no training example of the kept classes");
        requireExamples("test", testRows, testWhy);
        int[] validationRows = null;
        if (spec.validationFraction() > 0) {
            Splitter.Split split = Splitter.holdOut(trainRows, spec.validationFraction(), random);
            requireExamples("validation", split.heldOut(), "validationFraction " + spec.validationFraction()
                    + " of " + trainRows.length + " training examples rounds to 0; raise validationFraction");
            requireExamples("train", split.kept(), "validationFraction " + spec.validationFraction() + " of "
                    + trainRows.length + " training examples leaves none for training; lower validationFraction");
            trainRows = split.kept();
            validationRows = split.heldOut();
        }
        RawExamples train = source.train();
        InputContract contract = Shapes.contract(spec, train.exampleShape(), selection.classNames());
        InputContract.Preprocess p = contract.preprocess();
        if (!train.decoded()) {
            return Streaming.splits(spec, source, selection, contract, trainRows, validationRows, testRows, sha,
                    label);
        }
        DataProfile.Builder profile = new DataProfile.Builder(train.exampleShape(), selection.classNames());
        DataSplits data = new DataSplits(
                Tensors.labeledSet(train, trainRows, selection, p, profile.split("train")),
                validationRows == null ? null
                        : Tensors.labeledSet(train, validationRows, selection, p, profile.split("validation")),
                Tensors.labeledSet(testSource, testRows, selection, p, profile.split("test")),
                selection.classNames(), train.exampleShape(), sha, label,
                (long) source.train().size() + (source.test() == null ? 0 : source.test().size()), contract);
        return new Profiled(data, profile.build());
    }

    private static void requireExamples(String split, int[] rows, String why) {
        if (rows.length == 0) {
            throw new DataException(STEP + ": empty split '" + split + "'; expected at least one example; " + why);
        }
    }
}
