package dev.graft.surgery;

import dev.graft.nd4j.LayerParams;
import dev.graft.nd4j.RunRandom;
import dev.graft.spi.ConfigurationException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Builds a new head on a graph: keeps what feeds the chosen layer outputs (old outputs and everything
 * else dropped), turns image outputs into vectors (flatten or global pooling), concatenates several,
 * then adds the declared layers, splicing saved models in as blocks. Returns a new graph; the backbone's
 * parameters are copied, never shared.
 */
final class HeadBuilder {

    private static final String STEP = "build-head";

    /** How an image-shaped layer output becomes a vector for the head. */

    private final ComputationGraph graph;
    private final ComputationGraphConfiguration conf;
    private final InputType[] inputTypes;
    private final Set<String> kept;
    private final Set<String> taken;
    private final ComputationGraphConfiguration.GraphBuilder b;
    private final Map<String, org.deeplearning4j.nn.api.Layer> copiedParams = new LinkedHashMap<>();

    private HeadBuilder(ComputationGraph graph, List<String> from, InputType[] inputTypes, long seed) {
        this.graph = graph;
        this.conf = graph.getConfiguration();
        this.inputTypes = inputTypes;
        this.kept = Set.copyOf(GraphSurgery.ancestorsOf(conf, from));
        this.taken = new HashSet<>(kept);
        this.b = new NeuralNetConfiguration.Builder().seed(seed).weightInit(WeightInit.XAVIER).dataType(DataType.FLOAT)
                .graphBuilder();
    }

    static ComputationGraph build(ComputationGraph graph, List<String> from, List<HeadLayer> head, Pooling pooling,
                                  InputType[] inputTypes, int classes, long seed,
                                  Function<String, ComputationGraph> blocks) {
        GraphSurgery.requireLayers(STEP, graph, from, inputTypes);
        HeadBuilder h = new HeadBuilder(graph, from, inputTypes, seed);
        Map<String, InputType> types = h.trunk(from);
        Map.Entry<String, Long> vector = h.vectorise(from, types, pooling);
        String previous = vector.getKey();
        long size = vector.getValue();
        int index = 0;
        for (HeadLayer layer : head) {
            index++;
            switch (layer.kind()) {
                case DENSE -> {
                    previous = h.add("head-" + index + "-dense", new DenseLayer.Builder().nIn(size).nOut(layer.units())
                            .activation(layer.activation()).build(), previous);
                    size = layer.units();
                }
                case DROPOUT -> previous = h.add("head-" + index + "-dropout",
                        new DropoutLayer.Builder(1.0 - layer.rate()).build(), previous);
                case MODEL -> {
                    ComputationGraph block = blocks.apply(layer.source());
                    String[] out = h.splice(block, layer.source(), "block-" + index + "-", previous, size,
                            describe(from, previous));
                    previous = out[0];
                    size = Long.parseLong(out[1]);
                }
                default -> {
                    int n = layer.units() > 0 ? layer.units() : classes;
                    if (n <= 0) {
                        throw new ConfigurationException(STEP + ": output(" + layer.activation().name().toLowerCase()
                                + ") needs the number of classes; expected output(<classes>,<activation>) or "
                                + "'fetch-dataset' before '" + STEP + "'");
                    }
                    previous = h.add("head-output", new OutputLayer.Builder(lossFor(layer.activation())).nIn(size)
                            .nOut(n).activation(layer.activation()).build(), previous);
                }
            }
        }
        return h.finish(previous, seed);
    }

    private static String describe(List<String> from, String previous) {
        return from.contains(previous) ? "'" + previous + "'" : "the head so far (from " + from + ")";
    }

