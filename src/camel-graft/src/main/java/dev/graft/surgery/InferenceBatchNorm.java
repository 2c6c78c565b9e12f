package dev.graft.surgery;

import dev.graft.nd4j.BatchNormFold;
import dev.graft.nd4j.LayerParams;
import dev.graft.spi.ConfigurationException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reopening a frozen batch normalisation keeps it in inference mode, as Keras fine-tuning does with
 * {@code training=False}: its running statistics stay fixed while gradients flow through it to the layers below.
 *
 * <p>DL4J has no such mode (an unfrozen batch norm trains on batch statistics; its gradient is the batch-statistics
 * one even when wrapped to run in inference mode), so the batch norm is folded into the convolution before it: the
 * convolution gets w' = w·γ/√(σ²+ε) and a bias b' = (b−μ)·γ/√(σ²+ε)+β, and the batch norm's vertex becomes an
 * identity activation of the same name. The folded pair computes exactly what the inference-mode pair computed, and
 * training w' and b' spans what training the convolution with γ and β does.
 */
final class InferenceBatchNorm {

    private InferenceBatchNorm() {
    }

    /**
     * A copy of {@code graph} with the named batch norms (others among {@code names} are ignored) folded into their
     * convolutions; {@code graph} itself unchanged.
     *
     * @throws ConfigurationException when a named batch norm does not follow a convolution (plain or depthwise,
     *                                identity activation) that feeds nothing else
     */
    static ComputationGraph fold(String step, ComputationGraph graph, Collection<String> names) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        Map<String, List<String>> consumers = new HashMap<>();
        conf.getVertexInputs().forEach((v, ins) -> ins.forEach(i -> consumers.computeIfAbsent(i, k -> new ArrayList<>())
                .add(v)));
        Map<String, String> convOf = new HashMap<>(); // batch norm -> its convolution
        for (String name : names) {
            if (!(inner(conf.getVertices().get(name)) instanceof BatchNormalization)) {
                continue;
            }
            List<String> ins = conf.getVertexInputs().get(name);
            String conv = ins.size() == 1 ? ins.get(0) : null;
            Layer before = conv == null ? null : inner(conf.getVertices().get(conv));
            if (!(before instanceof ConvolutionLayer c)
                    || c.getClass() != ConvolutionLayer.class && c.getClass() != DepthwiseConvolution2D.class
                    || !(c.getActivationFn() instanceof ActivationIdentity)
                    || consumers.getOrDefault(conv, List.of()).size() != 1 || conf.getNetworkOutputs().contains(conv)
                    || ((LayerVertex) conf.getVertices().get(name)).getPreProcessor() != null) {
                throw new ConfigurationException(step + ": batch norm '" + name + "' cannot train in inference mode; "
                        + "expected it right after a convolution without activation that feeds nothing else (its "
                        + "running statistics are folded into that convolution); keep '" + name + "' and the layers "
                        + "before it frozen");
            }
            c.setHasBias(true);
            ActivationLayer identity = new ActivationLayer.Builder().activation(Activation.IDENTITY).build();
            identity.setLayerName(name);
            ((LayerVertex) conf.getVertices().get(name)).getLayerConf().setLayer(identity);
            convOf.put(name, conv);
        }
        if (convOf.isEmpty()) {
            return graph;
        }
        ComputationGraph copy = new ComputationGraph(conf);
        copy.init();
        for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            if (layer.numParams() > 0 && !convOf.containsKey(name) && !convOf.containsValue(name)) {
                LayerParams.copy(layer, copy.getLayer(name));
            }
        }
        convOf.forEach((bn, conv) -> foldInto(graph, copy, bn, conv));
        return copy;
    }

    private static void foldInto(ComputationGraph graph, ComputationGraph copy, String bn, String conv) {
        BatchNormalization norm = (BatchNormalization) inner(graph.getConfiguration().getVertices().get(bn));
        BatchNormFold f = BatchNormFold.of(graph.getLayer(bn).paramTable(), norm);
        INDArray scale = f.scale();
        long channels = scale.length();
        Map<String, INDArray> c = graph.getLayer(conv).paramTable();
        INDArray w = c.get("W");
        boolean depthwise = inner(graph.getConfiguration().getVertices().get(conv)) instanceof DepthwiseConvolution2D;
        // plain weights [oC, iC, kH, kW] scale along dimension 0; depthwise [kH, kW, iC, m] along the last two
        INDArray folded = depthwise
                ? w.reshape('c', w.length() / channels, channels).mulRowVector(scale).reshape('c', w.shape())
                : w.reshape('c', channels, w.length() / channels).mulColumnVector(scale.reshape(channels, 1))
                .reshape('c', w.shape());
        INDArray bias = f.foldBias(c.get("b"));
        copy.getLayer(conv).setParam("W", folded);
        copy.getLayer(conv).setParam("b", bias.reshape(copy.getLayer(conv).getParam("b").shape()));
    }

    private static Layer inner(GraphVertex v) {
        if (!(v instanceof LayerVertex lv)) {
            return null;
        }
        Layer layer = lv.getLayerConf().getLayer();
        return layer instanceof FrozenLayer f ? f.getLayer() : layer;
    }
}
