package dev.graft.nd4j;

import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Copies a layer's parameters into another layer of the same configuration, parameter by parameter.
 *
 * <p>The flat form, {@code to.setParams(from.params().dup())}, is not safe in DL4J 1.0.0-M2.1: a
 * {@code DepthwiseConvolution2D} with a bias lays its bias and depthwise weights out in one order in
 * {@code params()} and reads them back in another in {@code setParams}, so a round trip scrambles the bias. Copying
 * each named array of the parameter table into its namesake keeps every layer type right.
 */
public final class LayerParams {

    private LayerParams() {
    }

    /** Copies every parameter of {@code from} into {@code to} by key; both must have the same parameter names and shapes. */
    public static void copy(Layer from, Layer to) {
        Map<String, INDArray> source = from.paramTable();
        Map<String, INDArray> target = to.paramTable();
        if (!source.keySet().equals(target.keySet())) {
            throw new IllegalArgumentException("layer parameters differ: " + source.keySet() + " against " + target.keySet());
        }
        source.forEach((key, value) -> to.setParam(key, value.dup()));
    }
}
