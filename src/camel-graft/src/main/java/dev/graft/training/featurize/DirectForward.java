package dev.graft.training.featurize;

import dev.graft.nd4j.NchwToNhwcPreProcessor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The frozen front of a channels-last CNN (MobileNetV2's kind) run for inference as libnd4j custom ops instead of
 * DL4J's layer objects: batch normalisation folded into the convolution before it (w' = w·γ/√(σ²+ε),
 * b' = (b−μ)·γ/√(σ²+ε)+β), the activation after it applied in place, a zero padding that a "same" convolution
 * reproduces fused into it, and every activation buffer allocated once per batch size and reused.
 *
 * <p>DL4J's layers, for the same graph, copy each channels-last input to channels-first and back around oneDNN's
 * convolution, run batch norm and ReLU6 as separate passes over fresh buffers, and zero pages of new workspace
 * memory; here none of that happens, and the outputs equal the graph's to float rounding ({@code
 * DirectForwardTest}, and the tfjs reference in profile {@code imagenet}).
 *
 * <p>{@link #compile} handles convolutions (plain and depthwise, channels-last, identity/ReLU/ReLU6), batch norm
 * after a convolution, ReLU/ReLU6 activation layers, zero padding, element-wise addition, global average
 * pooling, and the channels-first-to-last input preprocessor; anything else gives empty, and the caller runs the
 * DL4J graph. Not thread-safe.
 */
final class DirectForward {

    private record Node(String name, DirectSteps.Step step, List<Integer> inputs, boolean ownBuffer) {
    }

    private final List<Node> nodes; // value i+1 is node i's output; value 0 is the network input
    private final List<Integer> outputs;
    private final Map<String, Optional<Instance>> instances = new HashMap<>();

    private DirectForward(List<Node> nodes, List<Integer> outputs) {
        this.nodes = nodes;
        this.outputs = outputs;
    }

    /**
     * The program for a graph of one input whose outputs are {@code graph}'s network outputs, or empty when a vertex
     * is of a kind this class does not run (the caller then uses the graph itself).
     */
    static Optional<DirectForward> compile(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        if (conf.getNetworkInputs().size() != 1 || graph.params().dataType() != DataType.FLOAT) {
            return Optional.empty();
        }
        Map<String, List<String>> consumers = new HashMap<>();
        conf.getVertexInputs().forEach((v, ins) -> ins.forEach(i -> consumers.computeIfAbsent(i, k -> new ArrayList<>())
                .add(v)));
        Map<String, Integer> values = new HashMap<>();
        values.put(conf.getNetworkInputs().get(0), 0);
        List<Node> nodes = new ArrayList<>();
        Map<String, int[]> fusedPads = new HashMap<>(); // zero paddings a "same" convolution after them reproduces
        for (String name : conf.getTopologicalOrderStr()) {
            GraphVertex v = conf.getVertices().get(name);
            if (v == null || values.containsKey(name)) {
                continue;
            }
            List<Integer> ins = new ArrayList<>();
            for (String in : conf.getVertexInputs().get(name)) {
                ins.add(values.get(in));
            }
            if (v instanceof LayerVertex lv && lv.getPreProcessor() != null) {
                if (!(lv.getPreProcessor() instanceof NchwToNhwcPreProcessor) || ins.size() != 1) {
                    return Optional.empty();
                }
                nodes.add(new Node(name + "/nhwc", new DirectSteps.ToNhwc(), List.of(ins.get(0)), false));
                ins = List.of(nodes.size());
            }
            DirectSteps.Step step;
            String last = name;
            if (v instanceof ElementWiseVertex e && e.getOp() == ElementWiseVertex.Op.Add && ins.size() == 2) {
                step = new DirectSteps.Add();
            } else if (v instanceof LayerVertex lv) {
                Layer layer = inner(lv.getLayerConf().getLayer());
                if (layer instanceof ZeroPaddingLayer z && z.getDataFormat() == CNN2DFormat.NHWC) {
                    String next = only(consumers, conf, name);
                    if (next != null && fusesPadding(inner(conf, next), z.getPadding())) {
                        fusedPads.put(name, z.getPadding());
                        values.put(name, ins.get(0));
                        continue;
                    }
                    step = new DirectSteps.Pad(z.getPadding());
                } else if (layer instanceof ConvolutionLayer c) {
                    List<String> from = conf.getVertexInputs().get(name);
                    DirectSteps.Conv conv = DirectSteps.Conv.of(graph, name, c, fusedPads.get(from.get(0)));
                    if (conv == null) {
                        return Optional.empty();
                    }
                    String bn = only(consumers, conf, name);
                    if (c.getActivationFn() instanceof ActivationIdentity && bn != null
                            && inner(conf, bn) instanceof BatchNormalization norm
                            && conv.fold(graph.getLayer(bn).paramTable(), norm)) {
                        last = bn;
                        String act = only(consumers, conf, bn);
                        if (act != null && inner(conf, act) instanceof ActivationLayer a && conv.activate(a.getActivationFn())) {
                            last = act;
                        }
                    }
                    step = conv;
                } else if (layer instanceof ActivationLayer a && DirectSteps.supported(a.getActivationFn())) {
                    step = new DirectSteps.Activation(a.getActivationFn());
                } else if (layer instanceof GlobalPoolingLayer p && p.isCollapseDimensions()
                        && Arrays.equals(p.getPoolingDimensions(), new int[] {1, 2})
                        && p.getPoolingType() == PoolingType.AVG) {
                    step = new DirectSteps.GlobalAverage();
                } else {
                    return Optional.empty();
                }
            } else {
                return Optional.empty();
            }
            nodes.add(new Node(name, step, ins, step instanceof DirectSteps.Pad));
            values.put(name, nodes.size());
            for (String absorbed = name; !absorbed.equals(last); ) {
                absorbed = only(consumers, conf, absorbed);
                values.put(absorbed, nodes.size());
            }
        }
        List<Integer> outputs = new ArrayList<>();
        for (String out : conf.getNetworkOutputs()) {
            Integer value = values.get(out);
            if (value == null || value == 0) {
                return Optional.empty();
            }
            outputs.add(value);
        }
        return Optional.of(new DirectForward(nodes, outputs));
    }

    /**
     * The graph's outputs for {@code batch}, as views of this program's buffers (copy them before the next call), or
     * null when its image size is one a fused padding does not reproduce (an odd size under stride 2): the caller
     * runs the graph for it.
     */
    INDArray[] output(INDArray batch) {
        String key = Arrays.toString(batch.shape());
        if (!instances.containsKey(key) && instances.size() >= 4) {
            instances.clear(); // a caller cycling through sizes: keep memory to a few sizes' buffers
        }
        Instance instance = instances.computeIfAbsent(key, k -> {
            // the buffers outlive any workspace a caller may have open: allocate them outside
            try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return Optional.ofNullable(bind(batch.shape()));
            }
        }).orElse(null);
        if (instance == null) {
            return null;
        }
        instance.input.assign(batch);
        for (DirectSteps.Bound b : instance.bound) {
            b.run();
        }
        return instance.outputs;
    }

    private record Instance(INDArray input, List<DirectSteps.Bound> bound, INDArray[] outputs) {
    }

    /** Allocates the buffers for one input shape (reusing a buffer once its last reader has run) and binds each op. */
    private Instance bind(long[] inputShape) {
        int[] lastUse = new int[nodes.size() + 1];
        for (int i = 0; i < nodes.size(); i++) {
            for (int in : nodes.get(i).inputs()) {
                lastUse[in] = i;
            }
        }
        for (int out : outputs) {
            lastUse[out] = Integer.MAX_VALUE;
        }
        Map<String, ArrayDeque<INDArray>> free = new HashMap<>();
        INDArray[] value = new INDArray[nodes.size() + 1];
        value[0] = Nd4j.create(DataType.FLOAT, inputShape, 'c');
        List<DirectSteps.Bound> bound = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            INDArray[] in = node.inputs().stream().map(k -> value[k]).toArray(INDArray[]::new);
            long[] shape = node.step().outShape(in[0].shape());
            if (shape == null) {
                return null;
            }
            ArrayDeque<INDArray> pool = free.get(Arrays.toString(shape));
            INDArray out = node.ownBuffer() || pool == null || pool.isEmpty()
                    ? Nd4j.create(DataType.FLOAT, shape, 'c') : pool.pop();
            value[i + 1] = out;
            bound.add(node.step().bind(in, out));
            for (int k : node.inputs()) {
                if (lastUse[k] == i && k > 0 && !nodes.get(k - 1).ownBuffer()) {
                    free.computeIfAbsent(Arrays.toString(value[k].shape()), s -> new ArrayDeque<>()).push(value[k]);
                }
            }
        }
        return new Instance(value[0], bound, outputs.stream().map(k -> value[k]).toArray(INDArray[]::new));
    }

    private static Layer inner(Layer layer) {
        if (layer instanceof FrozenLayer f) {
            return f.getLayer();
        }
        return layer instanceof FrozenLayerWithBackprop f ? f.getUnderlying() : layer;
    }

    private static Layer inner(ComputationGraphConfiguration conf, String name) {
        return conf.getVertices().get(name) instanceof LayerVertex lv && lv.getPreProcessor() == null
                ? inner(lv.getLayerConf().getLayer()) : null;
    }

    /** The one vertex reading {@code name}, when there is exactly one and {@code name} is not a network output. */
    private static String only(Map<String, List<String>> consumers, ComputationGraphConfiguration conf, String name) {
        List<String> c = consumers.getOrDefault(name, List.of());
        return c.size() == 1 && !conf.getNetworkOutputs().contains(name) ? c.get(0) : null;
    }

    /**
     * Whether a "truncate" convolution without padding after zero padding [top, bottom, left, right] reads the same
     * values as a "same" convolution on the unpadded input: TensorFlow's rule pads ⌊total/2⌋ before and the rest
     * after, so stride 2, kernel 3 and padding [0, 1, 0, 1] (Keras's MobileNetV2) qualify for even sizes; the
     * sizes are checked when the program is bound ({@code DirectSteps.Conv.outShape}).
     */
    private static boolean fusesPadding(Layer next, int[] pad) {
        return next instanceof ConvolutionLayer c && DirectSteps.Conv.kind(c) != null && c.getConvolutionMode() == ConvolutionMode.Truncate
                && Arrays.stream(c.getPadding()).allMatch(p -> p == 0) && Arrays.stream(c.getDilation()).allMatch(d -> d == 1)
                && c.getKernelSize()[0] - c.getStride()[0] == pad[0] + pad[1] && pad[0] == (pad[0] + pad[1]) / 2
                && c.getKernelSize()[1] - c.getStride()[1] == pad[2] + pad[3] && pad[2] == (pad[2] + pad[3]) / 2;
    }

}
