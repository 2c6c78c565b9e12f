package dev.graft.steps;

import dev.graft.metrics.RouteMetrics;
import dev.graft.GraftVersion;
import dev.graft.data.DataProfile;
import dev.graft.data.FeatureSample;
import dev.graft.data.Sha256;
import dev.graft.evaluation.DriftCheck;
import dev.graft.io.FileWrites;
import dev.graft.metrics.Champion;
import dev.graft.spi.EvaluationResult;
import dev.graft.surgery.GraphSurgery;
import dev.graft.modelio.ModelFiles;
import dev.graft.spi.TrainingHistory;
import dev.graft.io.JsonFields;
import dev.graft.registry.InputContracts;
import dev.graft.registry.ModelRegistry;
import dev.graft.registry.VersionInfo;
import dev.graft.spi.PublishedVersion;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.RunContext;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** Publishes the trained model as a new registry version, moving aliases only when the verdict allows. */
public final class PublishStep extends BuiltInStep {

    static final String NAME = "publish";

    static final OptionSpec<String> MODEL = OptionSpec.string("name", null, "Model name in the registry, e.g. "
            + "fashion-5-9.").require().check(ModelRegistry::isValidName,
            "letters, digits, '.', '-' or '_', starting with a letter or digit");
    static final OptionSpec<Path> REGISTRY = OptionSpec.path("registry", "registry", "Registry folder; default "
            + "'registry' in the working directory.");
    static final OptionSpec<List<String>> ALIAS = OptionSpec.parsed("alias", "names", null, text -> {
        List<String> aliases = Arrays.stream(text.split(",")).map(String::trim).filter(a -> !a.isEmpty()).toList();
        for (String alias : aliases) {
            if (!alias.matches("[A-Za-z][A-Za-z0-9._-]*")) {
                throw new ConfigurationException(NAME + ": option 'alias' has a bad value '" + alias + "'; expected "
                        + "an alias starting with a letter, e.g. champion (numbers are versions)");
            }
        }
        return aliases;
    }, "Comma-separated aliases to point at the new version when the verdict passed, e.g. champion.");

    static final OptionSpec<List<String>> TAGS = OptionSpec.names("tags", "Comma-separated tags recorded with the "
            + "new version, e.g. nightly,fashion; 'graft models tag' changes them later.")
            .check(tags -> tags.size() <= 32 && tags.stream().allMatch(VersionInfo::isValidTag),
                    "at most 32 tags of letters, digits, '.', ':', '-' or '_', starting with a letter or digit");
    static final OptionSpec<String> DESCRIPTION = OptionSpec.string("description", null, "A description recorded "
            + "with the new version; 'graft models describe' changes it later.")
            .check(d -> d.length() <= 2000, "at most 2000 characters");

    /** Bound options. */
    record Options(Path registry, String name, List<String> aliases, List<String> tags, String description) {
    }

    public PublishStep() {
        super(NAME, "Writes the model and metadata.json (metrics, verdict, data and backbone SHA-256, route, timings, "
                + "versions, and the run id, route id and drop SHA-256 that identify the publish) as a new registry "
                + "version atomically; moves the aliases only when the verdict passed. Exactly once: when the same run, "
                + "or the same route on the same drop (by content), has published a version already (a run interrupted "
                + "by a crash, run again), that version is adopted instead of publishing another.",
                List.of(MODEL, REGISTRY, ALIAS, TAGS, DESCRIPTION));
    }

    @Override
    public StepAction configure(StepOptions o) {
        Options options = new Options(o.get(REGISTRY), o.get(MODEL), o.find(ALIAS).orElse(List.of()),
                o.find(TAGS).orElse(List.of()), o.find(DESCRIPTION).orElse(null));
        return context -> run(options, context);
    }

