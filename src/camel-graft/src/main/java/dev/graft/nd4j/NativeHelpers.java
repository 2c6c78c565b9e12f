package dev.graft.nd4j;

import java.lang.reflect.Field;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionHelper;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;

/**
 * Lets DL4J run its layers through ND4J's native (oneDNN) kernels.
 *
 * <p>DL4J 1.0.0-M2.1 ships with these "helpers" switched off (system property
 * {@value #DL4J_PROPERTY} defaults to true), so convolution and pooling take a Java-side im2col path that is
 * several times slower than oneDNN on the same CPU. Graft switches them on unless the user chose otherwise:
 * {@code -Dgraft.nativeHelpers=false}, or DL4J's own property set either way, wins. DL4J reads its property whenever
 * it creates a layer and offers no other switch, so Graft sets it once, when the process starts ({@link #install}:
 * the CLI's {@code main}, or an engine's constructor when Graft is embedded), never while a run is under way.
 */
public final class NativeHelpers {

    /** DL4J's switch: "true" disables the helpers. */
    public static final String DL4J_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

    private NativeHelpers() {
    }

    /**
     * Sets DL4J's switch for the layers this process creates: helpers on when {@code wanted} (Graft's tuning,
     * {@code graft.nativeHelpers}), unless the user set DL4J's property already. Call it when the process starts,
     * before any model is built or loaded, not during a run: it sets a JVM-wide property. Idempotent.
     */
    public static synchronized void install(boolean wanted) {
        if (System.getProperty(DL4J_PROPERTY) == null) {
            System.setProperty(DL4J_PROPERTY, String.valueOf(!wanted));
        }
    }

    /**
     * Takes the oneDNN helper away from the channels-last convolutions of a graph that is about to be trained whose
     * backward pass counts: DL4J M2.1's oneDNN convolution computes wrong gradients for NHWC layers (its forward pass
     * is right), which a test pins down; their training falls back to DL4J's Java path. A layer's backward pass counts
     * when it trains or when a trainable layer lies before it (its input gradient reaches that layer); frozen layers
     * with nothing trainable before them, such as a frozen imported backbone under a new head, keep oneDNN, so
     * featurizing through them stays fast. Channels-first layers keep the helper.
     *
     * <p>A trainable convolution fed straight by a network input gets {@link InputConvolutionBackward} around its
     * oneDNN helper: the same forward pass, and a backward pass without the input gradient nothing reads (about 12% of a
     * LeNet training step); {@code -Dgraft.inputConvBackward=false} keeps oneDNN's whole backward pass.
     *
     * @return {@code graph}, changed in place (only its layers' helper fields)
     */
    public static ComputationGraph forTraining(ComputationGraph graph) {
        Set<String> backpropagated = backpropagated(graph);
        for (Layer layer : graph.getLayers()) {
            Layer inner = layer instanceof FrozenLayer f ? f.getInsideLayer() : layer;
            if (inner instanceof ConvolutionLayer conv && conv.getHelper() != null
                    && conv.layerConf().getCnn2dDataFormat() == CNN2DFormat.NHWC
                    && backpropagated.contains(conv.conf().getLayer().getLayerName())) {
                try {
                    HELPER.set(conv, null);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot switch off the oneDNN helper of layer '"
                            + conv.conf().getLayer().getLayerName() + "'", e);
                }
            } else if (layer instanceof ConvolutionLayer conv
                    && conv.getHelper() instanceof org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper
                    && INPUT_CONV_BACKWARD && conv.numParams() > 0 && InputConvolutionBackward.fits(conv)
                    && fedByInput(graph, conv.conf().getLayer().getLayerName())) {
                try {
                    HELPER.set(conv, new InputConvolutionBackward((ConvolutionHelper) conv.getHelper()));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot wrap the oneDNN helper of layer '"
                            + conv.conf().getLayer().getLayerName() + "'", e);
                }
            }
        }
        return graph;
    }

    /** Whether {@code -Dgraft.inputConvBackward} (default true) lets first convolutions skip their input gradient. */
    private static final boolean INPUT_CONV_BACKWARD =
            Boolean.parseBoolean(System.getProperty("graft.inputConvBackward", "true"));

    /** Whether the vertex {@code name} takes network inputs only, through no preprocessor. */
    private static boolean fedByInput(ComputationGraph graph, String name) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        List<String> inputs = conf.getVertexInputs().getOrDefault(name, List.of());
        return conf.getVertices().get(name) instanceof LayerVertex lv && lv.getPreProcessor() == null
                && !inputs.isEmpty() && conf.getNetworkInputs().containsAll(inputs);
    }

    /** The vertices that train, or that have a vertex that trains before them. */
    private static Set<String> backpropagated(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        Set<String> result = new HashSet<>();
        for (int index : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[index].getVertexName();
            GraphVertex v = conf.getVertices().get(name);
            boolean trains = v instanceof LayerVertex lv && lv.numParams(false) > 0
                    && !(lv.getLayerConf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayer)
                    && !(lv.getLayerConf().getLayer()
                    instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop);
            List<String> inputs = conf.getVertexInputs().getOrDefault(name, List.of());
            if (trains || inputs.stream().anyMatch(result::contains)) {
                result.add(name);
            }
        }
        return result;
    }

    private static final Field HELPER;

    static {
        try {
            HELPER = ConvolutionLayer.class.getDeclaredField("helper");
            HELPER.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** OpenBLAS's thread count is the native library's, one for the process: set once. */
    private static volatile boolean threadsSet;

    /**
     * Sets OpenBLAS's thread count once per JVM (ND4J's default is one per core; Graft's tuning: one per four cores).
     * oneDNN's convolutions and ND4J's
     * own loops already use an OpenMP thread per core; OpenBLAS threads on top of them oversubscribe the cores, and
     * a minibatch's matrix products are too small to gain from them: on 2 cores one BLAS thread made a LeNet
     * training step 35% faster and inference no slower. Loads ND4J's natives, so call it where training starts,
     * not at start-up.
     */
    public static void tuneThreads(int threads) {
        if (threadsSet) {
            return;
        }
        synchronized (NativeHelpers.class) {
            if (!threadsSet) {
                org.nd4j.linalg.factory.Nd4j.factory().blas().setMaxThreads(threads);
                threadsSet = true;
            }
        }
    }

    /** Whether layers created from now on may use native helpers. */
    public static boolean enabled() {
        return "false".equalsIgnoreCase(System.getProperty(DL4J_PROPERTY, "true"));
    }
}
