package dev.graft.steps;

import dev.graft.data.DataProfile;
import dev.graft.data.SplitProfile;
import dev.graft.evaluation.DriftCheck;
import dev.graft.evaluation.DriftStatistics;
import dev.graft.evaluation.Embeddings;
import dev.graft.metrics.GraftMeters;
import dev.graft.modelio.ModelFiles;
import dev.graft.registry.ModelRef;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.DataException;
import dev.graft.spi.DataSplits;
import dev.graft.spi.MissingInputException;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.RunContext;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Compares the data set {@code fetch-dataset} read with the training data of a reference version (the champion by
 * default): its schema, class balance, pixel distribution and, at the backbone's cut, its embedding distribution.
 */
public final class ValidateDataStep extends BuiltInStep {

    static final String NAME = "validate-data";

    /** What a failed drift check does to the run. */
    enum OnDrift { FAIL, WARN }

    static final OptionSpec<ModelRef> REFERENCE = OptionSpec.parsed("reference", "model", null, ModelRef::parse,
            "The version whose training data is the reference, <name>[@<alias|version>], e.g. fashion-5-9@champion "
                    + "(the alias champion when none is given).").require();
    static final OptionSpec<Path> REGISTRY = OptionSpec.path("registry", "registry", "Registry folder; default "
            + "'registry' in the working directory.");
    static final OptionSpec<OnDrift> ON_DRIFT = OptionSpec.oneOf("onDrift", OnDrift.class, OnDrift.FAIL, "What a failed "
            + "drift check does: 'fail' (default) fails the run as bad data (a drop is quarantined, nothing is "
            + "published); 'warn' reports it and goes on. A schema failure always fails.");
    static final OptionSpec<Double> MAX_CLASS_LINF = fraction("maxClassLinf", 0.1, "Largest allowed difference between "
            + "the reference's and the data's share of any one class (L-infinity); default 0.1.");
    static final OptionSpec<Double> MAX_CLASS_JS = fraction("maxClassJs", 0.1, "Largest allowed Jensen-Shannon distance "
            + "(base 2, 0 to 1) between the class distributions; default 0.1.");
    static final OptionSpec<Double> MAX_PIXEL_PSI = OptionSpec.decimal("maxPixelPsi", 0.2, "Largest allowed population "
            + "stability index between the raw value histograms (32 bins over 0-255); default 0.2.")
            .check(v -> v > 0, "a positive number such as 0.2");
    static final OptionSpec<Double> EMBEDDING_ALPHA = fraction("embeddingAlpha", 0.01, "Significance level of the MMD "
            + "permutation test on features at the cut: drift when its p-value is below this; default 0.01.");
    static final OptionSpec<Integer> EMBEDDING_SAMPLE = OptionSpec.integer("embeddingSample", 256, "Examples of the data "
            + "featurized by the reference model for the embedding check; default 256; 0 skips the check.")
            .check(n -> n == 0 || n >= 10 && n <= 4096, "0, or 10 to 4096");
    static final OptionSpec<Integer> PERMUTATIONS = OptionSpec.integer("permutations", 200, "Permutations of the MMD "
            + "test; default 200.").check(n -> n >= 19 && n <= 10_000, "19 to 10000");
    static final OptionSpec<Integer> SEED = OptionSpec.integer("seed", 12345, "Seed of the sample and the "
            + "permutations; default 12345.");

    private static OptionSpec<Double> fraction(String name, double value, String doc) {
        return OptionSpec.decimal(name, value, doc).check(v -> v > 0 && v <= 1, "a number above 0 and at most 1");
    }

    /** Bound options. */
    record Options(ModelRef reference, Path registry, OnDrift onDrift, double maxClassLinf, double maxClassJs,
                   double maxPixelPsi, double alpha, int sample, int permutations, long seed) {
    }

    public ValidateDataStep() {
        super(NAME, "Checks the data set against a reference version's training data (its profile.json): schema (shape, "
                + "channels, class set), class balance (L-infinity and Jensen-Shannon distance), raw value distribution "
                + "(PSI) and the embedding at the backbone's cut (MMD with a seeded permutation test); records every "
                + "check's statistic, threshold and verdict; a failure fails the run as bad data (onDrift=fail) or is "
                + "reported (onDrift=warn).",
                List.of(REFERENCE, REGISTRY, ON_DRIFT, MAX_CLASS_LINF, MAX_CLASS_JS, MAX_PIXEL_PSI, EMBEDDING_ALPHA,
                        EMBEDDING_SAMPLE, PERMUTATIONS, SEED));
    }