    /** Adds the kept backbone vertices; returns the activation types of every kept vertex. */
    private Map<String, InputType> trunk(List<String> from) {
        List<String> inputs = conf.getNetworkInputs().stream().filter(kept::contains).toList();
        if (inputs.size() != inputTypes.length) {
            throw new ConfigurationException(STEP + ": layers " + from + " depend on the backbone inputs " + inputs
                    + "; expected layers fed by exactly " + inputTypes.length + " input(s) of " + conf.getNetworkInputs()
                    + ", as a data set has one features array");
        }
        ComputationGraphConfiguration.GraphBuilder t = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .graphBuilder();
        for (ComputationGraphConfiguration.GraphBuilder g : List.of(b, t)) {
            g.addInputs(inputs);
            for (String name : conf.getTopologicalOrderStr()) {
                GraphVertex v = conf.getVertices().get(name);
                if (v != null && kept.contains(name)) {
                    g.addVertex(name, v.clone(), conf.getVertexInputs().get(name).toArray(String[]::new));
                }
            }
        }
        t.setOutputs(from.toArray(String[]::new));
        try {
            return t.build().getLayerActivationTypes(inputTypes);
        } catch (RuntimeException e) {
            throw new ConfigurationException(STEP + ": the backbone does not accept input of shape "
                    + List.of(inputTypes) + "; expected the data set's example shape to match the backbone's input\n"
                    + ModelSummary.of(graph, null), e);
        }
    }

    /**
     * Turns each chosen output into a vector and concatenates several; returns the vertex feeding the head
     * and its size.
     */
    private Map.Entry<String, Long> vectorise(List<String> from, Map<String, InputType> types, Pooling pooling) {
        List<String> vectors = new ArrayList<>();
        long total = 0;
        for (String f : from) {
            InputType t = types.get(f);
            if (t instanceof InputType.InputTypeConvolutional c) {
                if (pooling == Pooling.FLATTEN) {
                    String name = unique(f + "-flat");
                    b.addVertex(name, new PreprocessorVertex(new CnnToFeedForwardPreProcessor(c.getHeight(),
                            c.getWidth(), c.getChannels(), c.getFormat())), f);
                    vectors.add(name);
                    total += c.getHeight() * c.getWidth() * c.getChannels();
                } else {
                    vectors.add(add(f + "-" + pooling.name().toLowerCase() + "pool", new GlobalPoolingLayer.Builder(
                            pooling == Pooling.AVG ? PoolingType.AVG : PoolingType.MAX).build(), f));
                    total += c.getChannels();
                }
            } else if (t instanceof InputType.InputTypeFeedForward ff) {
                vectors.add(f);
                total += ff.getSize();
            } else {
                throw new ConfigurationException(STEP + ": layer '" + f + "' outputs " + t + "; expected image "
                        + "[channels, height, width] or vector outputs to build a head on\n"
                        + ModelSummary.of(graph, inputTypes));
            }
        }
        if (vectors.size() == 1) {
            return Map.entry(vectors.get(0), total);
        }
        String merge = unique("head-merge");
        b.addVertex(merge, new MergeVertex(), vectors.toArray(String[]::new));
        return Map.entry(merge, total);
    }

    /**
     * Copies a saved model's vertices after {@code previous}; its output layer becomes a dense layer with the
     * same weights. Returns the block's last vertex and its output size.
     */
    private String[] splice(ComputationGraph block, String source, String prefix, String previous, long size,
                            String feeder) {
        ComputationGraphConfiguration bc = block.getConfiguration();
        if (bc.getNetworkInputs().size() != 1 || bc.getNetworkOutputs().size() != 1) {
            throw new ConfigurationException(STEP + ": model block '" + source + "' has inputs " + bc.getNetworkInputs()
                    + " and outputs " + bc.getNetworkOutputs() + "; expected a block with one input and one output");
        }
        String blockInput = bc.getNetworkInputs().get(0);
        Map<String, String> renamed = new HashMap<>();
        renamed.put(blockInput, previous);
        for (String name : bc.getTopologicalOrderStr()) {
            GraphVertex v = bc.getVertices().get(name);
            if (v == null) {
                continue;
            }
            List<String> in = bc.getVertexInputs().get(name);
            if (in.contains(blockInput)) {
                checkFits(block, source, name, v, size, feeder);
            }
            String newName = unique(prefix + name);
            renamed.put(name, newName);
            GraphVertex copy = v.clone();
            if (copy instanceof LayerVertex lv) {
                lv.getLayerConf().setLayer(asHidden(lv.getLayerConf().getLayer(), newName));
                if (block.getLayer(name).numParams() > 0) {
                    copiedParams.put(newName, block.getLayer(name));
                }
            }
            b.addVertex(newName, copy, in.stream().map(renamed::get).toArray(String[]::new));
        }
        String out = bc.getNetworkOutputs().get(0);
        long outSize;
        try {
            outSize = bc.getLayerActivationTypes(InputType.feedForward(size)).get(out).arrayElementsPerExample();
        } catch (RuntimeException e) {
            throw new ConfigurationException(STEP + ": model block '" + source + "' does not accept " + size
                    + " inputs; expected a block of layers on vectors\n" + ModelSummary.of(block, null), e);
        }
        return new String[] {renamed.get(out), String.valueOf(outSize)};
    }

