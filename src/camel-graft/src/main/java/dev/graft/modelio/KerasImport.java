package dev.graft.modelio;

import dev.graft.nd4j.AxisMergeVertex;
import dev.graft.nd4j.NchwToNhwcPreProcessor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.spi.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.ComposableInputPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;

/**
 * Imports Keras models saved as HDF5 ({@code model.save("x.h5")}, Keras 1 or 2) as computation graphs.
 *
 * <p>A Sequential model converts to a graph; a functional model is one. Layers that read the network's
 * images in Keras' {@code channels_last} layout get a {@link NchwToNhwcPreProcessor}, so the model takes
 * channels-first images like every other Graft backbone. Weights and layer names are Keras'; training
 * configuration is ignored (the route's {@code train} step decides loss and updater).
 */
public final class KerasImport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] HDF5_MAGIC = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private KerasImport() {
    }

    /** True when the file starts with the HDF5 signature. */
    public static boolean isHdf5(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(HDF5_MAGIC.length), HDF5_MAGIC);
        } catch (IOException e) {
            return false; // unreadable files are reported by the zip loader with the file name
        }
    }

    /**
     * Loads a Keras HDF5 model.
     *
     * @throws DataException naming the file when Keras import fails, with DL4J's reason
     */
    public static ComputationGraph load(Path file) {
        ComputationGraph graph;
        try {
            if (isSequential(file)) {
                graph = ModelFiles.toGraph(
                        KerasModelImport.importKerasSequentialModelAndWeights(file.toString(), false));
            } else {
                graph = KerasModelImport.importKerasModelAndWeights(file.toString(), false);
            }
        } catch (IOException | InvalidKerasConfigurationException | UnsupportedKerasConfigurationException
                 | RuntimeException e) {
            throw new DataException("load-backbone: cannot import the Keras model '" + file + "': " + e.getMessage()
                    + "; expected a Keras HDF5 model written by model.save(...) (model_config and model_weights) "
                    + "using layers DL4J 1.0.0-M2.1 can import", e);
        }
        return adapt(graph);
    }

    private static boolean isSequential(Path file) throws IOException, UnsupportedKerasConfigurationException {
        try (Hdf5Archive archive = new Hdf5Archive(file.toString())) {
            if (!archive.hasAttribute("model_config")) {
                throw new IOException("no model_config attribute (a weights-only file?)");
            }
            JsonNode config = JSON.readTree(archive.readAttributeAsJson("model_config"));
            return "Sequential".equals(config.path("class_name").asText());
        }
    }

    /**
     * A copy ready for Graft: channels-last layers on the network inputs get a transposing preprocessor, merges along
     * an axis other than 1 become {@link AxisMergeVertex}es (whose copies keep the axis), and
     * the no-op dropout (retain probability 1) the importer puts on every layer is removed: it would mark
     * parameter-free layers as random (no featurize-once) and breaks backprop into channels-last convolutions.
     */
    static ComputationGraph adapt(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        // DL4J's clone resets a MergeVertex's axis: read it from the original, keep it in a vertex whose copies keep it
        graph.getConfiguration().getVertices().forEach((name, v) -> {
            if (v instanceof MergeVertex m && m.getMergeAxis() != MergeVertex.DEFAULT_MERGE_DIM) {
                conf.getVertices().put(name, new AxisMergeVertex(m.getMergeAxis()));
            }
        });
        for (var entry : conf.getVertices().entrySet()) {
            if (!(entry.getValue() instanceof LayerVertex lv)) {
                continue;
            }
            Layer layer = lv.getLayerConf().getLayer();
            if (layer.getIDropout() instanceof Dropout d && d.getP() == 1.0) {
                layer.setIDropout(null);
            }
            boolean fedByInput = conf.getVertexInputs().get(entry.getKey()).stream()
                    .anyMatch(conf.getNetworkInputs()::contains);
            if (fedByInput && isChannelsLast(layer)) {
                InputPreProcessor existing = lv.getPreProcessor();
                lv.setPreProcessor(existing == null ? new NchwToNhwcPreProcessor()
                        : new ComposableInputPreProcessor(new NchwToNhwcPreProcessor(), existing));
            }
        }
        ComputationGraph copy = new ComputationGraph(conf);
        copy.init(graph.params().dup(), false);
        return copy;
    }

    private static boolean isChannelsLast(Layer layer) {
        if (layer instanceof ConvolutionLayer c) return c.getCnn2dDataFormat() == CNN2DFormat.NHWC;
        if (layer instanceof SubsamplingLayer s) return s.getCnn2dDataFormat() == CNN2DFormat.NHWC;
        if (layer instanceof BatchNormalization b) return b.getCnn2DFormat() == CNN2DFormat.NHWC;
        if (layer instanceof ZeroPaddingLayer z) return z.getDataFormat() == CNN2DFormat.NHWC;
        return false;
    }
}