    @Override
    public StepAction configure(StepOptions o) {
        Options options = new Options(o.get(REFERENCE), o.get(REGISTRY), o.get(ON_DRIFT), o.get(MAX_CLASS_LINF),
                o.get(MAX_CLASS_JS), o.get(MAX_PIXEL_PSI), o.get(EMBEDDING_ALPHA), o.get(EMBEDDING_SAMPLE),
                o.get(PERMUTATIONS), o.get(SEED));
        return context -> run(options, context);
    }

    private static void run(Options o, RunContext context) {
        DataSplits data = context.requireData(NAME);
        DataProfile profile = Optional.ofNullable((DataProfile) context.attributes().get(DataProfile.ATTRIBUTE))
                .orElseThrow(() -> new MissingInputException(NAME, "data profile", "fetch-dataset"));
        ModelRegistry registry = new ModelRegistry(o.registry());
        Optional<ModelRegistry.ResolvedModel> resolved = registry.resolve(o.reference().name(), o.reference().ref());
        Optional<DataProfile> reference = resolved.flatMap(r -> DataProfile.read(r.directory().resolve(DataProfile.FILE)));
        if (reference.isEmpty()) {
            context.attributes().put(DriftCheck.ATTRIBUTE, List.of());
            context.console().line(NAME + ": " + (resolved.isEmpty() ? "no version '" + o.reference() + "' in '"
                    + registry.root() + "' yet" : "version " + resolved.get().version() + " of '" + o.reference().name()
                    + "' has no " + DataProfile.FILE + " (published before profiles)") + "; nothing to compare, the data"
                    + " is accepted");
            return;
        }
        String label = o.reference().name() + "@" + resolved.get().version();
        List<DriftCheck> checks = new ArrayList<>();
        DriftCheck schema = schema(profile, reference.get(), label);
        checks.add(schema);
        if (schema.passed()) {
            drift(o, context, data, profile.whole(), reference.get(), resolved.get(), label, checks);
        }
        context.attributes().put(DriftCheck.ATTRIBUTE, List.copyOf(checks));
        record(context, checks);
        List<DriftCheck> failed = checks.stream().filter(c -> !c.passed()).toList();
        if (!schema.passed() || !failed.isEmpty() && o.onDrift() == OnDrift.FAIL) {
            throw new DataException(NAME + ": the data differs from " + label + "'s training data: "
                    + String.join("; ", failed.stream().map(c -> c.name() + ": " + c.reason()).toList())
                    + "; expected data like the reference's; fix the data, or set onDrift=warn (or raise the threshold) "
                    + "if the change is meant");
        }
        context.console().line(NAME + ": " + (failed.isEmpty() ? "no drift from " + label + " (" : "DRIFT from " + label
                + " (onDrift=warn, going on: ") + String.join("; ", checks.stream().map(c -> c.name() + " "
                + (c.passed() ? "passed" : "FAILED") + (Double.isNaN(c.statistic()) ? "" : String.format(Locale.ROOT,
                " %.4g", c.statistic()))).toList()) + ")");
    }

    /** Shape, channels and class set: a data set that fails these cannot be compared, or trained on as the reference was. */
    static DriftCheck schema(DataProfile data, DataProfile reference, String label) {
        List<String> problems = new ArrayList<>();
        if (!Arrays.equals(data.exampleShape(), reference.exampleShape())) {
            problems.add("example shape " + Arrays.toString(data.exampleShape()) + " is not the reference's "
                    + Arrays.toString(reference.exampleShape())
                    + (data.channels() != reference.channels() ? " (" + data.channels() + " channels, not "
                    + reference.channels() + ")" : ""));
        }
        if (!data.classNames().equals(reference.classNames())) {
            List<String> missing = reference.classNames().stream().filter(c -> !data.classNames().contains(c)).toList();
            List<String> extra = data.classNames().stream().filter(c -> !reference.classNames().contains(c)).toList();
            problems.add("classes " + data.classNames() + " are not the reference's " + reference.classNames()
                    + (missing.isEmpty() ? "" : "; missing " + missing) + (extra.isEmpty() ? "" : "; not in the "
                    + "reference " + extra));
        } else {
            long[] counts = data.whole().classCounts();
            List<String> empty = new ArrayList<>();
            for (int c = 0; c < counts.length; c++) {
                if (counts[c] == 0) {
                    empty.add(data.classNames().get(c));
                }
            }
            if (!empty.isEmpty()) {
                problems.add("no examples of class " + empty + " (the reference has every class)");
            }
        }
        return new DriftCheck("schema", Double.NaN, Double.NaN, problems.isEmpty(), problems.isEmpty()
                ? "shape " + Arrays.toString(data.exampleShape()) + " and classes " + data.classNames() + " as in "
                + label : String.join("; ", problems));
    }