    private static void checkFits(ComputationGraph block, String source, String name, GraphVertex v, long size,
                                  String feeder) {
        Layer layer = v instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
        if (layer instanceof FrozenLayer f) {
            layer = f.getLayer();
        }
        if (!(layer instanceof FeedForwardLayer ff) || layer instanceof ConvolutionLayer) {
            throw new ConfigurationException(STEP + ": model block '" + source + "' starts with '" + name + "' ("
                    + (layer == null ? v.getClass().getSimpleName() : layer.getClass().getSimpleName())
                    + "); expected a block whose first layers are dense layers taking " + size + " inputs\n"
                    + ModelSummary.of(block, null));
        }
        if (ff.getNIn() != size) {
            throw new ConfigurationException(STEP + ": model block '" + source + "' takes " + ff.getNIn()
                    + " inputs at layer '" + name + "' but " + feeder + " gives " + size + "; expected a block whose "
                    + "first layer has nIn " + size + "\n" + ModelSummary.of(block, null));
        }
    }

    /** An output layer inside a head becomes a dense layer with the same parameters (frozen stays frozen). */
    private static Layer asHidden(Layer layer, String name) {
        Layer inner = layer instanceof FrozenLayer f ? f.getLayer() : layer;
        Layer result = inner;
        if (inner instanceof BaseOutputLayer out) {
            DenseLayer dense = new DenseLayer.Builder().nIn(out.getNIn()).nOut(out.getNOut())
                    .activation(out.getActivationFn()).hasBias(out.hasBias()).weightInit(out.getWeightInitFn())
                    .biasInit(out.getBiasInit()).updater(out.getIUpdater()).build();
            dense.setBiasUpdater(out.getBiasUpdater());
            dense.setRegularization(out.getRegularization());
            dense.setRegularizationBias(out.getRegularizationBias());
            result = dense;
        }
        result.setLayerName(name);
        if (layer instanceof FrozenLayer) {
            FrozenLayer frozen = new FrozenLayer(result);
            frozen.setLayerName(name);
            return frozen;
        }
        return result;
    }

    private String add(String name, Layer layer, String input) {
        String unique = unique(name);
        b.addLayer(unique, layer, input);
        return unique;
    }

    private String unique(String name) {
        String candidate = name;
        int i = 2;
        while (taken.contains(candidate)) {
            candidate = name + "-" + i++;
        }
        taken.add(candidate);
        return candidate;
    }

    private ComputationGraph finish(String output, long seed) {
        b.setOutputs(output);
        b.setInputTypes(inputTypes);
        ComputationGraph result = RunRandom.initialise(new ComputationGraph(b.build()), seed);
        for (String name : kept) {
            if (conf.getVertices().get(name) instanceof LayerVertex && graph.getLayer(name).numParams() > 0) {
                LayerParams.copy(graph.getLayer(name), result.getLayer(name));
            }
        }
        copiedParams.forEach((name, layer) -> LayerParams.copy(layer, result.getLayer(name)));
        return result;
    }

    private static LossFunction lossFor(Activation activation) {
        return switch (activation) {
            case SOFTMAX -> LossFunction.MCXENT;
            case SIGMOID -> LossFunction.XENT;
            default -> LossFunction.MSE;
        };
    }
}
