package dev.graft.modelio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.graft.spi.DataException;
import java.nio.file.Path;
import java.util.List;

/**
 * The Keras model configuration inside a TF.js model.json, rewritten for DL4J M2.1's Keras import.
 *
 * <p>Fixes: TF.js writes a {@code ReLU} layer's {@code max_value}, {@code negative_slope} and {@code threshold} as
 * integers, which DL4J casts to Double ({@code ClassCastException} in {@code KerasReLU}): they become floats, and
 * {@code ReLU(max_value=6)} with neither slope nor threshold becomes {@code Activation('relu6')}, which computes the
 * same values faster. TF 2.4+'s class name {@code Functional} becomes Keras 2.2's {@code Model}. The Keras version
 * and backend recorded beside the configuration travel with it.
 */
final class TfjsTopology {

    private static final List<String> RELU_NUMBERS = List.of("max_value", "negative_slope", "threshold");

    private TfjsTopology() {
    }

    /** The configuration ({@code class_name}, {@code config}, {@code keras_version}, {@code backend}) to import. */
    static ObjectNode kerasConfig(Path modelJson, JsonNode topology) {
        JsonNode model = topology.has("model_config") ? topology.get("model_config") : topology;
        if (!model.path("class_name").isTextual() || !model.path("config").isObject()) {
            throw new DataException("load-backbone: '" + modelJson + "' has no Keras model configuration; expected "
                    + "modelTopology with class_name and config (or model_config holding them)");
        }
        ObjectNode config = model.deepCopy();
        if ("Functional".equals(config.path("class_name").asText())) {
            config.put("class_name", "Model"); // TF 2.4+ names a functional model so; DL4J knows Keras 2.2's name
        }
        String version = topology.path("keras_version").asText(model.path("keras_version").asText(""));
        // TF.js itself writes "tfjs-layers x.y.z": its layers follow Keras 2's configuration
        config.put("keras_version", !version.isEmpty() && Character.isDigit(version.charAt(0)) ? version : "2.2.4");
        config.put("backend", topology.path("backend").asText("tensorflow"));
        JsonNode layers = config.path("config").path("layers");
        if (!layers.isArray()) {
            throw new DataException("load-backbone: '" + modelJson + "' has a model configuration without layers; "
                    + "expected a Sequential or functional Keras model");
        }
        for (JsonNode layer : layers) {
            if ("ReLU".equals(layer.path("class_name").asText()) && layer.path("config").isObject()) {
                fixRelu((ObjectNode) layer);
            }
        }
        return config;
    }

    private static void fixRelu(ObjectNode layer) {
        ObjectNode c = (ObjectNode) layer.get("config");
        for (String field : RELU_NUMBERS) {
            if (c.path(field).isNumber()) {
                c.put(field, c.get(field).asDouble());
            }
        }
        if (c.path("max_value").asDouble(-1) == 6.0 && c.path("negative_slope").asDouble(0) == 0.0
                && c.path("threshold").asDouble(0) == 0.0) {
            ObjectNode activation = JsonNodeFactory.instance.objectNode();
            activation.set("name", c.get("name"));
            activation.put("trainable", c.path("trainable").asBoolean(true));
            activation.put("activation", "relu6");
            layer.put("class_name", "Activation");
            layer.set("config", activation);
        }
    }
}
