package dev.graft.modelio;

import dev.graft.nd4j.LayerParams;
import dev.graft.nd4j.RunRandom;
import dev.graft.data.DataSource;
import dev.graft.data.ScratchDir;
import dev.graft.data.Sha256;
import dev.graft.spi.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Reads and writes models; every model is handed out as a {@link ComputationGraph}. Reads DL4J model zips,
 * Keras HDF5 files ({@link KerasImport}) and TensorFlow.js layers models ({@link TfjsImport}); writes DL4J zips.
 */
public final class ModelFiles {

    /** A model read from a source, with the SHA-256 of the file it came from. */
    public record Loaded(ComputationGraph graph, String sha256) {
    }

    private ModelFiles() {
    }

    /**
     * Loads a model from a path, {@code classpath:} resource or http(s) URL, as data sources are resolved.
     *
     * @param step        the step loading it, for error messages
     * @param triggerFile the file that started the run, for the source {@code trigger}; may be null
     */
    public static Loaded load(String step, String source, Path triggerFile) {
        try (ScratchDir scratch = ScratchDir.create(step)) {
            Path file = DataSource.resolve(step, source, triggerFile, scratch).path();
            return new Loaded(load(file), Sha256.ofFile(file));
        }
    }

    /**
     * Loads a DL4J model zip holding a ComputationGraph or a MultiLayerNetwork (converted to a graph), a
     * Keras HDF5 model (recognised by its signature, whatever the file's name), or a TensorFlow.js layers model's
     * {@code model.json} (a JSON object; its weight shards are read from the same folder).
     *
     * @throws DataException when the file is neither, naming the file
     */
    public static ComputationGraph load(Path file) {
        if (KerasImport.isHdf5(file)) {
            return KerasImport.load(file);
        }
        if (TfjsImport.isModelJson(file)) {
            return TfjsImport.load(file);
        }
        String json;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry("configuration.json");
            if (entry == null) {
                throw new DataException("load-backbone: '" + file + "' has no configuration.json; expected a DL4J "
                        + "model zip written by ModelSerializer (or by 'graft:publish') or a Keras .h5 model");
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
            return toGraph(ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false));
        } catch (IOException | RuntimeException e) {
            throw new DataException("load-backbone: cannot restore the model in '" + file + "': " + e.getMessage()
                    + "; expected a DL4J 1.0.0-M2.x model zip", e);
        }
    }

    /**
     * A MultiLayerNetwork as a graph whose vertices carry the layers' own names (DL4J's conversion numbers
     * them 0, 1, ...), so that routes can name them; a layer without a name, or with a taken one, keeps its number.
     */
    public static ComputationGraph toGraph(MultiLayerNetwork net) {
        ComputationGraph indexed = net.toComputationGraph();
        ComputationGraphConfiguration conf = indexed.getConfiguration().clone();
        Map<String, String> names = new HashMap<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            String own = net.getLayerWiseConfigurations().getConf(i).getLayer().getLayerName();
            String numbered = String.valueOf(i);
            boolean usable = own != null && !own.isBlank() && !names.containsValue(own)
                    && (own.equals(numbered) || !conf.getVertices().containsKey(own));
            names.put(numbered, usable ? own : numbered);
        }
        conf.getNetworkInputs().forEach(in -> names.put(in, in));
        Map<String, GraphVertex> vertices = new LinkedHashMap<>();
        Map<String, List<String>> inputs = new LinkedHashMap<>();
        conf.getVertices().forEach((name, v) -> {
            if (v instanceof LayerVertex lv) {
                lv.getLayerConf().getLayer().setLayerName(names.get(name));
            }
            vertices.put(names.get(name), v);
        });
        conf.getVertexInputs().forEach((name, in) -> inputs.put(names.get(name),
                in.stream().map(i -> names.getOrDefault(i, i)).toList()));
        conf.setVertices(vertices);
        conf.setVertexInputs(inputs);
        conf.setNetworkOutputs(conf.getNetworkOutputs().stream().map(names::get).toList());
        conf.setTopologicalOrder(null);
        conf.setTopologicalOrderStr(null);
        ComputationGraph graph = RunRandom.initialiseForCopy(new ComputationGraph(conf));
        names.forEach((old, renamed) -> {
            if (indexed.getLayer(old) != null && indexed.getLayer(old).numParams() > 0) {
                LayerParams.copy(indexed.getLayer(old), graph.getLayer(renamed));
            }
        });
        return graph;
    }

    /** Writes the graph (without updater state) to a zip. */
    public static void save(ComputationGraph graph, Path file) throws IOException {
        ModelSerializer.writeModel(graph, file.toFile(), false);
    }
}
