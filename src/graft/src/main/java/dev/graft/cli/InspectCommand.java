package dev.graft.cli;

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
@Command(name = "inspect", description = "Prints a model's (DL4J zip, Keras .h5 or TF.js model.json) layers, output "
        + "shapes, parameters and frozen flags.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "MODEL", description = "A DL4J model zip, e.g. registry/fashion-5-9/versions/1/model.zip, "
            + "a Keras .h5 model or a TF.js layers model.json")
    Path model;

    @Option(names = "--input-shape", description = "Input shape for output shapes, e.g. 3x224x224 for an imported "
            + "MobileNetV2 zip (default: a TF.js model.json's own input shape, else 1x28x28)")
    String inputShape;

    @Override
    public Integer call() {
        ComputationGraph graph = ModelFiles.load(model);
        long[] s = inputShape != null
                ? java.util.Arrays.stream(inputShape.split("x")).mapToLong(Long::parseLong).toArray()
                : TfjsImport.imageShape(model).orElse(new long[] {1, 28, 28});
        System.out.println(ModelSummary.of(graph, GraphSurgery.inputTypes(s)));
        return 0;
    }
}
