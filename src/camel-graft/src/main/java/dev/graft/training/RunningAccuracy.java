package dev.graft.training;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Counts, during {@code ComputationGraph.fit}, how many examples of each minibatch the model predicted right on
 * the forward pass it trained with, so the epoch's training accuracy costs one small matrix product a minibatch
 * instead of a second forward pass over the data (what Keras reports as training accuracy, too).
 *
 * <p>DL4J hands listeners every activation except the output layer's own, so this applies the output layer
 * (its preprocessor, {@code input·W + b}) to its input. Only graphs with one output, a dense {@code OutputLayer},
 * qualify ({@link #attach}). Call {@link #expect} with each minibatch's labels before fitting it. Not thread-safe.
 */
public final class RunningAccuracy extends BaseTrainingListener {

    private final String output;
    private final String input;
    private final InputPreProcessor preProcessor;
    private INDArray labels;
    private long correct;
    private long seen;

    private RunningAccuracy(String output, String input, InputPreProcessor preProcessor) {
        this.output = output;
        this.input = input;
        this.preProcessor = preProcessor;
    }

    /** Adds a counter to {@code net}'s listeners, or returns empty when its output layer is not a plain dense one. */
    public static Optional<RunningAccuracy> attach(ComputationGraph net) {
        ComputationGraphConfiguration conf = net.getConfiguration();
        if (conf.getNetworkOutputs().size() != 1) {
            return Optional.empty();
        }
        String out = conf.getNetworkOutputs().get(0);
        GraphVertex v = conf.getVertices().get(out);
        List<String> inputs = conf.getVertexInputs().get(out);
        if (!(v instanceof LayerVertex lv) || lv.getLayerConf().getLayer().getClass() != OutputLayer.class
                || inputs.size() != 1 || !((OutputLayer) lv.getLayerConf().getLayer()).hasBias()) {
            return Optional.empty();
        }
        RunningAccuracy counter = new RunningAccuracy(out, inputs.get(0), lv.getPreProcessor());
        net.addListeners(counter);
        return Optional.of(counter);
    }

    /** A counter fed through {@link #add} only. */
    public static RunningAccuracy detached() {
        return new RunningAccuracy(null, null, null);
    }

    /** The labels of the minibatch about to be fitted. */
    public void expect(INDArray minibatchLabels) {
        this.labels = minibatchLabels;
    }

    /** Fraction right since the last reset, NaN when nothing was seen. */
    public double accuracy() {
        return seen == 0 ? Double.NaN : (double) correct / seen;
    }

    public void reset() {
        correct = 0;
        seen = 0;
    }

    /** Adds a minibatch counted elsewhere (the lean dense-head step). */
    public void add(long right, long examples) {
        correct += right;
        seen += examples;
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
        INDArray in = activations.get(input);
        if (in == null || labels == null) {
            return;
        }
        ComputationGraph net = (ComputationGraph) model;
        if (preProcessor != null) {
            in = preProcessor.preProcess(in, (int) in.size(0), LayerWorkspaceMgr.noWorkspaces());
        }
        INDArray w = net.getLayer(output).getParam(DefaultParamInitializer.WEIGHT_KEY);
        INDArray b = net.getLayer(output).getParam(DefaultParamInitializer.BIAS_KEY);
        INDArray z = Nd4j.gemm(in.castTo(w.dataType()), w, false, false).addiRowVector(b);
        add(correct(z, labels), labels.size(0));
        labels = null;
    }

    /**
     * Rows whose highest pre-activation is the labelled class: the class the output layer predicts, for any
     * activation that keeps the order of a row (softmax, sigmoid, identity).
     */
    public static long correct(INDArray preOutput, INDArray oneHotLabels) {
        return preOutput.argMax(1).eq(oneHotLabels.argMax(1)).castTo(DataType.INT).sumNumber().longValue();
    }
}
