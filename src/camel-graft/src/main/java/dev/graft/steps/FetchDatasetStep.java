package dev.graft.steps;

import dev.graft.metrics.RouteMetrics;
import dev.graft.data.DataFormat;
import dev.graft.data.DataProfile;
import dev.graft.spi.DataSplits;
import dev.graft.data.DatasetLoader;
import dev.graft.data.FetchSpec;
import dev.graft.data.LimitSample;
import dev.graft.data.ReadBudget;
import dev.graft.data.StreamSettings;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.RunContext;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads a labelled data set (IDX, CSV, image folders, or a zip of them) and splits it for training. */
public final class FetchDatasetStep extends BuiltInStep {

    static final String NAME = "fetch-dataset";
    static final String DEFAULT_SOURCE = "classpath:datasets/fashion-mnist-sample.zip";

    private static final String POSITIVE = "a positive number";
    private static final String NONE_OR_MORE = "0 or a positive number";

    static final OptionSpec<String> SOURCE = OptionSpec.string("source", DEFAULT_SOURCE, "Path, classpath:<resource>, "
            + "http(s) URL, 'trigger' for the file that started the run, or a glob or comma list of image folders and "
            + "zips read as one (shards); default: the embedded Fashion-MNIST sample.");
    static final OptionSpec<DataFormat> FORMAT = OptionSpec.oneOf("format", DataFormat.class, DataFormat.AUTO,
            "Data format; default auto-detects.");
    static final OptionSpec<List<Integer>> CLASSES = OptionSpec.parsed("classes", "classes", null,
            FetchDatasetStep::parseClasses, "Original labels to keep, e.g. 5-9 or 5,6,7; with remap they become 0..k-1 "
                    + "in this order; default all.");
    static final OptionSpec<List<String>> CLASS_NAMES = OptionSpec.parsed("classNames", "names", null,
            FetchDatasetStep::parseNames, "Names of the output classes in label order, comma-separated, e.g. "
                    + "sandal,shirt,sneaker,bag,boot; as many as the classes kept; default the folder names, "
                    + "Fashion-MNIST's names for an IDX source whose name contains 'fashion', else the labels.");
    static final OptionSpec<Boolean> REMAP = OptionSpec.bool("remap", true, "Renumber the kept classes 0..k-1; "
            + "default true.");
    static final OptionSpec<Integer> TRAIN_LIMIT = count("trainLimit", "Keep only N training examples after the class "
            + "filter, chosen as limitSample says; default 0 = all.");
    static final OptionSpec<Integer> TEST_LIMIT = count("testLimit", "Keep only N test examples after the class filter, "
            + "chosen as limitSample says; default 0 = all.");
    static final OptionSpec<LimitSample> LIMIT_SAMPLE = OptionSpec.oneOf("limitSample", LimitSample.class,
            LimitSample.STRATIFIED, "How trainLimit and testLimit choose: 'stratified' (default) takes a sample seeded "
                    + "by seed in which every class keeps its share; 'first' takes the first N in file order.");
    static final OptionSpec<Double> TEST_FRACTION = OptionSpec.decimal("testFraction", 0.2, "Share held out as test "
            + "when the data has no test files; default 0.2.").check(f -> f > 0 && f < 1,
            "a fraction between 0 and 1 (exclusive)");
    static final OptionSpec<Double> VALIDATION = OptionSpec.decimal("validation", 0.0, "Share of the training examples "
            + "held out for validation after each epoch; default 0.").check(f -> f >= 0 && f < 1,
            "a fraction from 0 up to (not including) 1");
    static final OptionSpec<Double> SCALE = OptionSpec.decimal("scale", 255.0, "Divide every value by this (255 maps "
            + "pixels to [0,1]); default 255; 1 leaves values as read.").check(v -> v > 0,
            "a positive number such as 255 or 1");
    static final OptionSpec<Integer> SEED = OptionSpec.integer("seed", 12345, "Seed of the fraction splits; default "
            + "12345.");
    static final OptionSpec<Integer> HEIGHT = count("height", "Resize images to this height; default 0 = as read.");
    static final OptionSpec<Integer> WIDTH = count("width", "Resize images to this width; default 0 = as read.");
    static final OptionSpec<String> LABEL_COLUMN = OptionSpec.string("labelColumn", FetchSpec.DEFAULT_LABEL_COLUMN,
            "CSV label column, by name or 0-based index; default 'label'.");
    static final OptionSpec<Integer> MAX_EXAMPLES = OptionSpec.integer("maxExamples",
            (int) ReadBudget.DEFAULT_MAX_EXAMPLES, "Refuse data sets declaring more examples than this (train and "
                    + "test); default " + ReadBudget.DEFAULT_MAX_EXAMPLES + ".").check(n -> n > 0, POSITIVE);
    static final OptionSpec<Long> MEMORY_BUDGET = size("memoryBudget", null, "Most memory the decoded examples may "
            + "take, e.g. 512m or 2g; checked against every size a file declares before reading it; default a quarter "
            + "of the JVM's max heap.");
    static final OptionSpec<Integer> MAX_IMAGE_PIXELS = OptionSpec.integer("maxImagePixels",
            (int) ReadBudget.DEFAULT_MAX_IMAGE_PIXELS, "Refuse an image whose header declares more pixels than this "
                    + "(also at most an eighth of memoryBudget); default " + ReadBudget.DEFAULT_MAX_IMAGE_PIXELS + ".")
            .check(n -> n > 0, POSITIVE);
    static final OptionSpec<Integer> MAX_IMAGE_SIDE = OptionSpec.integer("maxImageSide",
            ReadBudget.DEFAULT_MAX_IMAGE_SIDE, "Refuse an image wider or taller than this many pixels; default "
                    + ReadBudget.DEFAULT_MAX_IMAGE_SIDE + ".").check(n -> n > 0, POSITIVE);
    static final OptionSpec<Long> MAX_EXTRACTED_BYTES = size("maxExtractedBytes", "4g", "Most bytes a zip may expand "
            + "to, or a download may bring, e.g. 8g; default 4g.");
    static final OptionSpec<Integer> MAX_COMPRESSION_RATIO = OptionSpec.integer("maxCompressionRatio",
            ReadBudget.DEFAULT_MAX_COMPRESSION_RATIO, "Refuse a zip that expands to more than this many bytes per byte "
                    + "once past 64 MiB (zip bombs); default " + ReadBudget.DEFAULT_MAX_COMPRESSION_RATIO + ".")
            .check(n -> n > 0, POSITIVE);
    static final OptionSpec<StreamSettings.Mode> STREAM = OptionSpec.oneOf("stream", StreamSettings.Mode.class,
            StreamSettings.Mode.AUTO, "Stream the data set from its records in batches instead of decoding it into "
                    + "memory (image folders and zips, shards, CSV rows, raw IDX): auto streams when the decoded "
                    + "examples would exceed memoryBudget; true always; false never. Streamed data trains by "
                    + "featurize-once only; default auto.");
    static final OptionSpec<Integer> DECODE_WORKERS = OptionSpec.integer("decodeWorkers", 2, "Threads decoding a "
            + "streamed split's images; default 2.").check(n -> n > 0 && n <= 256, "1 to 256");
    static final OptionSpec<Integer> PREFETCH = OptionSpec.integer("prefetch", 2, "Decoded batches a streamed split "
            + "holds ahead of its reader (the prefetch queue); default 2.").check(n -> n > 0 && n <= 1024, "1 to 1024");
    static final OptionSpec<java.time.Duration> DECODE_TIMEOUT = OptionSpec.duration("decodeTimeout", "60s", "How long"
            + " a reader waits for one streamed batch before the run fails as bad data; default 60s.");

