package dev.graft.cli;

import dev.graft.surgery.GraphSurgery;
import dev.graft.modelio.ModelFiles;
import dev.graft.surgery.ModelSummary;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft inspect}: a model's layers. */
@Command(name = "inspect", description = "Prints a model's (DL4J zip or Keras .h5) layers, output shapes, parameters "
        + "and frozen flags.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "MODEL", description = "A DL4J model zip, e.g. registry/fashion-5-9/versions/1/model.zip, "
            + "or a Keras .h5 model")
    Path model;

    @Option(names = "--input-shape", description = "Input shape for output shapes, e.g. 1x28x28 (default 1x28x28)")
    String inputShape = "1x28x28";

    @Override
    public Integer call() {
        long[] s = java.util.Arrays.stream(inputShape.split("x")).mapToLong(Long::parseLong).toArray();
        System.out.println(ModelSummary.of(ModelFiles.load(model), GraphSurgery.inputTypes(s)));
        return 0;
    }
}
