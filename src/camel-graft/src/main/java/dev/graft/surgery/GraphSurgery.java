package dev.graft.surgery;

import dev.graft.spi.ConfigurationException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Model surgery over DL4J computation graphs: list, freeze, cut and re-head, change the updater.
 *
 * <p>Every operation returns a new graph with the parameters copied; the input graph is never changed.
 */
public final class GraphSurgery {

    private GraphSurgery() {
    }

    /** Names of the graph's layers (not inputs or other vertices) in topological order, as in Keras {@code model.layers}. */
    public static List<String> layerNames(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        List<String> names = new ArrayList<>();
        for (String name : conf.getTopologicalOrderStr()) {
            if (conf.getVertices().get(name) instanceof LayerVertex) {
                names.add(name);
            }
        }
        return names;
    }

    /** Names of every vertex (layers and others such as merges), in topological order, inputs excluded. */
    public static List<String> vertexNames(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        List<String> names = new ArrayList<>();
        for (String name : conf.getTopologicalOrderStr()) {
            if (conf.getVertices().containsKey(name)) {
                names.add(name);
            }
        }
        return names;
    }

    /** True when the named layer is wrapped as frozen. */
    public static boolean isFrozen(ComputationGraph graph, String layer) {
        return graph.getConfiguration().getVertices().get(layer) instanceof LayerVertex lv
                && lv.getLayerConf().getLayer() instanceof FrozenLayer;
    }

    /**
     * Refuses a graph in which a frozen layer lies after a trainable one: DL4J's frozen layers pass no gradient back,
     * so training stops with "all epsilons not set" (or the layers before get none).
     *
     * @throws ConfigurationException naming the first such frozen layer, a trainable layer before it, and the fix
     */
    public static void requireGradientPath(String step, ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        java.util.Map<String, String> trainableBefore = new java.util.HashMap<>(); // vertex -> a trainable layer at or before it
        for (String name : conf.getTopologicalOrderStr()) {
            String found = null;
            for (String in : conf.getVertexInputs().getOrDefault(name, List.of())) {
                found = found != null ? found : trainableBefore.get(in);
            }
            if (found != null && isFrozen(graph, name)) {
                throw new ConfigurationException(step + ": frozen layer '" + name + "' lies after trainable layer '"
                        + found + "'; expected every layer after a trainable one to train as well (DL4J passes no "
                        + "gradient back through a frozen layer, so training would stop with 'all epsilons not set'); "
                        + "unfreeze '" + name + "' too, or freeze '" + found + "' and the layers before it");
            }
            boolean trains = conf.getVertices().get(name) instanceof LayerVertex && !isFrozen(graph, name)
                    && graph.getLayer(name) != null && graph.getLayer(name).numParams() > 0;
            if (trains || found != null) {
                trainableBefore.put(name, found != null ? found : name);
            }
        }
    }

    /** The frozen layers, in topological order. */
    public static List<String> frozenLayers(ComputationGraph graph) {
        return layerNames(graph).stream().filter(n -> isFrozen(graph, n)).toList();
    }