    /** A count whose default 0 means "all" or "as read". */
    private static OptionSpec<Integer> count(String name, String doc) {
        return OptionSpec.integer(name, 0, doc).check(n -> n >= 0, NONE_OR_MORE);
    }

    private static OptionSpec<Long> size(String name, String defaultText, String doc) {
        return OptionSpec.parsed(name, "size", defaultText, text -> ReadBudget.parseSize(name, text), doc);
    }

    public FetchDatasetStep() {
        super(NAME, "Reads a labelled data set - IDX (raw or .gz), CSV, folders of PNG/JPEG images per class, or a .zip of "
                + "these - from a path, classpath:, an http(s) URL or the trigger file; filters and remaps classes, "
                + "limits, scales and splits it; records its SHA-256.",
                allOptions());
    }

    private static List<OptionSpec<?>> allOptions() {
        List<OptionSpec<?>> options = new ArrayList<>(List.of(SOURCE, FORMAT, CLASSES, CLASS_NAMES, REMAP, TRAIN_LIMIT, TEST_LIMIT,
                LIMIT_SAMPLE, TEST_FRACTION, VALIDATION, SCALE, SEED, HEIGHT, WIDTH, LABEL_COLUMN, MAX_EXAMPLES,
                MEMORY_BUDGET, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, MAX_EXTRACTED_BYTES, MAX_COMPRESSION_RATIO, STREAM,
                DECODE_WORKERS, PREFETCH, DECODE_TIMEOUT));
        options.addAll(InputOptions.ALL);
        return options;
    }

