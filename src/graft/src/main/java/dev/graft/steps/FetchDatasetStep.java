package dev.graft.steps;

import dev.graft.metrics.RouteMetrics;
import dev.graft.data.DataFormat;
import dev.graft.spi.DataSplits;
import dev.graft.data.DatasetLoader;
import dev.graft.data.FetchSpec;
import dev.graft.data.LimitSample;
import dev.graft.data.ReadBudget;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.OptionType;
import dev.graft.spi.RunContext;
import dev.graft.spi.Step;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads a labelled data set (IDX, CSV, image folders, or a zip of them) and splits it for training. */
public final class FetchDatasetStep implements Step {

    static final String NAME = "fetch-dataset";
    static final String DEFAULT_SOURCE = "classpath:datasets/fashion-mnist-sample.zip";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Reads a labelled data set - IDX (raw or .gz), CSV, folders of PNG/JPEG images per class, or a .zip of "
                + "these - from a path, classpath:, an http(s) URL or the trigger file; filters and remaps classes, "
                + "limits, scales and splits it; records its SHA-256.";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.optional("source", OptionType.STRING, DEFAULT_SOURCE,
                        "Path, classpath:<resource>, http(s) URL, or 'trigger' for the file that started the run; "
                                + "default: the embedded Fashion-MNIST sample."),
                OptionSpec.oneOf("format", "auto", List.of("auto", "idx", "csv", "images"),
                        "Data format; default auto-detects."),
                OptionSpec.optional("classes", OptionType.STRING, null,
                        "Original labels to keep, e.g. 5-9 or 5,6,7; with remap they become 0..k-1 in this order; default all."),
                OptionSpec.optional("remap", OptionType.BOOLEAN, "true",
                        "Renumber the kept classes 0..k-1; default true."),
                OptionSpec.optional("trainLimit", OptionType.INT, "0",
                        "Keep only N training examples after the class filter, chosen as limitSample says; "
                                + "default 0 = all."),
                OptionSpec.optional("testLimit", OptionType.INT, "0",
                        "Keep only N test examples after the class filter, chosen as limitSample says; "
                                + "default 0 = all."),
                OptionSpec.oneOf("limitSample", "stratified", List.of("stratified", "first"),
                        "How trainLimit and testLimit choose: 'stratified' (default) takes a sample seeded by seed in "
                                + "which every class keeps its share; 'first' takes the first N in file order."),
                OptionSpec.optional("testFraction", OptionType.DOUBLE, "0.2",
                        "Share held out as test when the data has no test files; default 0.2."),
                OptionSpec.optional("validation", OptionType.DOUBLE, "0",
                        "Share of the training examples held out for validation after each epoch; default 0."),
                OptionSpec.optional("scale", OptionType.DOUBLE, "255",
                        "Divide every value by this (255 maps pixels to [0,1]); default 255; 1 leaves values as read."),
                OptionSpec.optional("seed", OptionType.INT, "12345", "Seed of the fraction splits; default 12345."),
                OptionSpec.optional("height", OptionType.INT, "0", "Resize images to this height; default 0 = as read."),
                OptionSpec.optional("width", OptionType.INT, "0", "Resize images to this width; default 0 = as read."),
                OptionSpec.optional("labelColumn", OptionType.STRING, "label",
                        "CSV label column, by name or 0-based index; default 'label'."),
                OptionSpec.optional("maxExamples", OptionType.INT, Long.toString(ReadBudget.DEFAULT_MAX_EXAMPLES),
                        "Refuse data sets declaring more examples than this (train and test); default "
                                + ReadBudget.DEFAULT_MAX_EXAMPLES + "."),
                OptionSpec.optional("memoryBudget", OptionType.STRING, null,
                        "Most memory the decoded examples may take, e.g. 512m or 2g; checked against every size a "
                                + "file declares before reading it; default a quarter of the JVM's max heap."),
                OptionSpec.optional("maxImagePixels", OptionType.INT, Long.toString(ReadBudget.DEFAULT_MAX_IMAGE_PIXELS),
                        "Refuse an image whose header declares more pixels than this (also at most an eighth of "
                                + "memoryBudget); default " + ReadBudget.DEFAULT_MAX_IMAGE_PIXELS + "."),
                OptionSpec.optional("maxImageSide", OptionType.INT, Integer.toString(ReadBudget.DEFAULT_MAX_IMAGE_SIDE),
                        "Refuse an image wider or taller than this many pixels; default "
                                + ReadBudget.DEFAULT_MAX_IMAGE_SIDE + "."),
                OptionSpec.optional("maxExtractedBytes", OptionType.STRING, "4g",
                        "Most bytes a zip may expand to, or a download may bring, e.g. 8g; default 4g."),
                OptionSpec.optional("maxCompressionRatio", OptionType.INT,
                        Integer.toString(ReadBudget.DEFAULT_MAX_COMPRESSION_RATIO),
                        "Refuse a zip that expands to more than this many bytes per byte once past 64 MiB (zip "
                                + "bombs); default " + ReadBudget.DEFAULT_MAX_COMPRESSION_RATIO + "."));
    }

    @Override
    public StepAction configure(StepOptions o) {
        double testFraction = o.number("testFraction");
        double validation = o.number("validation");
        if (testFraction <= 0 || testFraction >= 1) {
            throw o.invalid("testFraction", o.string("testFraction"), "a fraction between 0 and 1 (exclusive)");
        }
        if (validation < 0 || validation >= 1) {
            throw o.invalid("validation", o.string("validation"), "a fraction from 0 up to (not including) 1");
        }
        for (String limit : List.of("maxExamples", "maxImagePixels", "maxImageSide", "maxCompressionRatio")) {
            if (o.integer(limit) <= 0) {
                throw o.invalid(limit, o.string(limit), "a positive number");
            }
        }
        ReadBudget budget = new ReadBudget(o.integer("maxExamples"),
                o.find("memoryBudget").map(v -> ReadBudget.parseSize("memoryBudget", v))
                        .orElseGet(ReadBudget::defaultMemoryBytes),
                o.integer("maxImagePixels"), o.integer("maxImageSide"),
                ReadBudget.parseSize("maxExtractedBytes", o.string("maxExtractedBytes")),
                o.integer("maxCompressionRatio"));
        for (String limit : List.of("trainLimit", "testLimit", "height", "width")) {
            if (o.integer(limit) < 0) {
                throw o.invalid(limit, o.string(limit), "0 or a positive number");
            }
        }
        if (!(o.number("scale") > 0)) {
            throw o.invalid("scale", o.string("scale"), "a positive number such as 255 or 1");
        }
        FetchSpec spec = new FetchSpec(o.string("source"), DataFormat.valueOf(o.string("format").toUpperCase(Locale.ROOT)),
                testFraction, validation, o.find("classes").map(c -> parseClasses(o, c)).orElse(List.of()),
                o.bool("remap"), o.integer("trainLimit"), o.integer("testLimit"), o.number("scale"), o.integer("seed"),
                o.integer("height"), o.integer("width"), o.string("labelColumn"),
                LimitSample.valueOf(o.string("limitSample").toUpperCase(Locale.ROOT)), budget);
        return context -> run(spec, context);
    }

    /** Parses {@code 5-9}, {@code 5,6,7} or a mix such as {@code 0,2-4}. */
    static List<Integer> parseClasses(StepOptions o, String text) {
        List<Integer> classes = new ArrayList<>();
        try {
            for (String part : text.split(",")) {
                String p = part.trim();
                int dash = p.indexOf('-', 1);
                if (dash > 0) {
                    int from = Integer.parseInt(p.substring(0, dash).trim());
                    int to = Integer.parseInt(p.substring(dash + 1).trim());
                    if (from > to) {
                        throw o.invalid("classes", text, "ranges written low-high such as 5-9");
                    }
                    for (int c = from; c <= to; c++) {
                        classes.add(c);
                    }
                } else {
                    classes.add(Integer.parseInt(p));
                }
            }
        } catch (NumberFormatException e) {
            throw o.invalid("classes", text, "labels and ranges such as 5-9 or 0,2,4");
        }
        if (classes.stream().anyMatch(c -> c < 0) || classes.stream().distinct().count() != classes.size()) {
            throw o.invalid("classes", text, "distinct non-negative labels");
        }
        return classes;
    }

    private static void run(FetchSpec spec, RunContext context) {
        DataSplits data = DatasetLoader.load(spec, context.triggerFile().orElse(null));
        context.console().line(String.format(Locale.ROOT, "%s: %s: %d train, %d validation, %d test examples of shape %s, %d classes %s",
                NAME, data.source(), data.train().size(), data.validation() == null ? 0 : data.validation().size(),
                data.test().size(), java.util.Arrays.toString(data.exampleShape()), data.numClasses(), data.classNames()));
        RouteMetrics.of(context).dataset(data.examplesRead(), data.examplesUsed());
        context.setData(data);
    }
}
