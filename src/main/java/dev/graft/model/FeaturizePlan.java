package dev.graft.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Featurize-once: when every trainable layer sits after the frozen part of a graph, the frozen part's
 * outputs (the frontier) do not change during training, so they are computed once and only the
 * trainable part (the head graph) is trained on them.
 *
 * <p>A vertex is constant when it is an input, a frozen layer, or a parameter-free layer without
 * dropout (pooling, say) or other vertex, and all its inputs are constant.
 */
public final class FeaturizePlan {

    private final List<String> frontier;
    private final List<String> trainable;
    private final ComputationGraphConfiguration source;

    private FeaturizePlan(ComputationGraphConfiguration source, List<String> frontier, List<String> trainable) {
        this.source = source;
        this.frontier = List.copyOf(frontier);
        this.trainable = List.copyOf(trainable);
    }

    /** The plan for a graph, or empty when featurizing would change the result or gain nothing. */
    public static Optional<FeaturizePlan> of(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        Set<String> constant = new LinkedHashSet<>(conf.getNetworkInputs());
        boolean anyFrozen = false;
        for (String name : conf.getTopologicalOrderStr()) {
            GraphVertex v = conf.getVertices().get(name);
            if (v == null) {
                continue;
            }
            boolean inputsConstant = constant.containsAll(conf.getVertexInputs().get(name));
            boolean frozen = v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof FrozenLayer;
            anyFrozen |= frozen;
            if (frozen && !inputsConstant) {
                return Optional.empty(); // a trainable layer feeds a frozen one: full forward passes are needed
            }
            if (inputsConstant && (frozen || isStateless(v, graph, name))) {
                constant.add(name);
            }
        }
        if (!anyFrozen) {
            return Optional.empty();
        }
        for (String out : conf.getNetworkOutputs()) {
            if (constant.contains(out)) {
                return Optional.empty(); // nothing left to train
            }
        }
        List<String> frontier = new ArrayList<>();
        List<String> trainable = new ArrayList<>();
        for (String name : conf.getTopologicalOrderStr()) {
            if (constant.contains(name)) {
                continue;
            }
            trainable.add(name);
            for (String in : conf.getVertexInputs().get(name)) {
                if (constant.contains(in) && !frontier.contains(in)) {
                    frontier.add(in);
                }
            }
        }
        frontier.sort((a, b) -> conf.getTopologicalOrderStr().indexOf(a) - conf.getTopologicalOrderStr().indexOf(b));
        return Optional.of(new FeaturizePlan(conf, frontier, trainable));
    }

    private static boolean isStateless(GraphVertex v, ComputationGraph graph, String name) {
        if (!(v instanceof LayerVertex lv)) {
            return true;
        }
        Layer layer = lv.getLayerConf().getLayer();
        if (layer instanceof DropoutLayer || layer.getIDropout() != null) {
            return false;
        }
        return graph.getLayer(name).numParams() == 0;
    }

    /** The vertices (or inputs) whose outputs are computed once, in topological order. */
    public List<String> frontier() {
        return frontier;
    }

    /** The vertices trained on the features, in topological order. */
    public List<String> trainable() {
        return trainable;
    }

    /** Computes the frontier activations for all examples, in batches, in inference mode. */
    public INDArray[] featurize(ComputationGraph graph, INDArray features, int batchSize) {
        int n = (int) features.size(0);
        int until = 0;
        for (String f : frontier) {
            if (graph.getVertex(f) != null && !graph.getVertex(f).isInputVertex()) {
                until = Math.max(until, graph.getVertex(f).getVertexIndex());
            }
        }
        List<List<INDArray>> parts = new ArrayList<>();
        frontier.forEach(f -> parts.add(new ArrayList<>()));
        for (int start = 0; start < n; start += batchSize) {
            INDArray batch = Batches.rows(features, start, Math.min(n, start + batchSize));
            Map<String, INDArray> acts = graph.feedForward(new INDArray[] {batch}, until, false);
            for (int i = 0; i < frontier.size(); i++) {
                String f = frontier.get(i);
                INDArray a = source.getNetworkInputs().contains(f) ? batch : acts.get(f);
                parts.get(i).add(a.castTo(DataType.FLOAT).dup());
            }
        }
        INDArray[] out = new INDArray[frontier.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Nd4j.concat(0, parts.get(i).toArray(INDArray[]::new));
        }
        return out;
    }

    /** A graph of only the trainable vertices, taking the frontier as its inputs, with the source graph's parameters. */
    public ComputationGraph headGraph(ComputationGraph graph) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT).graphBuilder();
        b.addInputs(frontier);
        for (String name : trainable) {
            b.addVertex(name, source.getVertices().get(name).clone(),
                    source.getVertexInputs().get(name).toArray(String[]::new));
        }
        b.setOutputs(source.getNetworkOutputs().toArray(String[]::new));
        ComputationGraph head = new ComputationGraph(b.build());
        head.init();
        copyParams(graph, head, trainable);
        return head;
    }

    /** A copy of the full graph with the trained head's parameters written back. */
    public ComputationGraph merge(ComputationGraph full, ComputationGraph head) {
        ComputationGraph result = full.clone();
        copyParams(head, result, trainable);
        return result;
    }

    private static void copyParams(ComputationGraph from, ComputationGraph to, List<String> names) {
        Map<String, Boolean> seen = new HashMap<>();
        for (String name : names) {
            if (from.getLayer(name) != null && from.getLayer(name).numParams() > 0 && seen.put(name, true) == null) {
                to.getLayer(name).setParams(from.getLayer(name).params().dup());
            }
        }
    }

}
