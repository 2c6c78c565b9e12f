package dev.graft.steps;

import dev.graft.metrics.RouteMetrics;
import dev.graft.GraftVersion;
import dev.graft.data.Sha256;
import dev.graft.metrics.Champion;
import dev.graft.spi.EvaluationResult;
import dev.graft.surgery.GraphSurgery;
import dev.graft.modelio.ModelFiles;
import dev.graft.spi.TrainingHistory;
import dev.graft.registry.InputContracts;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.PublishedVersion;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.RunContext;
import dev.graft.spi.Step;
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
public final class PublishStep implements Step {

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

    /** Bound options. */
    record Options(Path registry, String name, List<String> aliases) {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Writes the model and metadata.json (metrics, verdict, data and backbone SHA-256, route, timings, "
                + "versions, and the run id, route id and drop SHA-256 that identify the publish) as a new registry "
                + "version atomically; moves the aliases only when the verdict passed. Exactly once: when the same run, "
                + "or the same route on the same drop (by content), has published a version already (a run interrupted "
                + "by a crash, run again), that version is adopted instead of publishing another.";
    }

    @Override
    public List<OptionSpec<?>> options() {
        return List.of(MODEL, REGISTRY, ALIAS);
    }

    @Override
    public StepAction configure(StepOptions o) {
        Options options = new Options(o.get(REGISTRY), o.get(MODEL), o.find(ALIAS).orElse(List.of()));
        return context -> run(options, context);
    }

    private static void run(Options o, RunContext context) throws Exception {
        ComputationGraph model = context.requireModel(NAME);
        EvaluationResult evaluation = context.evaluation().orElse(null);
        boolean promote = evaluation == null || evaluation.verdict().allowsPromotion();
        List<String> aliases = promote ? o.aliases() : List.of();
        ModelRegistry registry = new ModelRegistry(o.registry());
        PublishedVersion published = registry.publish(o.name(), file -> ModelFiles.save(model, file),
                metadata(context, model), aliases, key(context));
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

    /** The publish's identity: this run, and for a drop-triggered run the route and the drop's content hash. */
    static ModelRegistry.PublishKey key(RunContext context) {
        String drop = context.triggerFile().filter(Files::isRegularFile).map(Sha256::ofFile).orElse(null);
        return new ModelRegistry.PublishKey(context.runId(), context.routeId(), drop);
    }

    private static Map<String, Object> training(TrainingHistory h) {
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("featurized", h.featurized());
        training.put("featurizeSeconds", h.featurizeSeconds());
        training.put("featuresFromCache", h.featuresFromCache());
        training.put("bestEpoch", h.bestEpoch() == 0 ? null : h.bestEpoch());
        training.put("restoredBest", h.restoredBest());
        training.put("stoppedEarly", h.stoppedEarly());
        training.put("path", h.path()); // the code path that trained: loop, kernels, feature cache, oneDNN
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (var e : h.epochs()) {
            Map<String, Object> epoch = new LinkedHashMap<>();
            epoch.put("epoch", e.epoch());
            epoch.put("loss", e.loss());
            epoch.put("trainAccuracy", e.trainAccuracy());
            epoch.put("validationAccuracy", Double.isNaN(e.validationAccuracy()) ? null : e.validationAccuracy());
            epoch.put("validationLoss", Double.isNaN(e.validationLoss()) ? null : e.validationLoss());
            epoch.put("learningRate", e.learningRate());
            epoch.put("seconds", e.seconds());
            epoch.put("samplesPerSecond", e.samplesPerSecond());
            epochs.add(epoch);
        }
        training.put("epochs", epochs);
        return training;
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
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("accuracy", e.accuracy());
            metrics.put("precision", e.precision());
            metrics.put("recall", e.recall());
            metrics.put("f1", e.f1());
            metrics.put("testExamples", e.examples());
            metrics.put("confusionMatrix", e.confusion());
            m.put("metrics", metrics);
            m.put("verdict", Map.of("outcome", e.verdict().outcome().name(), "reason", e.verdict().reason()));
            if (e.champion() != null) {
                m.put("comparedWith", Map.of("name", e.champion().name(), "version", e.champion().version(),
                        "accuracy", e.champion().accuracy(), "f1", e.champion().f1()));
            }
        });
        context.data().ifPresent(d -> {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("source", d.source());
            data.put("sha256", d.sha256());
            data.put("classes", d.classNames());
            data.put("exampleShape", d.exampleShape());
            data.put("train", d.train().size());
            data.put("validation", d.validation() == null ? 0 : d.validation().size());
            data.put("test", d.test().size());
            m.put("dataset", data);
            if (d.input() != null) {
                m.put(InputContracts.KEY, InputContracts.toMap(d.input()));
            }
        });
        context.backbone().ifPresent(b -> {
            Map<String, Object> backbone = new LinkedHashMap<>();
            backbone.put("source", b.source());
            backbone.put("sha256", b.sha256());
            m.put("backbone", backbone);
        });
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
