package dev.graft.cli;

import dev.graft.io.DurableFiles;
import dev.graft.io.FileWrites;
import dev.graft.modelio.ModelFiles;
import dev.graft.surgery.GraphSurgery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code graft import}: a TF.js layers model or a Keras .h5 model as a DL4J model zip. */
@Command(name = "import", mixinStandardHelpOptions = true, description = "Imports a TensorFlow.js layers model (model.json with its weight shards "
        + "beside it) or a Keras .h5 model and writes it as a DL4J model zip that load-backbone and inspect read. "
        + "Layer names stay Keras'; the model takes channels-first images [n, c, h, w] like every Graft backbone.")
final class ImportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "A TF.js model.json, e.g. "
            + "target/imagenet/mobilenet_v2/model.json (scripts/fetch-imagenet-models.sh), or a Keras .h5 file")
    Path model;

    @Parameters(index = "1", paramLabel = "OUT", description = "The DL4J model zip to write, e.g. models/mobilenet_v2.zip")
    Path out;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        ComputationGraph graph = ModelFiles.load(model);
        Path target = out.toAbsolutePath();
        Files.createDirectories(target.getParent());
        DurableFiles.replace(FileWrites.SYSTEM, target, tmp -> ModelFiles.save(graph, tmp));
        System.out.printf("graft import: %s -> %s: %d layers, %,d parameters, in %.1f s%n", model, out,
                GraphSurgery.layerNames(graph).size(), graph.numParams(), (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
