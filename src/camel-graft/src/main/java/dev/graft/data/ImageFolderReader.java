package dev.graft.data;

import dev.graft.data.image.DecodedImage;
import dev.graft.data.image.ImageDecoder;
import dev.graft.data.image.Resampling;
import dev.graft.spi.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a folder with one sub-folder of images per class (classes sorted by folder name become labels
 * 0..k-1). Every image becomes 1 or 3 channels of values 0-255 as {@link InputSpec#channels()} says (alpha is
 * ignored; see {@link ImageDecoder}), resized bilinearly to the requested size: stretched to fetch-dataset's
 * height and width, or to {@code resize} stretched or centre-cropped. Examples are channels first, {@code [C, H, W]}.
 * Hidden files and files beside the class folders (a README) are skipped.
 */
final class ImageFolderReader {

    static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

    private ImageFolderReader() {
    }

    static boolean hasImageExtension(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    /**
     * Reads the layout's images, class folders and the files in each in sorted name order, so a run never depends
     * on the order the file system lists them in.
     *
     * Images are resized to {@code resize}, else to fetch-dataset's height and width (stretched); with neither, the
     * first image's size holds for all and another size is an error.
     */
    static SourceData read(Layout.Images layout, FetchSpec spec, DataRoot root, BudgetMeter meter) {
        List<Path> classFolders = Listing.folders(layout.train(), root);
        List<String> classNames = classFolders.stream().map(p -> p.getFileName().toString()).toList();
        Collector collector = new Collector(target(spec), root, meter);
        for (int label = 0; label < classFolders.size(); label++) {
            collector.addFolder(classFolders.get(label), label);
        }
        RawExamples train = collector.examples();
        List<Path> trainFiles = List.copyOf(collector.files);
        List<Path> files = new ArrayList<>(trainFiles);
        RawExamples test = null;
        List<Path> testFiles = List.of();
        if (layout.test() != null) {
            Collector testCollector = new Collector(collector.target, root, meter);
            testCollector.first = collector.first;
            for (Path folder : Listing.folders(layout.test(), root)) {
                int label = testLabel(folder, classNames, root, layout);
                testCollector.addFolder(folder, label);
            }
            test = testCollector.examples();
            testFiles = List.copyOf(testCollector.files);
            files.addAll(testFiles);
        }
        List<Path> testList = testFiles;
        SourceData.Locator locator = (inTest, index) -> "'" + root.name((inTest ? testList : trainFiles).get(index))
                + "'";
        return new SourceData(train, test, classNames, files, locator);
    }

    /** One data set of several that are read as one (see {@link Shards}): its layout and how its files are named. */
    record Shard(Layout.Images layout, DataRoot root, String label) {
    }

    /**
     * Lists the layout's images as records without decoding them, in the order, with the labels and the checks of
     * {@link #read}; only the first training image is decoded, to fix the size and channels as {@link #read} does.
     * The records decode exactly as {@link #read} would (the same decoder, resize and channel rules), on any thread.
     */
    static SourceData list(Layout.Images layout, FetchSpec spec, DataRoot root, BudgetMeter meter) {
        return list(List.of(new Shard(layout, root, root.label() == null ? layout.train().toString() : root.label())),
                spec, meter);
    }

    /**
     * Lists the images of several shards as one record list: the shards in the given order, each as {@link #list}
     * lists one. Every shard must hold the same class folders (labels follow the sorted names), and either all or
     * none of them a test split.
     *
     * @throws DataException when a shard's class folders differ from the first shard's, naming both, or when only
     *                       some shards have a test split
     */
    static SourceData list(List<Shard> shards, FetchSpec spec, BudgetMeter meter) {
        Shard firstShard = shards.get(0);
        List<String> classNames = Listing.folders(firstShard.layout().train(), firstShard.root()).stream()
                .map(p -> p.getFileName().toString()).toList();
        List<Path> trainFiles = new ArrayList<>();
        List<Integer> trainLabels = new ArrayList<>();
        List<DataRoot> trainRoots = new ArrayList<>();
        List<Path> testFiles = new ArrayList<>();
        List<Integer> testLabels = new ArrayList<>();
        List<DataRoot> testRoots = new ArrayList<>();
        boolean hasTest = firstShard.layout().test() != null;
        for (Shard shard : shards) {
            Layout.Images layout = shard.layout();
            DataRoot root = shard.root();
            List<Path> classFolders = Listing.folders(layout.train(), root);
            List<String> names = classFolders.stream().map(p -> p.getFileName().toString()).toList();
            if (!names.equals(classNames)) {
                throw new DataException(DatasetLoader.STEP + ": shard '" + shard.label() + "' has the classes "
                        + names + "; expected the classes " + classNames + " of shard '" + firstShard.label()
                        + "': every shard must hold the same class folders; add the missing ones or leave the shard"
                        + " out of source");
            }
            if ((layout.test() != null) != hasTest) {
                Shard with = hasTest ? firstShard : shard;
                Shard without = hasTest ? shard : firstShard;
                throw new DataException(DatasetLoader.STEP + ": shard '" + without.label() + "' has no test/ folder"
                        + " but shard '" + with.label() + "' has one; expected all shards or none to hold a test"
                        + " split");
            }
            for (int label = 0; label < classFolders.size(); label++) {
                listFolder(classFolders.get(label), label, root, meter, trainFiles, trainLabels);
            }
            while (trainRoots.size() < trainFiles.size()) {
                trainRoots.add(root);
            }
            if (layout.test() != null) {
                for (Path folder : Listing.folders(layout.test(), root)) {
                    int label = testLabel(folder, classNames, root, layout);
                    listFolder(folder, label, root, meter, testFiles, testLabels);
                }
                while (testRoots.size() < testFiles.size()) {
                    testRoots.add(root);
                }
            }
        }
        Collector first = new Collector(target(spec), trainRoots.isEmpty() ? firstShard.root() : trainRoots.get(0),
                meter);
        if (!trainFiles.isEmpty()) {
            first.pixels(trainFiles.get(0));
        }
        Target fixed = first.target;
        Path firstFile = first.first;
        List<Path> trainList = List.copyOf(trainFiles);
        List<Path> testList = List.copyOf(testFiles);
        List<DataRoot> trainRootList = List.copyOf(trainRoots);
        List<DataRoot> testRootList = List.copyOf(testRoots);
        List<Path> files = new ArrayList<>(trainList);
        files.addAll(testList);
        // one local folder only: a zip's entries, a download's temporary folder or several shards are read here
        DataRoot only = firstShard.root();
        RecordFiles remote = shards.size() != 1 || only.base() != null || firstFile == null
                || firstFile.getFileSystem() != java.nio.file.FileSystems.getDefault() ? null
                : RecordFiles.of(firstShard.layout().train(), firstShard.layout().test(), trainList, testList,
                pixels(fixed, firstFile, only, meter.budget()));
        SourceData.RecordSource records = new SourceData.RecordSource() {
            @Override
            public float[] decode(boolean test, int index) {
                Collector one = new Collector(fixed, (test ? testRootList : trainRootList).get(index), meter);
                one.first = firstFile;
                one.firstName = first.firstName;
                return one.pixels((test ? testList : trainList).get(index));
            }

            @Override
            public java.util.Optional<RecordFiles> files() {
                return java.util.Optional.ofNullable(remote);
            }
        };
        SourceData.Locator locator = (inTest, index) -> "'" + (inTest ? testRootList : trainRootList).get(index)
                .name((inTest ? testList : trainList).get(index)) + "'";
        return new SourceData(RawExamples.listed(ints(trainLabels), fixed.shape()),
                hasTest ? RawExamples.listed(ints(testLabels), fixed.shape()) : null, classNames, files,
                locator, records);
    }

    /** The decoding rules of {@code fixed} for another machine ({@link RecordFiles}). */
    private static RecordFiles.Pixels pixels(Target fixed, Path first, DataRoot root, ReadBudget budget) {
        return new RecordFiles.Pixels(fixed.height(), fixed.width(), fixed.resize(), fixed.centerCrop(),
                fixed.requested(), fixed.channels(), root.name(first), budget.maxImageSide(), budget.maxImagePixels(),
                budget.memoryBytes());
    }

    /**
     * Decodes every record of a listed data set into memory, in order, exactly as a stream over it would: the
     * in-memory path of several shards, so both paths hold the same examples.
     */
    static SourceData decodeAll(SourceData listed, BudgetMeter meter, String label) {
        RawExamples train = decodeSplit(listed, false, listed.train(), meter, label);
        RawExamples test = listed.test() == null ? null : decodeSplit(listed, true, listed.test(), meter, label);
        return new SourceData(train, test, listed.classNames(), listed.files(), listed.locator());
    }

    private static RawExamples decodeSplit(SourceData listed, boolean test, RawExamples examples, BudgetMeter meter,
                                           String label) {
        ExampleStore store = new ExampleStore(examples.exampleLength(), meter, label);
        for (int i = 0; i < examples.size(); i++) {
            int index = i;
            store.add(listed.records().decode(test, i), examples.labels()[i], i,
                    () -> listed.locator().where(test, index));
        }
        return store.toRawExamples(examples.exampleShape());
    }

    private static void listFolder(Path folder, int label, DataRoot root, BudgetMeter meter, List<Path> files,
                                   List<Integer> labels) {
        for (Path entry : Listing.children(folder, root)) {
            if (Files.isDirectory(entry)) {
                throw new DataException(DatasetLoader.STEP + ": unexpected folder in a class folder '"
                        + root.name(entry) + "'; expected only image files (" + String.join(", ", EXTENSIONS)
                        + ") inside each class folder");
            }
            meter.reserveExamples(1, root.name(folder.getParent()), () -> "example " + (files.size() + 1L) + " at '"
                    + root.name(entry) + "'");
            files.add(entry);
            labels.add(label);
        }
    }

    private static int[] ints(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The images' target as the route asks for it, before the first image fixes what it leaves open. */
    private static Target target(FetchSpec spec) {
        InputSpec input = spec.input();
        boolean resize = input.resizes() || spec.height() > 0;
        int height = input.resizes() ? input.resizeHeight() : spec.height();
        int width = input.resizes() ? input.resizeWidth() : spec.width();
        return new Target(height, width, resize, input.resizes() && input.centerCrop(), input.channels(),
                input.channels());
    }

    /**
     * What every image of a data set becomes; height, width and channels 0 until the first image fixes them.
     *
     * @param requested 1, 3 or {@link ImageDecoder#AUTO}, as the route asked
     * @param channels  1 or 3; {@link ImageDecoder#AUTO} until the first image is read
     */
    private record Target(int height, int width, boolean resize, boolean centerCrop, int requested, int channels) {

        Target fixedBy(DecodedImage image) {
            return new Target(height == 0 ? image.height() : height, width == 0 ? image.width() : width, resize,
                    centerCrop, requested, image.channels());
        }

        long[] shape() {
            return new long[] {channels == ImageDecoder.AUTO ? 1 : channels, height, width};
        }
    }

    /** Accumulates the pixels of one split; fixes the size and channels from the first image when none was asked for. */
    private static final class Collector {
        private final DataRoot root;
        private final BudgetMeter meter;
        private final List<Path> files = new ArrayList<>();
        private ExampleStore store;
        private Target target;
        private Path first;
        private String firstName;

        Collector(Target target, DataRoot root, BudgetMeter meter) {
            this.target = target;
            this.root = root;
            this.meter = meter;
        }

        void addFolder(Path folder, int label) {
            for (Path entry : Listing.children(folder, root)) {
                if (Files.isDirectory(entry)) {
                    throw new DataException(DatasetLoader.STEP + ": unexpected folder in a class folder '"
                            + root.name(entry) + "'; expected only image files (" + String.join(", ", EXTENSIONS)
                            + ") inside each class folder");
                }
                float[] pixels = pixels(entry);
                if (store == null) {
                    store = new ExampleStore(pixels.length, meter, root.name(folder.getParent()));
                }
                store.add(pixels, label, files.size(), () -> "'" + root.name(entry) + "'");
                files.add(entry);
            }
        }

        private float[] pixels(Path file) {
            DecodedImage image = channels(decode(file), file);
            if (first == null) {
                target = target.fixedBy(image);
                first = file;
                firstName = root.name(file);
            }
            if (image.height() == target.height() && image.width() == target.width()) {
                return image.pixels();
            }
            if (!target.resize()) {
                throw new DataException(DatasetLoader.STEP + ": image of another size '" + root.name(file) + "' is "
                        + image.height() + "x" + image.width() + " (height x width); expected " + target.height() + "x"
                        + target.width() + " like '" + firstName + "'; set height and width (or resize=WxH) to "
                        + "resize every image");
            }
            return Resampling.resize(image, target.height(), target.width(), target.centerCrop()).pixels();
        }

        /** With channels=auto, a grey image in a colour set is replicated; a colour one in a grey set is an error. */
        private DecodedImage channels(DecodedImage image, Path file) {
            if (first == null || target.requested() != ImageDecoder.AUTO || image.channels() == target.channels()) {
                return image;
            }
            if (image.channels() == 1) {
                return image.toRgb();
            }
            throw new DataException(DatasetLoader.STEP + ": colour image '" + root.name(file) + "' in a data set whose"
                    + " first image '" + firstName + "' is grey (channels=auto); expected images of one kind; "
                    + "set channels=3 to read all as RGB, or channels=1 to read all as grey");
        }

        /** Decodes one image after its header passed the size limits (see {@link ImageDecoder}). */
        private DecodedImage decode(Path file) {
            String expected = "expected image files ending in " + String.join(", ", EXTENSIONS)
                    + " inside class folders (hidden files are skipped)";
            if (!hasImageExtension(file)) {
                throw new DataException(DatasetLoader.STEP + ": not an image file '" + root.name(file) + "'; "
                        + expected);
            }
            ReadBudget budget = meter.budget();
            ImageDecoder.Limits limits = new ImageDecoder.Limits(budget.maxImageSide(), budget.maxImagePixels(),
                    budget.memoryBytes(), "options maxImageSide, maxImagePixels", "raise them to read it");
            if (ZipView.isEntry(file)) {
                // an entry of a zip read in place: its declared size is checked before its bytes are held
                byte[] bytes = ZipView.read(file, root.name(file), budget.memoryBytes() / 16,
                        "a sixteenth of option memoryBudget");
                StreamCounters.read(bytes.length);
                return ImageDecoder.decode(bytes, DatasetLoader.STEP, root.name(file), expected, target.requested(),
                        limits);
            }
            DecodedImage image = ImageDecoder.decode(file, DatasetLoader.STEP, root.name(file), expected,
                    target.requested(), limits);
            StreamCounters.read(size(file));
            return image;
        }

        RawExamples examples() {
            if (store == null) {
                return new RawExamples(new float[0], new int[0], target.shape());
            }
            return store.toRawExamples(target.shape());
        }
    }

    /** The size of a file just decoded, for the bytes-read counter; 0 when it cannot be read again. */
    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            return 0; // the file decoded a moment ago; a count a few bytes short is no reason to fail the run
        }
    }

    /** Stretches one plane bilinearly (see {@link Resampling#resizeBilinear}). */
    static float[] resizeBilinear(float[] src, int srcH, int srcW, int dstH, int dstW) {
        return Resampling.resizeBilinear(src, srcH, srcW, dstH, dstW);
    }

    /** The label of a test class folder: the index of the training folder of the same name. */
    private static int testLabel(Path folder, List<String> classNames, DataRoot root, Layout.Images layout) {
        int label = classNames.indexOf(folder.getFileName().toString());
        if (label < 0) {
            throw new DataException(DatasetLoader.STEP + ": test class folder '" + root.name(folder)
                    + "' has no training folder; expected one of " + classNames + " as in '"
                    + root.name(layout.train()) + "'");
        }
        return label;
    }
}
