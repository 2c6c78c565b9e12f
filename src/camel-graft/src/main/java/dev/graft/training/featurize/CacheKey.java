package dev.graft.training.featurize;

import dev.graft.nd4j.ArrayBytes;
import dev.graft.surgery.GraphSurgery;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * The key of a feature cache entry: a SHA-256 over everything a split's frozen features depend on, in a
 * canonical form (the cut, the frozen vertices' configuration without training-only settings, their parameters,
 * and the split's input), so that a retrain with another optimiser or head still hits.
 */
public final class CacheKey {

    /** How many bytes of a split's input one digest covers, so that the parts can be hashed side by side. */
    static final int PART = 4 << 20;
    /** Layer settings that only training reads; leaving them out lets a retrain with another optimiser hit. */
    private static final Set<String> TRAINING_ONLY = Set.of("iupdater", "biasUpdater", "regularization",
            "regularizationBias", "weightInitFn", "gradientNormalization", "gradientNormalizationThreshold",
            "constraints", "weightNoise");

    private CacheKey() {
    }

    /**
     * The digest of the model side of a key: the format, the cut, and every constant vertex the frontier
     * depends on (name, inputs, configuration without training-only settings, parameters). Computed once and
     * shared by the splits' keys.
     */
    public static byte[] modelDigest(ComputationGraph graph, FeaturizePlan plan) {
        MessageDigest md = sha256();
        ComputationGraphConfiguration conf = graph.getConfiguration();
        text(md, "graft-feature-cache/" + CacheFile.FORMAT + "/" + ByteOrder.nativeOrder());
        text(md, "frontier=" + plan.frontier());
        text(md, "inputs=" + conf.getNetworkInputs());
        text(md, "dataType=" + conf.getDataType());
        ObjectMapper json = NeuralNetConfiguration.mapper();
        for (String name : ancestors(conf, plan.frontier())) {
            GraphVertex v = conf.getVertices().get(name);
            if (v == null) {
                continue; // a network input: its data goes into the split's key
            }
            text(md, "vertex=" + name + " <- " + conf.getVertexInputs().get(name));
            text(md, configuration(json, v));
            Layer layer = graph.getLayer(name);
            if (layer != null && layer.numParams() > 0) {
                layer.paramTable().forEach((param, values) -> {
                    text(md, "param=" + param);
                    array(md, values);
                });
            }
        }
        return md.digest();
    }

    /**
     * The digest of a split's input: its dtype and shape, then the digests of its bytes in parts of
     * {@link #PART} bytes, which are hashed on all cores (30,000 Fashion-MNIST images, 94 MB, take 55 ms on one).
     * The parts are fixed, so the digest does not depend on the number of cores.
     */
    public static byte[] dataDigest(INDArray input) {
        MessageDigest md = sha256();
        text(md, input.dataType() + " " + java.util.Arrays.toString(input.shape()));
        if (input.isEmpty() || input.length() == 0) {
            return md.digest();
        }
        try {
            ArrayBytes.windows(input, ArrayBytes.PIECE, window -> {
                int parts = (int) ((window.remaining() + PART - 1) / PART);
                byte[][] digests = java.util.stream.IntStream.range(0, parts).parallel().mapToObj(i -> {
                    MessageDigest part = sha256();
                    int from = window.position() + i * PART;
                    part.update(window.slice(from, Math.min(PART, window.limit() - from)));
                    return part.digest();
                }).toArray(byte[][]::new);
                for (byte[] d : digests) {
                    md.update(d);
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // hashing throws none
        }
        return md.digest();
    }

    /**
     * Runs the key's hashing over a direct buffer and its configuration encoding on small inputs, so that the JIT
     * compiles them before a run needs them (a cold JVM took 0.14 s to hash 94 MB of images instead of 0.055 s,
     * and 0.06 s to encode LeNet's frozen part).
     */
    public static void warmUp() throws LinkageError {
        ByteBuffer data = ByteBuffer.allocateDirect(1 << 20);
        MessageDigest md = sha256();
        for (int i = 0; i < 24; i++) {
            md.update(data.clear());
        }
        md.digest();
        ObjectMapper json = NeuralNetConfiguration.mapper();
        for (int i = 0; i < 5; i++) { // the layer kinds of common backbones, each with its own serializer
            for (org.deeplearning4j.nn.conf.layers.Layer layer : List.of(
                    new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nIn(1).nOut(i + 1).build(),
                    new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder().build(),
                    new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().nOut(i + 1).build(),
                    new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(4).nOut(i + 1).build())) {
                configuration(json, new LayerVertex(new NeuralNetConfiguration.Builder().layer(layer).build(),
                        new org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor(i + 1, 2, 3)));
            }
        }
    }

    /** The key of one split: the digest of the model digest and the input's; 64 hex digits. */
    public static String key(byte[] modelDigest, byte[] dataDigest) {
        MessageDigest md = sha256();
        md.update(modelDigest);
        md.update(dataDigest);
        return HexFormat.of().formatHex(md.digest());
    }

    /** The key of one split, hashing its input here. */
    public static String key(byte[] modelDigest, INDArray input) {
        return key(modelDigest, dataDigest(input));
    }

    /** The vertices (inputs included) that the frontier's values depend on, in topological order. */
    private static List<String> ancestors(ComputationGraphConfiguration conf, List<String> frontier) {
        Set<String> needed = GraphSurgery.ancestorsOf(conf, frontier);
        List<String> ordered = new ArrayList<>(conf.getNetworkInputs().stream().filter(needed::contains).toList());
        conf.getTopologicalOrderStr().stream().filter(needed::contains).filter(n -> !ordered.contains(n))
                .forEach(ordered::add);
        return ordered;
    }

    /**
     * A vertex's configuration as JSON without the settings only training reads; for a layer vertex, the layer
     * and its input preprocessor only, since the per-layer NeuralNetConfiguration also counts iterations.
     */
    private static String configuration(ObjectMapper json, GraphVertex v) {
        try {
            if (v instanceof LayerVertex lv) {
                JsonNode layer = json.valueToTree(lv.getLayerConf().getLayer());
                strip(layer);
                return json.writeValueAsString(layer) + " preprocessor="
                        + (lv.getPreProcessor() == null ? "none" : json.writeValueAsString(lv.getPreProcessor()));
            }
            return json.writeValueAsString(v);
        } catch (IOException | IllegalArgumentException e) {
            // still stable across runs, only less tolerant of training settings
            return v instanceof LayerVertex lv ? lv.getLayerConf().getLayer() + " preprocessor=" + lv.getPreProcessor()
                    : v.getClass().getName() + " " + v;
        }
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove(TRAINING_ONLY);
        }
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            strip(it.next());
        }
    }

    /** Feeds an array's dtype, shape and element bytes (row-major) to the digest without a full copy when it can. */
    private static void array(MessageDigest md, INDArray a) {
        text(md, a.dataType() + " " + java.util.Arrays.toString(a.shape()));
        if (a.isEmpty() || a.length() == 0) {
            return;
        }
        try {
            ArrayBytes.windows(a, ArrayBytes.PIECE, md::update);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // md.update throws none
        }
    }

    private static void text(MessageDigest md, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        md.update(ByteBuffer.allocate(4).putInt(b.length).array());
        md.update(b);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
