package dev.graft.training.fastpath;

import dev.graft.nd4j.ArrayBytes;
import dev.graft.spi.Examples;
import dev.graft.training.fastpath.SmallHeadLoop.Dense;
import dev.graft.training.fastpath.SmallHeadLoop.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * Sets a {@link SmallHeadLoop} up from a graph: checks that the head qualifies, finds each layer's parameters in
 * the graph's flat parameter array, and copies the examples and their one-hot labels into Java arrays.
 */
final class SmallHeadSetup {

    private SmallHeadSetup() {
    }

    /** The loop for {@code net} trained on {@code train}, or empty when the head does not qualify. */
    static Optional<SmallHeadLoop> of(ComputationGraph net, Examples train, HeadKernels kernels) {
        if (net.numParams() > SmallHeadLoop.MAX_PARAMS || train.inputs()[0].dataType() != DataType.FLOAT
                || train.inputs()[0].rank() != 2 || train.inputs()[0].length() > Integer.MAX_VALUE - 8) {
            return Optional.empty();
        }
        Optional<List<String>> chain = DenseHeadLoop.chain(net);
        if (chain.isEmpty()) {
            return Optional.empty();
        }
        if (net.getFlattenedGradients() == null) {
            net.initGradientsView(); // as fit does first, so the updater sees the graph's gradient views
        }
        INDArray flat = net.params();
        List<Dense> layers = new ArrayList<>();
        IUpdater updater = null;
        for (String name : chain.get()) {
            BaseLayer layer = (BaseLayer) net.getLayer(name).conf().getLayer();
            HeadActivation act = HeadActivation.of(layer.getActivationFn());
            boolean output = layer instanceof OutputLayer;
            if (act == null || (output != (act == HeadActivation.SOFTMAX))) {
                return Optional.empty();
            }
            if (output && !(((OutputLayer) layer).getLossFn() instanceof LossMCXENT mcxent
                    && mcxent.getWeights() == null && mcxent.getSoftmaxClipEps() > 0)) {
                return Optional.empty();
            }
            for (String p : List.of(DefaultParamInitializer.WEIGHT_KEY, DefaultParamInitializer.BIAS_KEY)) {
                IUpdater u = layer.getUpdaterByParam(p);
                if (!(u instanceof Adam || u instanceof Sgd) || (updater != null && !updater.equals(u))) {
                    return Optional.empty();
                }
                updater = u;
                for (Regularization r : layer.getRegularizationByParam(p)) {
                    if (!(r instanceof L2Regularization || r instanceof WeightDecay)) {
                        return Optional.empty();
                    }
                }
            }
            Layer impl = net.getLayer(name);
            INDArray w = impl.getParam(DefaultParamInitializer.WEIGHT_KEY);
            INDArray b = impl.getParam(DefaultParamInitializer.BIAS_KEY);
            if (w.dataType() != DataType.FLOAT || w.ordering() != 'f') {
                return Optional.empty();
            }
            layers.add(new Dense((int) w.size(0), (int) w.size(1), act,
                    new Param((int) w.length(), (int) (w.offset() - flat.offset()), layer.getRegularizationByParam("W")),
                    new Param((int) b.length(), (int) (b.offset() - flat.offset()), layer.getRegularizationByParam("b"))));
        }
        long stateLength = net.getUpdater().getStateViewArray() == null ? 0 : net.getUpdater().getStateViewArray().length();
        if (stateLength != (updater instanceof Adam ? 2 * net.numParams() : 0)) {
            return Optional.empty(); // several updater blocks
        }
        int[] label = labels(train.labels());
        return label == null ? Optional.empty() // soft labels
                : Optional.of(new SmallHeadLoop(net, layers, updater, (int) net.numParams(),
                rowMajorFloats(train.inputs()[0]), (int) train.inputs()[0].size(1), label,
                (int) train.labels().size(1), kernels));
    }

    /** Each row's class when the labels are one-hot (one 1, the rest 0), else null: read in one bulk copy. */
    private static int[] labels(INDArray labels) {
        if (labels.rank() != 2 || labels.size(1) < 1) {
            return null;
        }
        int n = (int) labels.size(0);
        int classes = (int) labels.size(1);
        float[] y = rowMajorFloats(labels);
        int[] label = new int[n];
        for (int r = 0; r < n; r++) {
            int hot = -1;
            for (int c = 0; c < classes; c++) {
                float v = y[r * classes + c];
                if (v == 1f && hot < 0) {
                    hot = c;
                } else if (v != 0f) {
                    return null;
                }
            }
            if (hot < 0) {
                return null;
            }
            label[r] = hot;
        }
        return label;
    }

    /**
     * The examples' inputs as one row-major Java array, copied in bulk from the array's memory (25-40 ms for 60 MB,
     * mostly page faults, where {@code data().asFloat()} took 40-60 ms).
     */
    static float[] rowMajorFloats(INDArray x) {
        float[] values = new float[(int) x.length()];
        java.nio.FloatBuffer into = java.nio.FloatBuffer.wrap(values);
        try {
            ArrayBytes.windows(x, ArrayBytes.PIECE, window -> into.put(window.asFloatBuffer()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // the action does no I/O
        }
        return values;
    }
}
