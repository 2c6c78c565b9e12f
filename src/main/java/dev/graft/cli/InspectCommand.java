package dev.graft.cli;

import dev.graft.model.ModelFiles;
import dev.graft.model.ModelSummary;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.conf.inputs.InputType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft inspect}: a model's layers. */
@Command(name = "inspect", description = "Prints a model zip's layers, output shapes, parameters and frozen flags.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "MODEL.zip", description = "A DL4J model zip, e.g. registry/fashion-5-9/versions/1/model.zip")
    Path model;

    @Option(names = "--input-shape", description = "Input shape for output shapes, e.g. 1x28x28 (default 1x28x28)")
    String inputShape = "1x28x28";

    @Override
    public Integer call() {
        long[] s = java.util.Arrays.stream(inputShape.split("x")).mapToLong(Long::parseLong).toArray();
        InputType type = s.length == 3 ? InputType.convolutional(s[1], s[2], s[0]) : InputType.feedForward(s[0]);
        System.out.println(ModelSummary.of(ModelFiles.load(model), new InputType[] {type}));
        return 0;
    }
}
