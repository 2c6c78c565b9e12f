package dev.graft.model;

import dev.graft.spi.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/** Reads and writes DL4J model zips; every model is handed out as a {@link ComputationGraph}. */
public final class ModelFiles {

    private ModelFiles() {
    }

    /**
     * Loads a DL4J model zip holding a ComputationGraph or a MultiLayerNetwork (converted to a graph).
     *
     * @throws DataException when the file is not a DL4J model zip, naming the file
     */
    public static ComputationGraph load(Path file) {
        String json;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry("configuration.json");
            if (entry == null) {
                throw new DataException("load-backbone: '" + file + "' has no configuration.json; expected a DL4J "
                        + "model zip written by ModelSerializer (or by 'graft:publish')");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new DataException("load-backbone: cannot read model zip '" + file + "': " + e.getMessage()
                    + "; expected a DL4J model zip", e);
        }
        try {
            if (json.contains("\"vertices\"")) {
                return ModelSerializer.restoreComputationGraph(file.toFile(), false);
            }
            MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
            return net.toComputationGraph();
        } catch (IOException | RuntimeException e) {
            throw new DataException("load-backbone: cannot restore the model in '" + file + "': " + e.getMessage()
                    + "; expected a DL4J 1.0.0-M2.x model zip", e);
        }
    }

    /** Writes the graph (without updater state) to a zip. */
    public static void save(ComputationGraph graph, Path file) throws IOException {
        ModelSerializer.writeModel(graph, file.toFile(), false);
    }
}
