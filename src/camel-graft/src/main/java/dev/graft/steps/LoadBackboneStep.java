package dev.graft.steps;

import dev.graft.data.Sha256;
import dev.graft.spi.Backbone;
import dev.graft.surgery.GraphSurgery;
import dev.graft.modelio.ModelFiles;
import dev.graft.registry.ModelRef;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.RunContext;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a pretrained model (DL4J zip, Keras HDF5 or TF.js layers model.json) as the run's backbone, from a file,
 * the class path, a URL or the registry.
 */
public final class LoadBackboneStep extends BuiltInStep {

    static final String NAME = "load-backbone";
    static final String REGISTRY_PREFIX = "registry:";
    private static final Logger LOG = LoggerFactory.getLogger(LoadBackboneStep.class);

    static final OptionSpec<String> SOURCE = OptionSpec.string("source", null, "Path, classpath:<resource>, http(s) "
            + "URL, or registry:<name>[@<alias|version|latest>] (default alias champion).").require()
            .check(LoadBackboneStep::wellFormed, "registry:<name>[@<alias|version|latest>], e.g. "
                    + "registry:lenet-fashion-0-4@champion");
    static final OptionSpec<Path> REGISTRY = OptionSpec.path("registry", "registry", "Registry folder for registry: "
            + "sources; default 'registry' in the working directory.");

    /** Bound options; for a registry source {@code model} and {@code ref} are set. */
    record Options(String source, Path registry, String model, String ref) {
    }

    public LoadBackboneStep() {
        super(NAME, "Loads a DL4J model zip (ComputationGraph or MultiLayerNetwork, handled as a graph), a Keras .h5 "
                + "model (Sequential or functional) or a TF.js layers model.json (weight shards beside it; a local path) "
                + "from a path, classpath:, an http(s) URL, or registry:<name>[@<alias|version>].",
                List.of(SOURCE, REGISTRY));
    }

    /** A backbone may not be published yet when the route is checked. */
    @Override
    public Role role(StepOptions options) {
        return Role.LATER_SOURCE;
    }

    private static boolean wellFormed(String source) {
        if (!source.startsWith(REGISTRY_PREFIX)) {
            return true;
        }
        try {
            modelRef(source);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static ModelRef modelRef(String source) {
        return ModelRef.parse(source.substring(REGISTRY_PREFIX.length()));
    }

    @Override
    public StepAction configure(StepOptions o) {
        String source = o.get(SOURCE);
        ModelRef ref = source.startsWith(REGISTRY_PREFIX) ? modelRef(source) : null;
        Options options = ref != null ? new Options(source, o.get(REGISTRY), ref.name(), ref.ref())
                : new Options(source, null, null, null);
        return context -> run(options, context);
    }

    private static void run(Options o, RunContext context) {
        ComputationGraph graph;
        String label = o.source();
        String sha;
        if (o.model() != null) {
            ModelRegistry registry = new ModelRegistry(o.registry());
            ModelRegistry.ResolvedModel resolved = registry.resolve(o.model(), o.ref()).orElseThrow(() ->
                    new ConfigurationException(NAME + ": no model '" + o.model() + "@" + o.ref() + "' in registry '"
                            + registry.root() + "'; expected one of " + describe(registry, o.model())));
            graph = ModelFiles.load(resolved.modelFile());
            sha = Sha256.ofFile(resolved.modelFile());
            label = REGISTRY_PREFIX + o.model() + "@" + resolved.version();
        } else {
            ModelFiles.Loaded loaded = ModelFiles.load(NAME, o.source(), context.triggerFile().orElse(null));
            graph = loaded.graph();
            sha = loaded.sha256();
        }
        LOG.info("{}: loaded {} with layers {}", NAME, label, GraphSurgery.layerNames(graph));
        context.setBackbone(new Backbone(graph, label, sha));
    }

    private static String describe(ModelRegistry registry, String model) {
        List<Integer> versions = registry.versions(model);
        if (versions.isEmpty()) {
            return "a model among " + registry.names() + "; publish one first (e.g. run routes/pretrain-backbone.yaml)";
        }
        return "versions " + versions + " or aliases " + registry.aliases(model).keySet() + " of '" + model + "'";
    }
}