    /**
     * Checks that the graph's single output layer has one unit per class of the data set, so a mismatch is a
     * configuration error at configure or validate time instead of DL4J's shape error deep inside training.
     *
     * @throws ConfigurationException {@code <step>: output layer 'x' has 10 units; expected 5, one per class ...}
     */
    public static void requireOutputFits(String step, ComputationGraph graph, int classes) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        if (classes <= 0 || conf.getNetworkOutputs().size() != 1) {
            return;
        }
        String output = conf.getNetworkOutputs().get(0);
        Layer layer = conf.getVertices().get(output) instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
        if (layer instanceof FrozenLayer frozen) {
            layer = frozen.getLayer();
        }
        if (layer instanceof org.deeplearning4j.nn.conf.layers.FeedForwardLayer ff && ff.getNOut() != classes) {
            throw new ConfigurationException(String.format(Locale.ROOT,
                    "%s: output layer '%s' has %d units; expected %d, one per class of the data set; give the head "
                            + "output(%d,softmax) (build-head's 'layers'), or keep only %d classes with fetch-dataset's "
                            + "'classes'", step, output, ff.getNOut(), classes, classes, ff.getNOut()));
        }
    }

    /**
     * Checks that examples of {@code exampleShape} fit the graph's input: every convolution gets images of its
     * channel count and every dense or output layer its input size, so a mismatch is a configuration error naming
     * the fetch-dataset option that fixes it instead of DL4J's shape error deep inside training.
     *
     * @throws ConfigurationException {@code <step>: the data set's examples of shape [784] do not fit ...}
     */
    public static void requireInputFits(String step, ComputationGraph graph, long[] exampleShape) {
        InputFit.require(step, graph, exampleShape);
    }

    /** Number of parameters of a layer (0 for pooling and the like). */
    public static long paramCount(ComputationGraph graph, String layer) {
        return graph.getLayer(layer).numParams();
    }

    /**
     * Checks that every name is a layer of the graph.
     *
     * @throws ConfigurationException {@code <step>: unknown layer 'x'; expected one of [...]}
     */
    public static void requireLayers(String step, ComputationGraph graph, Collection<String> names) {
        requireLayers(step, graph, names, null);
    }

    /** Like {@link #requireLayers(String, ComputationGraph, Collection)}, with output shapes in the error's table. */
    public static void requireLayers(String step, ComputationGraph graph, Collection<String> names, InputType[] types) {
        List<String> layers = layerNames(graph);
        for (String name : names) {
            if (!layers.contains(name)) {
                throw new ConfigurationException(step + ": unknown layer '" + name + "'; expected one of " + layers
                        + "\n" + ModelSummary.of(graph, types));
            }
        }
    }

    /** A copy of the graph with the named layers frozen (their parameters never change in training; dropout and batch norm in inference mode). */
    public static ComputationGraph freeze(ComputationGraph graph, Collection<String> names) {
        requireLayers("freeze-layers", graph, names);
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        for (String name : names) {
            LayerVertex lv = (LayerVertex) conf.getVertices().get(name);
            Layer layer = lv.getLayerConf().getLayer();
            if (!(layer instanceof FrozenLayer)) {
                FrozenLayer frozen = new FrozenLayer(layer);
                frozen.setLayerName(name);
                lv.getLayerConf().setLayer(frozen);
            }
        }
        return rebuild(conf, graph);
    }

    /**
     * A copy of the graph with the named layers trainable again (the layers' own settings come back); a frozen batch
     * norm among them stays in inference mode, folded into the convolution before it ({@link InferenceBatchNorm}),
     * and its name then holds an identity activation.
     */
    public static ComputationGraph unfreeze(ComputationGraph graph, Collection<String> names) {
        requireLayers("unfreeze-layers", graph, names);
        ComputationGraph folded = InferenceBatchNorm.fold("unfreeze-layers", graph,
                names.stream().filter(n -> isFrozen(graph, n)).toList());
        ComputationGraphConfiguration conf = folded.getConfiguration().clone();
        for (String name : names) {
            LayerVertex lv = (LayerVertex) conf.getVertices().get(name);
            if (lv.getLayerConf().getLayer() instanceof FrozenLayer frozen) {
                Layer layer = frozen.getLayer();
                layer.setLayerName(name);
                lv.getLayerConf().setLayer(layer);
            }
        }
        return rebuild(conf, folded);
    }

    /** A copy of the graph whose trainable layers use the given updater (learning rate included). */
    public static ComputationGraph withUpdater(ComputationGraph graph, IUpdater updater) {
        return withTraining(graph, updater, List.of());
    }

    /**
     * A copy of the graph whose trainable layers use the given updater and weight regularisation (L2 or
     * weight decay, on weights, not biases). Frozen layers are left exactly as they are: they have no
     * updater, and DL4J computes neither gradient nor regularisation for them.
     */
    public static ComputationGraph withTraining(ComputationGraph graph, IUpdater updater,
                                                List<Regularization> regularization) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        for (GraphVertex v : conf.getVertices().values()) {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer base) {
                base.setIUpdater(updater.clone());
                base.setBiasUpdater(null);
                base.setRegularization(regularization.stream().map(Regularization::clone).toList());
                base.setRegularizationBias(List.of());
            }
        }
        return rebuild(conf, graph);
    }

    private static ComputationGraph rebuild(ComputationGraphConfiguration conf, ComputationGraph source) {
        ComputationGraph copy = new ComputationGraph(conf);
        copy.init(source.params().dup(), false);
        return copy;
    }

    /**
     * Cuts the graph after the given layers (dropping everything not feeding them, old outputs included)
     * and adds the declared head on their outputs; image outputs are flattened, several outputs concatenated.
     *
     * @param inputTypes the network's input types, used to infer the head's input sizes
     * @param classes    class count for {@code output(<activation>)} without a number; 0 when unknown
     * @param seed       seeds the new layers' initial weights
     */
    public static ComputationGraph withHead(ComputationGraph graph, List<String> from, List<HeadLayer> head,
                                            InputType[] inputTypes, int classes, long seed) {
        return withHead(graph, from, head, Pooling.FLATTEN, inputTypes, classes, seed, source -> {
            throw new ConfigurationException("build-head: cannot load model block '" + source + "' here; expected "
                    + "a block loader");
        });
    }

    /**
     * Like {@link #withHead(ComputationGraph, List, List, InputType[], int, long)}, with the way image outputs
     * become vectors ({@code flatten}, {@code avg} or {@code max} global pooling) and a loader for the saved
     * models that {@code model(<source>)} head layers splice in.
     */
    public static ComputationGraph withHead(ComputationGraph graph, List<String> from, List<HeadLayer> head,
                                            Pooling pooling, InputType[] inputTypes, int classes, long seed,
                                            Function<String, ComputationGraph> blocks) {
        return HeadBuilder.build(graph, from, head, pooling,
                inputTypes, classes, seed, blocks);
    }

    /** The input types of a network fed with examples of the given shape: {c, h, w} images or {n} vectors. */
    public static InputType[] inputTypes(long[] exampleShape) {
        return new InputType[] {exampleShape.length == 3
                ? InputType.convolutional(exampleShape[1], exampleShape[2], exampleShape[0])
                : InputType.feedForward(exampleShape[0])};
    }

    /** The given vertices and everything they depend on, inputs included. */
    public static Set<String> ancestorsOf(ComputationGraphConfiguration conf, Collection<String> names) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(names);
        while (!todo.isEmpty()) {
            String n = todo.pop();
            if (seen.add(n)) {
                List<String> in = conf.getVertexInputs().get(n);
                if (in != null) {
                    todo.addAll(in);
                }
            }
        }
        return seen;
    }
}
