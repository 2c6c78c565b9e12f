package dev.graft.surgery;

import dev.graft.spi.ConfigurationException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Checks that examples of a data set's shape fit a graph's input, so that a mismatch (a CSV row of 784 values into
 * a convolution, 1 channel into a 3-channel backbone, 32x32 into a head sized for 28x28) is a configuration error
 * at validate time naming the fetch-dataset option that fixes it, instead of DL4J's shape error in training.
 */
final class InputFit {

    private InputFit() {
    }

    static void require(String step, ComputationGraph graph, long[] exampleShape) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        if (conf.getNetworkInputs().size() != 1) {
            return;
        }
        String input = conf.getNetworkInputs().get(0);
        InputType given = GraphSurgery.inputTypes(exampleShape)[0];
        Map<String, InputType> types;
        // on a copy: DL4J adds the preprocessors these inputs need while it walks, and the graph must stay as it is
        ComputationGraphConfiguration copy = conf.clone();
        try {
            types = copy.getLayerActivationTypes(true, false, given);
        } catch (RuntimeException e) {
            throw misfit(step, exampleShape, firstLayer(conf, input), "DL4J: " + e.getMessage());
        }
        for (String name : conf.getTopologicalOrderStr()) {
            GraphVertex vertex = copy.getVertices().get(name);
            List<String> inputs = copy.getVertexInputs().get(name);
            if (!(vertex instanceof LayerVertex lv) || inputs == null || inputs.size() != 1) {
                continue;
            }
            InputType in = inputs.get(0).equals(input) ? given : types.get(inputs.get(0));
            InputPreProcessor pre = lv.getPreProcessor();
            if (in == null) {
                continue;
            }
            in = pre == null ? in : pre.getOutputType(in);
            // the layer as the graph has it: DL4J's walk may have set the copy's nIn to what it was given
            Layer layer = ((LayerVertex) conf.getVertices().get(name)).getLayerConf().getLayer();
            if (layer instanceof FrozenLayer frozen) {
                layer = frozen.getLayer();
            }
            String problem = problem(layer, in);
            if (problem != null) {
                throw misfit(step, exampleShape, name, problem);
            }
        }
    }

    /** What does not fit between a layer and the activations it is given; null when they fit. */
    private static String problem(Layer layer, InputType in) {
        if (!(layer instanceof FeedForwardLayer ff) || ff.getNIn() <= 0) {
            return null;
        }
        if (layer instanceof ConvolutionLayer) {
            if (!(in instanceof InputType.InputTypeConvolutional c)) {
                return "it is a convolution, which takes images [channels, height, width], and is given " + in;
            }
            return c.getChannels() == ff.getNIn() ? null
                    : "it is a convolution over " + ff.getNIn() + " channels and is given " + c.getChannels();
        }
        if ((layer instanceof DenseLayer || layer instanceof BaseOutputLayer)
                && in.arrayElementsPerExample() != ff.getNIn()) {
            return "it takes " + ff.getNIn() + " values an example and is given " + in.arrayElementsPerExample() + " ("
                    + in + ")";
        }
        return null;
    }

    private static String firstLayer(ComputationGraphConfiguration conf, String input) {
        return conf.getVertexInputs().entrySet().stream().filter(e -> e.getValue().contains(input))
                .map(Map.Entry::getKey).findFirst().orElse(input);
    }

    private static ConfigurationException misfit(String step, long[] shape, String layer, String problem) {
        String fix = shape.length == 1
                ? "set fetch-dataset's shape=CxHxW (e.g. shape=1x28x28 for 784 pixels) so the rows become images"
                : "set fetch-dataset's channels (1 or 3) and resize=WxH (images) or shape=CxHxW (CSV, IDX) to the "
                + "backbone's input";
        return new ConfigurationException(step + ": the data set's examples of shape " + Arrays.toString(shape)
                + " do not fit the model at layer '" + layer + "': " + problem + "; expected examples the backbone "
                + "takes; " + fix);
    }
}
