package dev.graft.cli;

import dev.graft.registry.ModelRef;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.ConfigurationException;
import dev.graft.surgery.GraphSurgery;
import dev.graft.modelio.ModelFiles;
import dev.graft.modelio.TfjsImport;
import dev.graft.surgery.ModelSummary;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft inspect}: a model's layers. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Prints a model's (DL4J zip, Keras .h5, "
        + "TF.js model.json or registry:NAME@ALIAS) layers, output shapes, parameters and frozen flags.")
final class InspectCommand implements Callable<Integer> {

    static final String REGISTRY_PREFIX = "registry:";

    @Parameters(paramLabel = "MODEL", description = "A DL4J model zip, e.g. registry/fashion-5-9/versions/1/model.zip, "
            + "a Keras .h5 model, a TF.js layers model.json, or registry:NAME[@ALIAS|VERSION], e.g. "
            + "registry:fashion-5-9@champion")
    String model;

    @Option(names = "--input-shape", description = "Input shape for output shapes, e.g. 3x224x224 for an imported "
            + "MobileNetV2 zip (default: a TF.js model.json's own input shape, else 1x28x28)")
    String inputShape;

    @Option(names = "--registry", defaultValue = "registry", description = "Registry folder for registry: models "
            + "(default: ${DEFAULT-VALUE})")
    Path registry;

    @picocli.CommandLine.Mixin
    JsonOutput output;

    @Override
    public Integer call() {
        Path file = file();
        long[] s;
        try {
            s = inputShape != null
                    ? java.util.Arrays.stream(inputShape.split("x")).mapToLong(Long::parseLong).toArray()
                    : TfjsImport.imageShape(file).orElse(new long[] {1, 28, 28});
        } catch (NumberFormatException e) {
            throw new ConfigurationException("inspect: option '--input-shape' has a bad value '" + inputShape
                    + "'; expected dimensions joined by 'x', e.g. 1x28x28");
        }
        ComputationGraph graph = ModelFiles.load(file);
        if (output.json) {
            JsonOutput.print(ModelSummary.rows(graph, GraphSurgery.inputTypes(s)));
        } else {
            System.out.println(ModelSummary.of(graph, GraphSurgery.inputTypes(s)));
        }
        return 0;
    }

    private Path file() {
        if (!model.startsWith(REGISTRY_PREFIX)) {
            return Path.of(model);
        }
        ModelRef ref;
        try {
            ref = ModelRef.parse(model.substring(REGISTRY_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("inspect: bad model '" + model + "'; expected registry:" + e.getMessage());
        }
        ModelRegistry r = new ModelRegistry(registry);
        return r.resolve(ref.name(), ref.ref()).orElseThrow(() -> new ConfigurationException("inspect: no '" + ref
                + "' in registry '" + r.root() + "'; expected versions " + r.versions(ref.name()) + " or aliases "
                + (r.versions(ref.name()).isEmpty() ? "[]" : r.aliases(ref.name()).keySet()))).modelFile();
    }
}
