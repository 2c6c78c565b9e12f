package dev.graft.modelio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.graft.spi.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.KerasModel;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Imports a TensorFlow.js layers model ({@code model.json} with its weight shards, as written by
 * {@code tensorflowjs_converter --output_format tfjs_layers_model} or {@code model.save} in TF.js) as a computation
 * graph, through DL4J's Keras import.
 *
 * <p>The Keras topology inside the model.json is handed to DL4J with the fixes DL4J M2.1 needs, and the weights
 * ({@link TfjsWeights}) are set on its Keras layers directly, so no HDF5 file is written. Layer names are Keras';
 * like every Keras import ({@link KerasImport#adapt}) the graph takes channels-first images while its layers keep
 * Keras' channels-last layout (switching the layers to channels-first imports but computes wrong outputs).
 */
public final class TfjsImport {

    /** Upper bound on a model.json (topology and manifest; the weights are in the shards). */
    static final long MAX_JSON_BYTES = 64L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TfjsImport() {
    }

    /** True when the file looks like a TF.js model.json: a JSON object (checked by its first non-blank byte). */
    public static boolean isModelJson(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            int b;
            do {
                b = in.read();
            } while (b == ' ' || b == '\n' || b == '\r' || b == '\t' || b == 0xEF || b == 0xBB || b == 0xBF);
            return b == '{';
        } catch (IOException e) {
            return false; // unreadable files are reported by the zip loader with the file name
        }
    }

    /**
     * Imports the model.json and the shards it names.
     *
     * @throws DataException naming the file when it is not a TF.js layers model, a shard does not fit its manifest,
     *                       or DL4J cannot import a layer
     */
    public static ComputationGraph load(Path modelJson) {
        JsonNode root = readJson(modelJson);
        JsonNode topology = root.path("modelTopology");
        if (!topology.isObject() || !root.path("weightsManifest").isArray()) {
            throw new DataException("load-backbone: '" + modelJson + "' is not a TensorFlow.js layers model; expected "
                    + "a model.json with modelTopology and weightsManifest (a graph model from tfjs-converter's "
                    + "tfjs_graph_model format cannot be imported: convert the Keras model as tfjs_layers_model)");
        }
        ObjectNode config = TfjsTopology.kerasConfig(modelJson, topology);
        Map<String, INDArray> weights = TfjsWeights.read(modelJson, root.path("weightsManifest"));
        try {
            KerasModel keras = new KerasModel().modelBuilder().modelJson(JSON.writeValueAsString(config))
                    .enforceTrainingConfig(false).buildModel();
            setWeights(modelJson, keras.getLayers(), weights);
            return KerasImport.adapt(keras.getComputationGraph(true));
        } catch (IOException | InvalidKerasConfigurationException | UnsupportedKerasConfigurationException
                 | RuntimeException e) {
            if (e instanceof DataException d) {
                throw d;
            }
            throw new DataException("load-backbone: cannot import the TensorFlow.js model '" + modelJson + "': "
                    + e.getMessage() + "; expected a Keras layers model using layers DL4J 1.0.0-M2.1 can import", e);
        }
    }

    /**
     * The image shape {@code [c, h, w]} (as Graft feeds it) of a TF.js model.json whose single input is a channels-last
     * image with a fixed size; empty for any other file or input.
     */
    public static Optional<long[]> imageShape(Path file) {
        if (!Files.isRegularFile(file) || !isModelJson(file)) {
            return Optional.empty();
        }
        JsonNode topology = readJson(file).path("modelTopology");
        JsonNode model = topology.has("model_config") ? topology.get("model_config") : topology;
        for (JsonNode layer : model.path("config").path("layers")) {
            JsonNode shape = layer.path("config").path("batch_input_shape");
            if ("InputLayer".equals(layer.path("class_name").asText()) && shape.size() == 4
                    && shape.get(1).canConvertToLong() && shape.get(2).canConvertToLong()
                    && shape.get(3).canConvertToLong()) {
                return Optional.of(new long[] {shape.get(3).asLong(), shape.get(1).asLong(), shape.get(2).asLong()});
            }
        }
        return Optional.empty();
    }

    private static JsonNode readJson(Path modelJson) {
        try {
            long size = Files.size(modelJson);
            if (size > MAX_JSON_BYTES) {
                throw new DataException("load-backbone: '" + modelJson + "' is " + size + " bytes; expected a model.json "
                        + "of at most " + MAX_JSON_BYTES + " bytes (weights belong in the shards)");
            }
            return JSON.readTree(modelJson.toFile());
        } catch (IOException e) {
            throw new DataException("load-backbone: cannot read '" + modelJson + "' as JSON: " + e.getMessage()
                    + "; expected a TensorFlow.js model.json", e);
        }
    }

    /** Hands each Keras layer its weights, by the manifest's {@code [scope/]layer/param} names. */
    private static void setWeights(Path modelJson, Map<String, KerasLayer> layers, Map<String, INDArray> weights)
            throws InvalidKerasConfigurationException {
        Map<String, Map<String, INDArray>> byLayer = new LinkedHashMap<>();
        weights.forEach((name, value) -> {
            int slash = name.lastIndexOf('/');
            String layer = slash < 0 ? "" : name.substring(0, slash);
            if (!layers.containsKey(layer) && layer.lastIndexOf('/') >= 0) {
                layer = layer.substring(layer.lastIndexOf('/') + 1); // a nested model's scope
            }
            if (slash < 0 || !layers.containsKey(layer)) {
                throw new DataException("load-backbone: '" + modelJson + "' has weight '" + name + "' for no layer of "
                        + "its topology; expected names <layer>/<param> of the model's layers");
            }
            byLayer.computeIfAbsent(layer, l -> new HashMap<>()).put(name.substring(slash + 1), value);
        });
        for (Map.Entry<String, KerasLayer> e : layers.entrySet()) {
            Map<String, INDArray> own = byLayer.get(e.getKey());
            if (own != null) {
                e.getValue().setWeights(own);
            } else if (e.getValue().getNumParams() > 0) {
                throw new DataException("load-backbone: '" + modelJson + "' lists no weights for layer '" + e.getKey()
                        + "'; expected the manifest to hold every weight of the topology");
            }
        }
    }
}
