package dev.graft.training.fastpath;

import dev.graft.training.RunningAccuracy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * A lean minibatch step for heads made of dense layers ending in an output layer: what featurize-once usually
 * leaves to train.
 *
 * <p>{@code ComputationGraph.fit} costs about a millisecond a minibatch before any arithmetic (workspaces,
 * iterator wrapping, listener and validation bookkeeping), which dominates a head whose arithmetic takes tens of
 * microseconds. This step does the same math with a handful of native calls: the forward pass with each
 * layer's own activation function, the output layer's own loss function for the score and the output
 * gradient, the same GEMMs DL4J's dense backprop uses, written into the graph's gradient views, then the
 * graph's own updater (division by the minibatch size, regularisation, learning-rate schedules, optimiser
 * state) and {@code params -= update}, and the iteration count moves on as in {@code fit}. The graph's
 * parameters and updater state are the ones updated, so DL4J can carry on from where this left off.
 *
 * <p>Only plain chains qualify ({@link #of}): one input, layers {@code DenseLayer}* then {@code OutputLayer},
 * each fed by the previous one, with biases, and without dropout, weight noise, constraints, layer norm or
 * gradient normalisation. Anything else trains through {@code fit}. Not thread-safe.
 */
final class DenseHeadLoop {

    private record Step(String name, Layer layer, INDArray w, INDArray b, INDArray wGrad, INDArray bGrad,
                        IActivation activation) {
    }

    private final ComputationGraph net;
    private final List<Step> steps;
    private final ILossFunction loss;
    private final DefaultGradient gradient;
    private final INDArray params;
    private final INDArray update;

    private DenseHeadLoop(ComputationGraph net, List<Step> steps, ILossFunction loss) {
        this.net = net;
        this.steps = steps;
        this.loss = loss;
        this.gradient = new DefaultGradient(net.getFlattenedGradients());
        this.params = net.params();
        this.update = net.getFlattenedGradients().reshape(params.shape()); // a view of the same buffer
        for (Step s : steps) {
            gradient.setGradientFor(s.name + "_" + DefaultParamInitializer.WEIGHT_KEY, s.wGrad);
            gradient.setGradientFor(s.name + "_" + DefaultParamInitializer.BIAS_KEY, s.bGrad);
        }
    }

    /** The loop for {@code net}, or empty when its shape needs DL4J's general {@code fit}. */
    static Optional<DenseHeadLoop> of(ComputationGraph net) {
        Optional<List<String>> chain = chain(net);
        if (chain.isEmpty()) {
            return Optional.empty();
        }
        if (net.getFlattenedGradients() == null) {
            net.initGradientsView();
        }
        List<Step> steps = new ArrayList<>();
        ILossFunction loss = null;
        for (String name : chain.get()) {
            BaseLayer layer = (BaseLayer) net.getLayer(name).conf().getLayer();
            Layer impl = net.getLayer(name);
            Map<String, INDArray> grads = layer.initializer().getGradientsFromFlattened(impl.conf(),
                    impl.getGradientsViewArray());
            steps.add(new Step(name, impl, impl.getParam(DefaultParamInitializer.WEIGHT_KEY),
                    impl.getParam(DefaultParamInitializer.BIAS_KEY), grads.get(DefaultParamInitializer.WEIGHT_KEY),
                    grads.get(DefaultParamInitializer.BIAS_KEY), layer.getActivationFn()));
            if (layer instanceof OutputLayer out) {
                loss = out.getLossFn();
            }
        }
        return Optional.of(new DenseHeadLoop(net, steps, loss));
    }

    /**
     * The layer names of {@code net} in order when it is a plain dense chain (the shape the lean loops take):
     * one input, {@code DenseLayer}* then an {@code OutputLayer} as the one output, each fed by the previous one,
     * with biases, without preprocessors, dropout, weight noise, constraints, layer norm or gradient
     * normalisation; empty otherwise.
     */
    static Optional<List<String>> chain(ComputationGraph net) {
        ComputationGraphConfiguration conf = net.getConfiguration();
        if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
            return Optional.empty();
        }
        String previous = conf.getNetworkInputs().get(0);
        List<String> names = new ArrayList<>();
        boolean ended = false;
        for (String name : conf.getTopologicalOrderStr()) {
            GraphVertex v = conf.getVertices().get(name);
            if (v == null) {
                continue; // the input
            }
            if (ended || !(v instanceof LayerVertex lv) || lv.getPreProcessor() != null
                    || !conf.getVertexInputs().get(name).equals(List.of(previous))) {
                return Optional.empty();
            }
            org.deeplearning4j.nn.conf.layers.Layer layer = lv.getLayerConf().getLayer();
            boolean dense = layer.getClass() == DenseLayer.class && ((DenseLayer) layer).hasBias()
                    && !((DenseLayer) layer).hasLayerNorm();
            boolean output = layer.getClass() == OutputLayer.class && ((OutputLayer) layer).hasBias();
            if (!(dense || output) || !plain((BaseLayer) layer)) {
                return Optional.empty();
            }
            ended = output;
            names.add(name);
            previous = name;
        }
        return ended && previous.equals(conf.getNetworkOutputs().get(0)) ? Optional.of(names) : Optional.empty();
    }

    private static boolean plain(BaseLayer layer) {
        return layer.getIDropout() == null && layer.getWeightNoise() == null
                && (layer.getConstraints() == null || layer.getConstraints().isEmpty())
                && (layer.getGradientNormalization() == null
                || layer.getGradientNormalization() == GradientNormalization.None);
    }

    /**
     * What one step saw.
     *
     * @param score   the minibatch's score before the step (mean loss plus the regularisation term), as
     *                {@code ComputationGraph.score()} gives it after {@code fit}
     * @param correct examples whose highest output was the labelled class, before the step
     */
    record Fitted(double score, long correct) {
    }

    /**
     * One training step on a minibatch, as {@code ComputationGraph.fit(x, labels)} would make it.
     *
     * @param x      [n, inputs], rows of the featurized examples
     * @param labels [n, classes], one-hot
     */
    Fitted fit(INDArray x, INDArray labels) {
        int n = (int) x.size(0);
        int last = steps.size() - 1;
        INDArray[] inputs = new INDArray[steps.size()];
        INDArray[] preOutputs = new INDArray[steps.size()];
        INDArray a = x;
        for (int i = 0; i <= last; i++) {
            Step s = steps.get(i);
            inputs[i] = a;
            INDArray z = Nd4j.gemm(a, s.w, false, false).addiRowVector(s.b);
            preOutputs[i] = z;
            a = i == last ? null : s.activation.getActivation(z.dup(), true);
        }
        Step out = steps.get(last);
        double score = loss.computeScore(labels, preOutputs[last], out.activation, null, false) / n
                + net.calcRegularizationScore(true);
        long correct = RunningAccuracy.correct(preOutputs[last], labels);
        INDArray delta = loss.computeGradient(labels, preOutputs[last], out.activation, null);
        for (int i = last; i >= 0; i--) {
            Step s = steps.get(i);
            Nd4j.gemm(inputs[i], delta, s.wGrad, true, false, 1.0, 0.0);
            delta.sum(s.bGrad, 0);
            if (i > 0) {
                INDArray epsilon = Nd4j.gemm(delta, s.w, false, true);
                delta = steps.get(i - 1).activation.backprop(preOutputs[i - 1], epsilon).getFirst();
            }
        }
        int iteration = net.getConfiguration().getIterationCount();
        net.getUpdater().update(gradient, iteration, net.getConfiguration().getEpochCount(), n,
                LayerWorkspaceMgr.noWorkspaces());
        params.subi(update);
        net.getConfiguration().setIterationCount(iteration + 1);
        return new Fitted(score, correct);
    }
}
