package dev.graft.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tiny TF.js layers model written by hand, as tfjs-converter writes one: input [3, 3, 2] channels-last,
 * {@code conv} (1x1, 2 filters, uint8-quantized kernel) then {@code ReLU(max_value=6)} with integer fields, a
 * parallel {@code conv_b} (1x1, 1 filter, uint16-quantized kernel), {@code Concatenate(axis=3)}, global average
 * pooling and a float32 {@code Dense(2)}. {@link #expected} computes its output by hand.
 */
public final class TfjsFixture {

    private static final byte[] CONV_Q = {0, (byte) 255, 10, (byte) 200};
    private static final double CONV_MIN = -2.0;
    private static final double CONV_SCALE = 0.05;
    private static final int[] CONV_B_Q = {40000, 1234};
    private static final double CONV_B_MIN = -1.0;
    private static final double CONV_B_SCALE = 0.0001;
    private static final float[] CONV_BIAS = {0.5f, 9f};
    private static final float[] CONV_B_BIAS = {0.25f};
    private static final float[] DENSE_KERNEL = {1, -1, 0.5f, 2, -3, 0.25f};
    private static final float[] DENSE_BIAS = {0.1f, -0.2f};

    private static final String CONV = """
            {"name": "%s", "class_name": "Conv2D", "config": {"name": "%s", "trainable": true, "filters": %d,
             "kernel_size": [1, 1], "strides": [1, 1], "padding": "valid", "data_format": "channels_last",
             "dilation_rate": [1, 1], "activation": "linear", "use_bias": true, %s},
             "inbound_nodes": [[["input_1", 0, 0, {}]]]}""";

    /** A Keras 2 layer's initializers, regularizers and constraints: DL4J's import wants them all. */
    private static final String WEIGHT_FIELDS = """
            "kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 1, "mode": "fan_avg",
              "distribution": "uniform", "seed": null}},
            "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null,
            "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null,
            "bias_constraint": null""";

    private static final String LAYERS = """
            {"name": "input_1", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 3, 3, 2],
              "dtype": "float32", "sparse": false, "name": "input_1"}, "inbound_nodes": []},
            %s, %s,
            {"name": "relu", "class_name": "ReLU", "config": {"name": "relu", "trainable": true, "max_value": 6,
              "negative_slope": 0, "threshold": 0}, "inbound_nodes": [[["conv", 0, 0, {}]]]},
            {"name": "joined", "class_name": "Concatenate", "config": {"name": "joined", "trainable": true,
              "axis": 3}, "inbound_nodes": [[["relu", 0, 0, {}], ["conv_b", 0, 0, {}]]]},
            {"name": "pool", "class_name": "GlobalAveragePooling2D", "config": {"name": "pool", "trainable": true,
              "data_format": "channels_last"}, "inbound_nodes": [[["joined", 0, 0, {}]]]},
            {"name": "dense", "class_name": "Dense", "config": {"name": "dense", "trainable": true, "units": 2,
              "activation": "linear", "use_bias": true, %s}, "inbound_nodes": [[["pool", 0, 0, {}]]]}""";

    private static final String MODEL = """
            {"format": "layers-model", "generatedBy": "TfjsFixture",
             "modelTopology": {"keras_version": "2.2.4", "backend": "tensorflow", "model_config": {
               "class_name": "Model", "config": {"name": "tiny", "layers": [%s],
               "input_layers": [["input_1", 0, 0]], "output_layers": [["dense", 0, 0]]}}},
             "weightsManifest": [{"paths": [%s], "weights": [
               {"name": "conv/kernel", "shape": [1, 1, 2, 2], "dtype": "float32",
                "quantization": {"min": %s, "scale": %s, "dtype": "uint8"}},
               {"name": "conv/bias", "shape": [2], "dtype": "float32"},
               {"name": "conv_b/kernel", "shape": [1, 1, 2, 1], "dtype": "float32",
                "quantization": {"min": %s, "scale": %s, "dtype": "uint16"}},
               {"name": "conv_b/bias", "shape": [1], "dtype": "float32"},
               {"name": "dense/kernel", "shape": [3, 2], "dtype": "float32"},
               {"name": "dense/bias", "shape": [2], "dtype": "float32"}]}]}""";

    private TfjsFixture() {
    }

    /** Writes model.json and its two shards (split inside a weight, as the converter splits at 4 MB) into a folder. */
    public static Path write(Path folder) throws IOException {
        return write(folder, "\"group1-shard1of2.bin\", \"group1-shard2of2.bin\"");
    }

    /** Writes the model with {@code paths} as the manifest's shard list (JSON strings, comma-separated). */
    public static Path write(Path folder, String paths) throws IOException {
        ByteBuffer all = ByteBuffer.allocate(4 + 8 + 4 + 4 + 24 + 8).order(ByteOrder.LITTLE_ENDIAN);
        all.put(CONV_Q);
        floats(all, CONV_BIAS);
        for (int q : CONV_B_Q) {
            all.putShort((short) q);
        }
        floats(all, CONV_B_BIAS);
        floats(all, DENSE_KERNEL);
        floats(all, DENSE_BIAS);
        byte[] bytes = all.array();
        Files.createDirectories(folder);
        Files.write(folder.resolve("group1-shard1of2.bin"), java.util.Arrays.copyOfRange(bytes, 0, 6));
        Files.write(folder.resolve("group1-shard2of2.bin"), java.util.Arrays.copyOfRange(bytes, 6, bytes.length));
        String layers = LAYERS.formatted(CONV.formatted("conv", "conv", 2, WEIGHT_FIELDS),
                CONV.formatted("conv_b", "conv_b", 1, WEIGHT_FIELDS), WEIGHT_FIELDS);
        Path json = folder.resolve("model.json");
        Files.writeString(json, MODEL.formatted(layers, paths, CONV_MIN, CONV_SCALE, CONV_B_MIN, CONV_B_SCALE));
        return json;
    }

    private static void floats(ByteBuffer buf, float[] values) {
        for (float v : values) {
            buf.putFloat(v);
        }
    }

    public static float dequantized(int q, double min, double scale) {
        return (float) (q * scale + min);
    }

    /** The model's output for a channels-first image {@code x[c][h][w]} of 2 x 3 x 3, computed by hand. */
    public static float[] expected(float[][][] x) {
        float[] pooled = new float[3];
        for (int h = 0; h < 3; h++) {
            for (int w = 0; w < 3; w++) {
                for (int f = 0; f < 2; f++) { // Keras kernel [1, 1, in, out]: index in * 2 + out
                    float v = CONV_BIAS[f];
                    for (int c = 0; c < 2; c++) {
                        v += x[c][h][w] * dequantized(CONV_Q[c * 2 + f] & 0xff, CONV_MIN, CONV_SCALE);
                    }
                    pooled[f] += Math.min(Math.max(v, 0), 6) / 9f;
                }
                float b = CONV_B_BIAS[0];
                for (int c = 0; c < 2; c++) {
                    b += x[c][h][w] * dequantized(CONV_B_Q[c], CONV_B_MIN, CONV_B_SCALE);
                }
                pooled[2] += b / 9f;
            }
        }
        float[] out = new float[2];
        for (int o = 0; o < 2; o++) {
            out[o] = DENSE_BIAS[o];
            for (int i = 0; i < 3; i++) {
                out[o] += pooled[i] * DENSE_KERNEL[i * 2 + o];
            }
        }
        return out;
    }
}
