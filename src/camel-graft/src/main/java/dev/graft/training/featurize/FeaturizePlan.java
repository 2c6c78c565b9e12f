package dev.graft.training.featurize;

import dev.graft.nd4j.LayerParams;
import dev.graft.nd4j.RunRandom;
import dev.graft.spi.Examples;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntConsumer;
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

    /**
     * Computes the frontier activations for all examples, in batches, in inference mode, into one array per
     * frontier vertex.
     *
     * <p>The batches run through {@link #frontGraph}, whose {@code output} keeps every intermediate activation in
     * DL4J's reusable workspaces and hands back only the frontier; each batch's copy is written into the result
     * and freed at once. (Asking the whole graph for its activations instead detaches a copy of every layer's
     * output per batch, which glibc keeps after it is freed: 1.4 GB more resident memory on 30,000 images.)
     */
    public INDArray[] featurize(ComputationGraph graph, INDArray features, int batchSize) {
        return featurizer(graph).featurize(features, batchSize, done -> { });
    }

    /** As {@link #featurize(ComputationGraph, INDArray, int)}, telling {@code done} the examples done after each batch. */
    public INDArray[] featurize(ComputationGraph graph, INDArray features, int batchSize, IntConsumer done) {
        return featurizer(graph).featurize(features, batchSize, done);
    }

    /**
     * A featurizer for {@code graph} that builds the frozen front graph once and reuses it (and the workspaces DL4J
     * sizes for it over its first batches) for every call, as a benchmark or a caller featurizing several arrays
     * needs. Not thread-safe.
     */
    public Featurizer featurizer(ComputationGraph graph) {
        List<String> computed = frontier.stream().filter(f -> !source.getNetworkInputs().contains(f)).toList();
        ComputationGraph front = computed.isEmpty() ? null : frontGraph(graph, computed);
        boolean wanted = !"false".equalsIgnoreCase(System.getProperty(DIRECT_PROPERTY));
        return new Featurizer(computed, front, front == null || !wanted ? null : DirectForward.compile(front).orElse(null));
    }

    /** System property: "false" runs the frozen part through DL4J's layers even where the direct path could. */
    public static final String DIRECT_PROPERTY = "graft.featurize.direct";

    /**
     * Images a batch of the direct path holds at most, whatever batch size the caller asks for (the features of an
     * image do not depend on its batch; on 2 cores MobileNetV2 at 224x224 ran fastest at this size): 16, or system
     * property {@value #DIRECT_BATCH_PROPERTY}.
     */
    static final int DIRECT_BATCH = 16;

    /** System property: the direct path's largest batch (the benchmark sets it to measure each batch size). */
    public static final String DIRECT_BATCH_PROPERTY = "graft.featurize.directBatch";

    /** What a featurizer keeps of a batch's activations of one output. */
    @FunctionalInterface
    public interface Each {
        /** The array to keep for output {@code output} (its index in the frontier) of a batch: {@code a} or new. */
        INDArray apply(int output, INDArray a);
    }

    /** Computes the frontier activations through one front graph; see {@link #featurizer}. */
    public final class Featurizer {

        private final List<String> computed;
        private final ComputationGraph front;
        private final DirectForward direct; // null: the front graph's layers run

        private Featurizer(List<String> computed, ComputationGraph front, DirectForward direct) {
            this.computed = computed;
            this.front = front;
            this.direct = direct;
        }

        /** Whether the frozen part runs as libnd4j ops with batch norm folded ({@link DirectForward}), not as DL4J's layers. */
        public boolean direct() {
            return direct != null;
        }

        /** The frontier activations of all examples, as {@link FeaturizePlan#featurize} computes them. */
        public INDArray[] featurize(INDArray features, int batchSize) {
            return featurize(features, batchSize, done -> { });
        }

        /** As {@link #featurize(INDArray, int)}, telling {@code done} the examples done after each batch. */
        public INDArray[] featurize(INDArray features, int batchSize, IntConsumer done) {
            return featurize(features, batchSize, done, (output, a) -> a);
        }

        /**
         * As {@link #featurize(INDArray, int, IntConsumer)}, keeping {@code each.apply(i, activations)} of every
         * batch for output {@code i} rather than the activations themselves (a global pooling, say, so that only the
         * pooled values are held).
         */
        public INDArray[] featurize(INDArray features, int batchSize, IntConsumer done, Each each) {
            int n = (int) features.size(0);
            INDArray[] out = new INDArray[frontier.size()];
            int step = direct == null ? batchSize
                    : Math.min(batchSize, Math.max(1, Integer.getInteger(DIRECT_BATCH_PROPERTY, DIRECT_BATCH)));
            for (int start = 0; start < n; start += step) {
                int end = Math.min(n, start + step);
                INDArray batch = Examples.rows(features, start, end);
                INDArray[] viewed = direct == null ? null : direct.output(batch);
                INDArray[] outputs = viewed != null ? viewed : front == null ? new INDArray[0] : front.output(false, batch);
                for (int i = 0; i < frontier.size(); i++) {
                    String f = frontier.get(i);
                    boolean input = source.getNetworkInputs().contains(f);
                    INDArray raw = input ? batch : outputs[computed.indexOf(f)];
                    INDArray a = each.apply(i, raw);
                    if (out[i] == null) {
                        long[] shape = a.shape().clone();
                        shape[0] = n;
                        out[i] = Nd4j.create(DataType.FLOAT, shape, 'c');
                    }
                    Examples.rows(out[i], start, end).assign(a);
                    if (!input && viewed == null && raw.closeable()) {
                        raw.close();
                    }
                }
                done.accept(end);
            }
            return out;
        }
    }

    /**
     * The constant vertices the computed frontier depends on, as a graph with the source graph's inputs and
     * parameters whose outputs are those frontier vertices, for inference.
     */
    private ComputationGraph frontGraph(ComputationGraph graph, List<String> outputs) {
        Set<String> needed = new LinkedHashSet<>();
        List<String> pending = new ArrayList<>(outputs);
        while (!pending.isEmpty()) {
            String v = pending.remove(pending.size() - 1);
            if (!source.getNetworkInputs().contains(v) && needed.add(v)) {
                pending.addAll(source.getVertexInputs().get(v));
            }
        }
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
                .dataType(graph.params().dataType()).graphBuilder();
        b.addInputs(source.getNetworkInputs());
        List<String> ordered = new ArrayList<>();
        for (String name : source.getTopologicalOrderStr()) {
            if (needed.contains(name)) {
                ordered.add(name);
                b.addVertex(name, source.getVertices().get(name).clone(),
                        source.getVertexInputs().get(name).toArray(String[]::new));
            }
        }
        b.setOutputs(outputs.toArray(String[]::new));
        ComputationGraph front = RunRandom.initialiseForCopy(new ComputationGraph(b.build()));
        copyParams(graph, front, ordered);
        return front;
    }

    /**
     * A featurizer whose outputs are {@code layers} of {@code graph}, frozen or not, each computed in inference mode
     * from one pass through everything they depend on (the direct path where the graph allows it): the candidate
     * cuts of {@code build-head?from=auto}. The graph is not changed.
     */
    public static Featurizer layerOutputs(ComputationGraph graph, List<String> layers) {
        return new FeaturizePlan(graph.getConfiguration(), layers, List.of()).featurizer(graph);
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
        ComputationGraph head = RunRandom.initialiseForCopy(new ComputationGraph(b.build()));
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
                LayerParams.copy(from.getLayer(name), to.getLayer(name));
            }
        }
    }

}
