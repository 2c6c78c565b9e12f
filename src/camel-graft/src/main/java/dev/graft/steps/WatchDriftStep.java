package dev.graft.steps;

import dev.graft.data.DataProfile;
import dev.graft.data.ReadBudget;
import dev.graft.data.image.ContractInput;
import dev.graft.data.image.ImageDecoder;
import dev.graft.engine.RunHeaders;
import dev.graft.evaluation.DriftStatistics;
import dev.graft.evaluation.Embeddings;
import dev.graft.metrics.GraftMeters;
import dev.graft.modelio.ModelFiles;
import dev.graft.registry.InputContracts;
import dev.graft.registry.ModelRef;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import dev.graft.spi.InputContract;
import dev.graft.spi.LabeledSet;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.RunContext;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Compares the unlabeled images in a folder with the reference version's training data at the backbone's cut (MMD
 * with a permutation test) and asks for a retraining, once per crossing, when they have drifted: the route reads
 * {@value RunHeaders#DRIFT_TRIGGER} to start it.
 */
public final class WatchDriftStep extends BuiltInStep {

    static final String NAME = "watch-drift";

    static final OptionSpec<Path> FOLDER = OptionSpec.path("folder", null, "Folder of unlabeled PNG or JPEG images "
            + "arriving from production, read each run (not recursively; hidden files skipped).").require();
    static final OptionSpec<ModelRef> REFERENCE = OptionSpec.parsed("reference", "model", null, ModelRef::parse,
            "The version whose training data is the reference, <name>[@<alias|version>], e.g. fashion-5-9@champion.")
            .require();
    static final OptionSpec<Path> REGISTRY = OptionSpec.path("registry", "registry", "Registry folder; default "
            + "'registry' in the working directory.");
    static final OptionSpec<Double> ALPHA = OptionSpec.decimal("alpha", 0.01, "Drift when the MMD permutation test's "
            + "p-value is below this; default 0.01.").check(v -> v > 0 && v < 1, "a number between 0 and 1");
    static final OptionSpec<Integer> MIN_IMAGES = OptionSpec.integer("minImages", 50, "Images the folder must hold "
            + "before they are compared; default 50.").check(n -> n >= 10, "at least 10");
    static final OptionSpec<Integer> SAMPLE = OptionSpec.integer("sample", 256, "The newest images (by name) compared; "
            + "default 256.").check(n -> n >= 10 && n <= 4096, "10 to 4096");
    static final OptionSpec<Integer> PERMUTATIONS = OptionSpec.integer("permutations", 200, "Permutations of the MMD "
            + "test; default 200.").check(n -> n >= 19 && n <= 10_000, "19 to 10000");
    static final OptionSpec<Integer> SEED = OptionSpec.integer("seed", 12345, "Seed of the permutations; default 12345.");
    static final OptionSpec<Integer> MAX_IMAGE_BYTES = OptionSpec.integer("maxImageBytes", 16 << 20, "Skip (and log) an "
            + "image file larger than this; default 16 MiB.").check(n -> n > 0, "a positive number");

    /** Bound options. */
    record Options(Path folder, ModelRef reference, Path registry, double alpha, int minImages, int sample,
                   int permutations, long seed, int maxImageBytes) {
    }

    public WatchDriftStep() {
        super(NAME, "Featurizes the newest unlabeled images of a folder with the reference model at the cut its "
                + "profile names, tests them against its training data's feature sample (MMD, seeded permutations), "
                + "exports the statistic, and sets the header " + RunHeaders.DRIFT_TRIGGER + " to true once per "
                + "crossing of the threshold (again only after a run finds the images no longer drifting).",
                List.of(FOLDER, REFERENCE, REGISTRY, ALPHA, MIN_IMAGES, SAMPLE, PERMUTATIONS, SEED, MAX_IMAGE_BYTES));
    }

    @Override
    public StepAction configure(StepOptions o) {
        Options options = new Options(o.get(FOLDER), o.get(REFERENCE), o.get(REGISTRY), o.get(ALPHA), o.get(MIN_IMAGES),
                o.get(SAMPLE), o.get(PERMUTATIONS), o.get(SEED), o.get(MAX_IMAGE_BYTES));
        // true from the run that asked for a retraining until one that finds no drift: one retraining per crossing,
        // even when the retrained champion still differs from the images. One latch per route occurrence.
        AtomicBoolean triggered = new AtomicBoolean();
        return context -> run(options, triggered, context);
    }

    private static void run(Options o, AtomicBoolean triggered, RunContext context) throws IOException {
        context.attributes().put(RunHeaders.DRIFT_TRIGGER, false);
        List<Path> images = images(o);
        context.meters().gauge(GraftMeters.DRIFT_WATCH_IMAGES, "Unlabeled images in the watched folder", images.size());
        if (images.size() < o.minImages()) {
            context.console().line(NAME + ": " + images.size() + " images in '" + o.folder() + "'; waiting for "
                    + o.minImages());
            return;
        }
        ModelRegistry registry = new ModelRegistry(o.registry());
        ModelRegistry.ResolvedModel model = registry.resolve(o.reference().name(), o.reference().ref())
                .orElseThrow(() -> new ConfigurationException(NAME + ": no version '" + o.reference() + "' in '"
                        + registry.root() + "'; expected a published reference; publish one first"));
        String label = model.name() + "@" + model.version();
        DataProfile profile = DataProfile.read(model.directory().resolve(DataProfile.FILE)).filter(p -> p.features() != null)
                .orElseThrow(() -> new ConfigurationException(NAME + ": " + label + " has no feature sample in its "
                        + DataProfile.FILE + "; expected a version trained with featurize-once by this Graft"));
        InputContract contract = InputContracts.fromMetadata(registry.metadata(model.name(), model.version()));
        if (contract == null) {
            throw new ConfigurationException(NAME + ": " + label + " has no input contract; expected a version "
                    + "published by this Graft");
        }
        List<Path> newest = images.subList(Math.max(0, images.size() - o.sample()), images.size());
        LabeledSet set = decode(newest, contract, o.maxImageBytes());
        float[][] current = Embeddings.sample(ModelFiles.load(model.modelFile()), profile.features().layers(),
                List.of(set), set.size(), o.seed());
        DriftStatistics.Mmd mmd = DriftStatistics.mmd(profile.features().sample(), current, o.permutations(), o.seed());
        boolean drifted = mmd.pValue() < o.alpha();
        context.meters().gauge(GraftMeters.DRIFT_WATCH_MMD, "Squared MMD of the watched images' features at the cut "
                + "from the reference's training data", mmd.mmd2());
        context.meters().gauge(GraftMeters.DRIFT_WATCH_P, "p-value of the watched images' MMD permutation test",
                mmd.pValue());
        context.meters().gauge(GraftMeters.DRIFT_WATCH_DRIFTED, "1 while the watched images have drifted from the "
                + "reference's training data, else 0", drifted ? 1 : 0);
        boolean trigger = drifted && !triggered.get();
        triggered.set(drifted);
        context.attributes().put(RunHeaders.DRIFT_TRIGGER, trigger);
        context.console().line(String.format(Locale.ROOT, "%s: %d images of '%s' against %s: MMD² %.5f, p-value %.4f "
                + "%s alpha %.4g: %s", NAME, current.length, o.folder(), label, mmd.mmd2(), mmd.pValue(),
                drifted ? "<" : ">=", o.alpha(), !drifted ? "no drift" : trigger ? "DRIFT; asking for a retraining"
                        : "still drifting; a retraining was asked for already"));
    }

    /** The image files of the folder in name order. */
    private static List<Path> images(Options o) throws IOException {
        if (!Files.isDirectory(o.folder())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(o.folder())) {
            return s.filter(Files::isRegularFile).filter(p -> {
                String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return !name.startsWith(".") && (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg"));
            }).sorted().toList();
        }
    }

    /** The images as the reference's training examples were made; unreadable or oversized files are skipped. */
    private static LabeledSet decode(List<Path> files, InputContract contract, int maxBytes) throws IOException {
        ImageDecoder.Limits limits = new ImageDecoder.Limits(ReadBudget.DEFAULT_MAX_IMAGE_SIDE,
                ReadBudget.DEFAULT_MAX_IMAGE_PIXELS, ReadBudget.defaultMemoryBytes(), "fetch-dataset's defaults",
                "remove the image from the folder");
        int length = (int) Arrays.stream(contract.shape()).reduce(1, (a, b) -> a * b);
        float[] values = new float[Math.multiplyExact(files.size(), length)];
        int n = 0;
        for (Path file : files) {
            try {
                if (Files.size(file) > maxBytes) {
                    throw new DataException(NAME + ": '" + file + "' has " + Files.size(file) + " bytes; expected at "
                            + "most maxImageBytes " + maxBytes);
                }
                float[] example = ContractInput.fromImage(Files.readAllBytes(file), NAME, file.getFileName().toString(),
                        contract, limits);
                System.arraycopy(example, 0, values, n++ * length, length);
            } catch (DataException | IOException e) {
                org.slf4j.LoggerFactory.getLogger(WatchDriftStep.class).warn("{}: skipped '{}' ({}); the check goes on "
                        + "without it", NAME, file, e.getMessage());
            }
        }
        if (n < 2) {
            throw new DataException(NAME + ": no readable image among " + files.size() + " in '" + files.get(0)
                    .getParent() + "'; expected PNG or JPEG images the reference's input contract fits");
        }
        long[] shape = new long[contract.shape().length + 1];
        shape[0] = n;
        System.arraycopy(contract.shape(), 0, shape, 1, contract.shape().length);
        return new LabeledSet(Nd4j.create(Arrays.copyOf(values, n * length), shape, DataType.FLOAT),
                Nd4j.zeros(DataType.FLOAT, n, 1));
    }
}