    private static void run(Options o, RunContext context) throws Exception {
        ComputationGraph model = context.requireModel(NAME);
        EvaluationResult evaluation = context.evaluation().orElse(null);
        boolean promote = evaluation == null || evaluation.verdict().allowsPromotion();
        List<String> aliases = promote ? o.aliases() : List.of();
        ModelRegistry registry = new ModelRegistry(o.registry());
        Map<String, Object> metadata = metadata(context, model);
        if (!o.tags().isEmpty()) {
            metadata.put(VersionInfo.TAGS_FIELD, o.tags());
        }
        if (o.description() != null) {
            metadata.put(VersionInfo.DESCRIPTION_FIELD, o.description());
        }
        DataProfile profile = profile(context);
        PublishedVersion published = registry.publish(o.name(), file -> {
            ModelFiles.save(model, file);
            if (profile != null) { // beside model.zip in the staging folder: renamed into place with it, atomically
                FileWrites.SYSTEM.write(file.resolveSibling(DataProfile.FILE), f -> Files.write(f, profile.toJsonBytes()));
            }
        }, metadata, aliases, key(context));
        context.setPublished(published);
        recordMetrics(o, context, registry, published);
        if (published.adopted()) {
            context.console().line(NAME + ": " + o.name() + " version " + published.version() + " at "
                    + published.directory() + " was already published for this drop or run (an interrupted run); "
                    + "adopted it instead of publishing again; aliases pointing to it: " + published.aliases());
            return;
        }
        String moved = aliases.isEmpty()
                ? (o.aliases().isEmpty() ? "" : "; aliases " + o.aliases() + " NOT moved (" + evaluation.verdict().reason() + ")")
                : "; aliases " + aliases + " now point to it";
        context.console().line(NAME + ": published " + o.name() + " version " + published.version() + " at "
                + published.directory() + moved);
    }

    /** The data profile of fetch-dataset with train's feature sample, or null when no profile was made. */
    static DataProfile profile(RunContext context) {
        if (!(context.attributes().get(DataProfile.ATTRIBUTE) instanceof DataProfile profile)) {
            return null;
        }
        return context.attributes().get(FeatureSample.ATTRIBUTE) instanceof FeatureSample sample
                ? profile.withFeatures(sample) : profile;
    }

    /** The publish's identity: this run, and for a drop-triggered run the route and the drop's content hash. */
    static ModelRegistry.PublishKey key(RunContext context) {
        String drop = context.triggerFile().filter(Files::isRegularFile).map(Sha256::ofFile).orElse(null);
        return new ModelRegistry.PublishKey(context.runId(), context.routeId(), drop);
    }

    private static Map<String, Object> training(TrainingHistory h) {
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (var e : h.epochs()) {
            epochs.add(JsonFields.of("epoch", e.epoch(), "loss", e.loss(), "trainAccuracy", e.trainAccuracy(),
                    "validationAccuracy", Double.isNaN(e.validationAccuracy()) ? null : e.validationAccuracy(),
                    "validationLoss", Double.isNaN(e.validationLoss()) ? null : e.validationLoss(),
                    "learningRate", e.learningRate(), "seconds", e.seconds(), "samplesPerSecond", e.samplesPerSecond()));
        }
        // path: the code path that trained (loop, kernels, feature cache, oneDNN)
        return JsonFields.of("featurized", h.featurized(), "featurizeSeconds", h.featurizeSeconds(),
                "featuresFromCache", h.featuresFromCache(), "bestEpoch", h.bestEpoch() == 0 ? null : h.bestEpoch(),
                "restoredBest", h.restoredBest(), "stoppedEarly", h.stoppedEarly(), "path", h.path(), "epochs", epochs);
    }

    /**
     * The publication, and the champion as it stands after it: the version the route's first alias points to
     * (moved to this version, or held where it was), read back from the registry's metadata.
     */
    private static void recordMetrics(Options o, RunContext context, ModelRegistry registry, PublishedVersion published)
            throws java.io.IOException {
        List<Integer> versions = registry.versions(o.name());
        RouteMetrics.of(context).published(o.name(), !published.aliases().isEmpty(), versions.get(versions.size() - 1));
        if (o.aliases().isEmpty()) {
            return;
        }
        var champion = registry.resolve(o.name(), o.aliases().get(0));
        if (champion.isPresent()) {
            int version = champion.get().version();
            RouteMetrics.of(context).champion(Champion.fromMetadata(o.name(), version, registry.metadata(o.name(), version)));
        }
    }