    /** A source read when the route is checked; {@code newest:} may be empty then; remote and trigger ones are not read. */
    @Override
    public Role role(StepOptions o) {
        String source = o.get(SOURCE);
        if (source.startsWith("http://") || source.startsWith("https://") || source.equals("trigger")) {
            return Role.RUN_TIME_SOURCE;
        }
        return source.startsWith("newest:") ? Role.LATER_SOURCE : Role.SOURCE;
    }

    @Override
    public StepAction configure(StepOptions o) {
        ReadBudget budget = new ReadBudget(o.get(MAX_EXAMPLES), o.find(MEMORY_BUDGET)
                .orElseGet(ReadBudget::defaultMemoryBytes), o.get(MAX_IMAGE_PIXELS), o.get(MAX_IMAGE_SIDE),
                o.get(MAX_EXTRACTED_BYTES), o.get(MAX_COMPRESSION_RATIO));
        FetchSpec spec = new FetchSpec(o.get(SOURCE), o.get(FORMAT), o.get(TEST_FRACTION), o.get(VALIDATION),
                o.find(CLASSES).orElse(List.of()), o.get(REMAP), o.get(TRAIN_LIMIT), o.get(TEST_LIMIT), o.get(SCALE),
                o.get(SEED), o.get(HEIGHT), o.get(WIDTH), o.get(LABEL_COLUMN), o.get(LIMIT_SAMPLE), budget)
                .withInput(InputOptions.bind(o, o.get(SCALE))).withClassNames(o.find(CLASS_NAMES).orElse(List.of()))
                .withStream(new StreamSettings(o.get(STREAM), o.get(DECODE_WORKERS), o.get(PREFETCH),
                        o.get(DECODE_TIMEOUT)));
        return context -> run(spec, context);
    }

    /** Parses {@code sandal,shirt,bag}: trimmed, non-blank names of at most 100 characters. */
    static List<String> parseNames(String text) {
        List<String> names = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String name = part.trim();
            if (name.isEmpty() || name.length() > 100 || name.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("comma-separated names of 1 to 100 characters, such as sandal,shirt");
            }
            names.add(name);
        }
        return names;
    }

    /** Parses {@code 5-9}, {@code 5,6,7} or a mix such as {@code 0,2-4}. */
    static List<Integer> parseClasses(String text) {
        List<Integer> classes = new ArrayList<>();
        try {
            for (String part : text.split(",")) {
                String p = part.trim();
                int dash = p.indexOf('-', 1);
                if (dash > 0) {
                    int from = Integer.parseInt(p.substring(0, dash).trim());
                    int to = Integer.parseInt(p.substring(dash + 1).trim());
                    if (from > to) {
                        throw new IllegalArgumentException("ranges written low-high such as 5-9");
                    }
                    for (int c = from; c <= to; c++) {
                        classes.add(c);
                    }
                } else {
                    classes.add(Integer.parseInt(p));
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("labels and ranges such as 5-9 or 0,2,4");
        }
        if (classes.stream().anyMatch(c -> c < 0) || classes.stream().distinct().count() != classes.size()) {
            throw new IllegalArgumentException("distinct non-negative labels");
        }
        return classes;
    }

    private static void run(FetchSpec spec, RunContext context) {
        DatasetLoader.Profiled profiled = DatasetLoader.loadProfiled(spec, context.triggerFile().orElse(null));
        DataSplits data = profiled.data();
        if (profiled.streamed() != null) { // built as the first pass over each split reads it (train, evaluate)
            context.attributes().remove(DataProfile.ATTRIBUTE);
            profiled.streamed().onBuilt(p -> context.attributes().put(DataProfile.ATTRIBUTE, p));
        } else {
            context.attributes().put(DataProfile.ATTRIBUTE, profiled.profile());
        }
        context.console().line(String.format(Locale.ROOT, "%s: %s: %d train, %d validation, %d test examples of shape %s, %d classes %s%s",
                NAME, data.source(), data.train().size(), data.validation() == null ? 0 : data.validation().size(),
                data.test().size(), java.util.Arrays.toString(data.exampleShape()), data.numClasses(), data.classNames(),
                data.train().streamed() ? ", streamed from the files" : ""));
        RouteMetrics.of(context).dataset(data.examplesRead(), data.examplesUsed());
        context.setData(data);
    }
}
