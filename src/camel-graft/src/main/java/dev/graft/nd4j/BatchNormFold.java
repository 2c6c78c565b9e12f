package dev.graft.nd4j;

import java.util.Map;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Inference-mode batch normalisation as a per-channel affine map, y = x·scale + shift with
 * scale = γ/√(σ²+ε) and shift = β − μ·scale, which folds into the convolution before it: w' = w·scale,
 * b' = b·scale + shift.
 *
 * @param scale per output channel, rank 1
 * @param shift per output channel, rank 1
 */
public record BatchNormFold(INDArray scale, INDArray shift) {

    /**
     * The affine map of a DL4J batch norm's running statistics, for either of DL4J's layouts: variance stored, or
     * σ = 10^log10stdev stored ({@code useLogStd}); DL4J adds ε to σ² in both.
     *
     * @param params the layer's parameter table (gamma, beta, mean, and var or log10stdev)
     */
    public static BatchNormFold of(Map<String, INDArray> params, BatchNormalization conf) {
        INDArray beta = params.get("beta");
        long channels = beta.length();
        INDArray var = conf.isUseLogStd()
                ? Transforms.pow(Nd4j.valueArrayOf(new long[] {channels}, 100.0, beta.dataType()),
                params.get("log10stdev").reshape(channels))
                : params.get("var").reshape(channels);
        INDArray scale = params.get("gamma").reshape(channels).div(Transforms.sqrt(var.add(conf.getEps()), false));
        INDArray shift = beta.reshape(channels).sub(params.get("mean").reshape(channels).mul(scale));
        return new BatchNormFold(scale, shift);
    }

    /** b·scale + shift, a new array; {@code bias} may be null (a convolution without one). */
    public INDArray foldBias(INDArray bias) {
        return bias == null ? shift.dup() : bias.reshape(scale.length()).mul(scale).addi(shift);
    }
}