    static Map<String, Object> metadata(RunContext context, ComputationGraph model) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("publishedAt", Instant.now().toString());
        m.put("runId", context.runId());
        m.put("routeId", context.routeId());
        m.put("routeFile", context.routeFile().map(Path::toString).orElse(null));
        context.evaluation().ifPresent(e -> {
            m.put("metrics", JsonFields.of("accuracy", e.accuracy(), "precision", e.precision(), "recall", e.recall(),
                    "f1", e.f1(), "testExamples", e.examples(), "confusionMatrix", e.confusion()));
            m.put("verdict", Map.of("outcome", e.verdict().outcome().name(), "reason", e.verdict().reason()));
            if (e.champion() != null) {
                m.put("comparedWith", Map.of("name", e.champion().name(), "version", e.champion().version(),
                        "accuracy", e.champion().accuracy(), "f1", e.champion().f1()));
            }
        });
        context.data().ifPresent(d -> {
            m.put("dataset", JsonFields.of("source", d.source(), "sha256", d.sha256(), "classes", d.classNames(),
                    "exampleShape", d.exampleShape(), "train", d.train().size(),
                    "validation", d.validation() == null ? 0 : d.validation().size(), "test", d.test().size()));
            if (d.input() != null) {
                m.put(InputContracts.KEY, InputContracts.toMap(d.input()));
            }
        });
        if (context.attributes().get(DataProfile.ATTRIBUTE) instanceof DataProfile p) {
            m.put("profile", JsonFields.of("file", DataProfile.FILE, "duplicates", p.whole().duplicates(),
                    "testInTrain", p.testInTrain(), "nan", p.whole().nan(), "infinite", p.whole().infinite(),
                    "features", context.attributes().get(FeatureSample.ATTRIBUTE) instanceof FeatureSample f
                            ? f.layers() : null));
        }
        if (context.attributes().get(dev.graft.training.CutProbe.Result.ATTRIBUTE) instanceof dev.graft.training.CutProbe.Result probe) {
            m.put("cutProbe", probe.toJson());
        }
        if (context.attributes().get(dev.graft.training.UnfreezeProbe.Result.ATTRIBUTE)
                instanceof dev.graft.training.UnfreezeProbe.Result probe) {
            m.put("unfreezeProbe", probe.toJson());
        }
        if (context.attributes().get(DriftCheck.ATTRIBUTE) instanceof List<?> checks) {
            m.put("validation", checks.stream().map(c -> ((DriftCheck) c).toJson()).toList());
        }
        context.backbone().ifPresent(b -> m.put("backbone", JsonFields.of("source", b.source(), "sha256", b.sha256())));
        context.history().ifPresent(h -> m.put("training", training(h)));
        if (context.histories().size() > 1) {
            m.put("trainingPhases", context.histories().stream().map(PublishStep::training).toList());
        }
        List<Map<String, Object>> layers = new ArrayList<>();
        for (String layer : GraphSurgery.layerNames(model)) {
            layers.add(Map.of("name", layer, "frozen", GraphSurgery.isFrozen(model, layer),
                    "params", GraphSurgery.paramCount(model, layer)));
        }
        m.put("layers", layers);
        List<Map<String, Object>> steps = new ArrayList<>();
        context.timings().forEach(t -> steps.add(Map.of("step", t.step(), "uri", t.uri(), "seconds", t.seconds())));
        m.put("steps", steps);
        m.put("versions", Map.of("graft", GraftVersion.graft(), "dl4j", GraftVersion.dl4j(),
                "java", System.getProperty("java.version")));
        return m;
    }
}
