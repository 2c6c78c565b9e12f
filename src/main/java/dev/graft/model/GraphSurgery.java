package dev.graft.model;

import dev.graft.spi.ConfigurationException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

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

    /** The frozen layers, in topological order. */
    public static List<String> frozenLayers(ComputationGraph graph) {
        return layerNames(graph).stream().filter(n -> isFrozen(graph, n)).toList();
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
        List<String> layers = layerNames(graph);
        for (String name : names) {
            if (!layers.contains(name)) {
                throw new ConfigurationException(step + ": unknown layer '" + name + "'; expected one of " + layers
                        + "\n" + ModelSummary.of(graph, null));
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

    /** A copy of the graph whose trainable layers use the given updater (learning rate included). */
    public static ComputationGraph withUpdater(ComputationGraph graph, IUpdater updater) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        for (GraphVertex v : conf.getVertices().values()) {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer base) {
                base.setIUpdater(updater.clone());
                base.setBiasUpdater(null);
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
     * and adds the declared head on their outputs; several outputs are flattened and concatenated first.
     *
     * @param inputTypes the network's input types, used to infer the head's input sizes
     * @param classes    class count for {@code output(<activation>)} without a number; 0 when unknown
     * @param seed       seeds the new layers' initial weights
     */
    public static ComputationGraph withHead(ComputationGraph graph, List<String> from, List<HeadLayer> head,
                                            InputType[] inputTypes, int classes, long seed) {
        requireLayers("build-head", graph, from);
        ComputationGraphConfiguration conf = graph.getConfiguration();
        Set<String> keep = ancestorsOf(conf, from);
        Map<String, InputType> types;
        try {
            types = conf.getLayerActivationTypes(inputTypes);
        } catch (RuntimeException e) {
            throw new ConfigurationException("build-head: the backbone does not accept input of shape "
                    + List.of(inputTypes) + "; expected the data set's example shape to match the backbone's input", e);
        }

        NeuralNetConfiguration.Builder global = new NeuralNetConfiguration.Builder()
                .seed(seed).weightInit(WeightInit.XAVIER).dataType(DataType.FLOAT);
        ComputationGraphConfiguration.GraphBuilder b = global.graphBuilder();
        List<String> inputs = conf.getNetworkInputs().stream().filter(keep::contains).toList();
        b.addInputs(inputs);
        for (String name : conf.getTopologicalOrderStr()) {
            GraphVertex v = conf.getVertices().get(name);
            if (v != null && keep.contains(name)) {
                b.addVertex(name, v.clone(), conf.getVertexInputs().get(name).toArray(String[]::new));
            }
        }
        String previous;
        if (from.size() == 1) {
            previous = from.get(0);
        } else {
            List<String> flat = new ArrayList<>();
            for (String f : from) {
                InputType t = types.get(f);
                if (t instanceof InputType.InputTypeConvolutional c) {
                    String name = unique(keep, f + "-flat");
                    b.addVertex(name, new PreprocessorVertex(new CnnToFeedForwardPreProcessor(c.getHeight(),
                            c.getWidth(), c.getChannels(), c.getFormat())), f);
                    flat.add(name);
                } else {
                    flat.add(f);
                }
            }
            previous = unique(keep, "head-merge");
            b.addVertex(previous, new MergeVertex(), flat.toArray(String[]::new));
        }
        int index = 0;
        for (HeadLayer layer : head) {
            index++;
            String name;
            Layer conf2;
            switch (layer.kind()) {
                case DENSE -> {
                    name = unique(keep, "head-" + index + "-dense");
                    conf2 = new DenseLayer.Builder().nOut(layer.units()).activation(layer.activation()).build();
                }
                case DROPOUT -> {
                    name = unique(keep, "head-" + index + "-dropout");
                    conf2 = new DropoutLayer.Builder(1.0 - layer.rate()).build();
                }
                default -> {
                    int n = layer.units() > 0 ? layer.units() : classes;
                    if (n <= 0) {
                        throw new ConfigurationException("build-head: output(" + layer.activation().name().toLowerCase()
                                + ") needs the number of classes; expected output(<classes>,<activation>) or "
                                + "'fetch-dataset' before 'build-head'");
                    }
                    name = unique(keep, "head-output");
                    conf2 = new OutputLayer.Builder(lossFor(layer.activation())).nOut(n)
                            .activation(layer.activation()).build();
                }
            }
            b.addLayer(name, conf2, previous);
            previous = name;
        }
        b.setOutputs(previous);
        b.setInputTypes(inputTypes);
        Nd4j.getRandom().setSeed(seed);
        ComputationGraph result = new ComputationGraph(b.build());
        result.init();
        for (String name : keep) {
            if (conf.getVertices().get(name) instanceof LayerVertex && graph.getLayer(name).numParams() > 0) {
                result.getLayer(name).setParams(graph.getLayer(name).params().dup());
            }
        }
        return result;
    }

    private static LossFunction lossFor(Activation activation) {
        return switch (activation) {
            case SOFTMAX -> LossFunction.MCXENT;
            case SIGMOID -> LossFunction.XENT;
            default -> LossFunction.MSE;
        };
    }

    private static String unique(Set<String> taken, String name) {
        String candidate = name;
        int i = 2;
        while (taken.contains(candidate)) {
            candidate = name + "-" + i++;
        }
        taken.add(candidate);
        return candidate;
    }

    /** The given vertices and everything they depend on, inputs included. */
    static Set<String> ancestorsOf(ComputationGraphConfiguration conf, Collection<String> names) {
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