    private static void drift(Options o, RunContext context, DataSplits data, SplitProfile whole, DataProfile reference,
                              ModelRegistry.ResolvedModel model, String label, List<DriftCheck> checks) {
        SplitProfile train = reference.splits().get("train");
        double[] p = DriftStatistics.shares(train.classCounts());
        double[] q = DriftStatistics.shares(whole.classCounts());
        checks.add(limit("class-linf", DriftStatistics.lInfinity(p, q), o.maxClassLinf(), "largest class share "
                + "difference (L-infinity) from " + label));
        checks.add(limit("class-js", DriftStatistics.jensenShannon(p, q), o.maxClassJs(), "Jensen-Shannon distance of "
                + "the class distribution from " + label));
        checks.add(limit("pixel-psi", DriftStatistics.psi(train.histogram(), whole.histogram()), o.maxPixelPsi(),
                "population stability index of the raw values from " + label));
        if (o.sample() == 0) {
            return;
        }
        if (reference.features() == null) {
            checks.add(new DriftCheck("embedding-mmd", Double.NaN, o.alpha(), true, "skipped: " + label + "'s profile "
                    + "has no feature sample (its train step did not featurize once)"));
            return;
        }
        var features = reference.features();
        long start = System.nanoTime();
        float[][] current;
        try {
            current = Embeddings.sample(ModelFiles.load(model.modelFile()), features.layers(),
                    Arrays.asList(data.train(), data.validation(), data.test()), o.sample(), o.seed());
        } catch (IllegalArgumentException e) {
            throw new DataException(NAME + ": cannot featurize the data at " + features.layers() + " with " + label + " ("
                    + e.getMessage() + "); expected the reference model to have the layers its profile names", e);
        }
        if (current.length < 2 || current[0].length != features.dimension()) {
            checks.add(new DriftCheck("embedding-mmd", Double.NaN, o.alpha(), false, "the data's features at "
                    + features.layers() + " have " + (current.length == 0 ? 0 : current[0].length) + " values; "
                    + label + "'s have " + features.dimension()));
            return;
        }
        DriftStatistics.Mmd mmd = DriftStatistics.mmd(features.sample(), current, o.permutations(), o.seed());
        boolean passed = mmd.pValue() >= o.alpha();
        checks.add(new DriftCheck("embedding-mmd", mmd.pValue(), o.alpha(), passed, String.format(Locale.ROOT,
                "MMD² %.5f between %d feature vectors at %s of the data and %d of %s's training data; permutation "
                        + "p-value %.4f %s alpha %.4g%s (%d permutations, bandwidth %.3g, %.1f s)", mmd.mmd2(),
                current.length, features.layers(), features.sample().length, label, mmd.pValue(), passed ? ">=" : "<",
                o.alpha(), passed ? "" : ": the embedding distribution has drifted", o.permutations(), mmd.bandwidth(),
                (System.nanoTime() - start) / 1e9)));
        context.meters().gauge(GraftMeters.DRIFT_EMBEDDING_MMD, "Squared MMD of the latest validated data's features "
                + "at the cut from the reference's", mmd.mmd2());
    }

    private static DriftCheck limit(String name, double statistic, double threshold, String what) {
        boolean passed = statistic <= threshold;
        return new DriftCheck(name, statistic, threshold, passed, String.format(Locale.ROOT, "%s %.4f %s %.4g", what,
                statistic, passed ? "<=" : ">", threshold));
    }

    private static void record(RunContext context, List<DriftCheck> checks) {
        for (DriftCheck c : checks) {
            String gauge = switch (c.name()) {
                case "class-linf" -> GraftMeters.DRIFT_CLASS_LINF;
                case "class-js" -> GraftMeters.DRIFT_CLASS_JS;
                case "pixel-psi" -> GraftMeters.DRIFT_PIXEL_PSI;
                case "embedding-mmd" -> GraftMeters.DRIFT_EMBEDDING_P;
                default -> null;
            };
            if (gauge != null && !Double.isNaN(c.statistic())) {
                context.meters().gauge(gauge, "Drift statistic '" + c.name() + "' of the latest validated data", c.statistic());
            }
        }
        context.meters().gauge(GraftMeters.DRIFT_FAILED_CHECKS, "Checks the latest validated data failed",
                checks.stream().filter(c -> !c.passed()).count());
    }
}
