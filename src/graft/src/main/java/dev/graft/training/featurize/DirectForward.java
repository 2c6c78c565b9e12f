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
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Relu6;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

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
 * after a convolution, ReLU/ReLU6 activation layers, zero padding, element-wise addition, global average or max
 * pooling, and the channels-first-to-last input preprocessor; anything else gives empty, and the caller runs the
 * DL4J graph. Not thread-safe.
 */
final class DirectForward {

    /** One operation with its arrays bound: runs on the buffers of one batch size. */
    private interface Bound {
        void run();
    }

    /** One step of the program; {@code bind} fixes its arrays for a batch size. */
    private interface Step {
        long[] outShape(long[] in);

        Bound bind(INDArray[] in, INDArray out);
    }

    private record Node(String name, Step step, List<Integer> inputs, boolean ownBuffer) {
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
                nodes.add(new Node(name + "/nhwc", new ToNhwc(), List.of(ins.get(0)), false));
                ins = List.of(nodes.size());
            }
            Step step;
            String last = name;
            if (v instanceof ElementWiseVertex e && e.getOp() == ElementWiseVertex.Op.Add && ins.size() == 2) {
                step = new Add();
            } else if (v instanceof LayerVertex lv) {
                Layer layer = inner(lv.getLayerConf().getLayer());
                if (layer instanceof ZeroPaddingLayer z && z.getDataFormat() == CNN2DFormat.NHWC) {
                    String next = only(consumers, conf, name);
                    if (next != null && fusesPadding(inner(conf, next), z.getPadding())) {
                        fusedPads.put(name, z.getPadding());
                        values.put(name, ins.get(0));
                        continue;
                    }
                    step = new Pad(z.getPadding());
                } else if (layer instanceof ConvolutionLayer c) {
                    List<String> from = conf.getVertexInputs().get(name);
                    Conv conv = Conv.of(graph, name, c, fusedPads.get(from.get(0)));
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
                } else if (layer instanceof ActivationLayer a && supported(a.getActivationFn())) {
                    step = new Activation(a.getActivationFn());
                } else if (layer instanceof GlobalPoolingLayer p && p.isCollapseDimensions()
                        && Arrays.equals(p.getPoolingDimensions(), new int[] {1, 2})
                        && p.getPoolingType() == PoolingType.AVG) {
                    step = new GlobalAverage();
                } else {
                    return Optional.empty();
                }
            } else {
                return Optional.empty();
            }
            nodes.add(new Node(name, step, ins, step instanceof Pad));
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
        Instance instance = instances.computeIfAbsent(key, k -> Optional.ofNullable(bind(batch.shape()))).orElse(null);
        if (instance == null) {
            return null;
        }
        instance.input.assign(batch);
        for (Bound b : instance.bound) {
            b.run();
        }
        return instance.outputs;
    }

    private record Instance(INDArray input, List<Bound> bound, INDArray[] outputs) {
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
        List<Bound> bound = new ArrayList<>();
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
     * sizes are checked when the program is bound ({@link Conv#outShape}).
     */
    private static boolean fusesPadding(Layer next, int[] pad) {
        return next instanceof ConvolutionLayer c && Conv.kind(c) != null && c.getConvolutionMode() == ConvolutionMode.Truncate
                && Arrays.stream(c.getPadding()).allMatch(p -> p == 0) && Arrays.stream(c.getDilation()).allMatch(d -> d == 1)
                && c.getKernelSize()[0] - c.getStride()[0] == pad[0] + pad[1] && pad[0] == (pad[0] + pad[1]) / 2
                && c.getKernelSize()[1] - c.getStride()[1] == pad[2] + pad[3] && pad[2] == (pad[2] + pad[3]) / 2;
    }

    private static boolean supported(IActivation a) {
        return a instanceof ActivationIdentity || a instanceof ActivationReLU6
                || a instanceof ActivationReLU && a.equals(new ActivationReLU()); // no max, threshold or slope
    }

    /** {@code x} → max(x, 0) or min(max(x, 0), 6) in place; nothing for identity. */
    private static Bound activation(IActivation fn, INDArray x) {
        if (fn instanceof ActivationIdentity) {
            return () -> { };
        }
        Op op = fn instanceof ActivationReLU6 ? new Relu6(x, x) : new RectifiedLinear(x, x);
        return () -> Nd4j.exec(op);
    }

    /** A plain or depthwise channels-last convolution with a bias (zero when the layer has none) and an activation. */
    private static final class Conv implements Step {
        private final String op;
        private final int[] kernel;
        private final int[] stride;
        private final int[] padding;
        private final int[] dilation;
        private final boolean same;
        private final int[] fusedPad; // the zero padding this replaces, or null
        private INDArray weights; // [kH, kW, iC, oC] (plain) or [kH, kW, iC, multiplier] (depthwise)
        private INDArray bias;
        private IActivation activation;

        private Conv(String op, ConvolutionLayer c, int[] fusedPad, INDArray weights, INDArray bias) {
            this.op = op;
            this.kernel = c.getKernelSize();
            this.stride = c.getStride();
            this.padding = c.getPadding();
            this.dilation = c.getDilation();
            this.same = fusedPad != null || c.getConvolutionMode() == ConvolutionMode.Same;
            this.fusedPad = fusedPad;
            this.weights = weights;
            this.bias = bias;
            this.activation = c.getActivationFn();
        }

        static String kind(ConvolutionLayer c) {
            if (c.getCnn2dDataFormat() != CNN2DFormat.NHWC
                    || c.getConvolutionMode() != ConvolutionMode.Same && c.getConvolutionMode() != ConvolutionMode.Truncate) {
                return null;
            }
            return c.getClass() == ConvolutionLayer.class ? "conv2d"
                    : c.getClass() == DepthwiseConvolution2D.class ? "depthwise_conv2d" : null;
        }

        static Conv of(ComputationGraph graph, String name, ConvolutionLayer c, int[] fusedPad) {
            String op = kind(c);
            if (op == null || !supported(c.getActivationFn())) {
                return null;
            }
            Map<String, INDArray> p = graph.getLayer(name).paramTable();
            INDArray w = p.get("W");
            // DL4J keeps plain weights as [oC, iC, kH, kW], depthwise ones as [kH, kW, iC, multiplier]
            INDArray weights = (op.equals("conv2d") ? w.permute(2, 3, 1, 0) : w).dup('c');
            long outChannels = op.equals("conv2d") ? weights.size(3) : weights.size(2) * weights.size(3);
            INDArray bias = c.hasBias() && p.get("b") != null ? p.get("b").reshape(outChannels).dup()
                    : Nd4j.zeros(DataType.FLOAT, outChannels);
            return new Conv(op, c, fusedPad, weights, bias);
        }

        /** Folds inference-mode batch norm into the weights and bias; false (nothing changed) when it cannot. */
        boolean fold(Map<String, INDArray> p, BatchNormalization bn) {
            if (bn.isLockGammaBeta() || bn.getCnn2DFormat() != CNN2DFormat.NHWC || p.get("mean") == null) {
                return false;
            }
            long channels = bias.length();
            // inference divides by √(σ²+ε) with σ² stored, or σ = 10^log10stdev stored (DL4J's useLogStd)
            INDArray var = bn.isUseLogStd()
                    ? Transforms.pow(Nd4j.valueArrayOf(new long[] {channels}, 100.0f), p.get("log10stdev").reshape(channels))
                    : p.get("var").reshape(channels);
            INDArray std = Transforms.sqrt(var.add(bn.getEps()), false);
            INDArray scale = p.get("gamma").reshape(channels).div(std);
            // the output channel is the last (fastest) index of both weight layouts
            weights = weights.reshape(weights.length() / channels, channels).mulRowVector(scale)
                    .reshape(weights.shape()).dup('c');
            bias = bias.sub(p.get("mean").reshape(channels)).muli(scale).addi(p.get("beta").reshape(channels));
            activation = new ActivationIdentity();
            return true;
        }

        /** Takes over the activation layer after the (folded) convolution; false when it cannot. */
        boolean activate(IActivation fn) {
            if (!supported(fn)) {
                return false;
            }
            activation = fn;
            return true;
        }

        @Override
        public long[] outShape(long[] in) {
            long[] out = new long[4];
            out[0] = in[0];
            for (int d = 0; d < 2; d++) {
                long size = in[1 + d];
                if (fusedPad != null && size % stride[d] != 0) {
                    return null; // "same" would pad differently from the fused zero padding
                }
                long k = (long) (kernel[d] - 1) * dilation[d] + 1;
                out[1 + d] = same ? (size + stride[d] - 1) / stride[d] : (size + 2L * padding[d] - k) / stride[d] + 1;
            }
            out[3] = bias.length();
            return out;
        }

        @Override
        public Bound bind(INDArray[] in, INDArray out) {
            DynamicCustomOp conv = DynamicCustomOp.builder(op).addInputs(in[0], weights, bias).addOutputs(out)
                    .addIntegerArguments(kernel[0], kernel[1], stride[0], stride[1], same ? 0 : padding[0],
                            same ? 0 : padding[1], dilation[0], dilation[1], same ? 1 : 0, 1, 0)
                    .build();
            Bound act = activation(activation, out);
            return () -> {
                Nd4j.exec(conv);
                act.run();
            };
        }
    }

    private static final class ToNhwc implements Step {
        @Override
        public long[] outShape(long[] in) {
            return new long[] {in[0], in[2], in[3], in[1]};
        }

        @Override
        public Bound bind(INDArray[] in, INDArray out) {
            INDArray view = in[0].permute(0, 2, 3, 1);
            return () -> out.assign(view);
        }
    }

    /** Zero padding [top, bottom, left, right] into a buffer of its own, whose border stays zero. */
    private record Pad(int[] pad) implements Step {
        @Override
        public long[] outShape(long[] in) {
            return new long[] {in[0], in[1] + pad[0] + pad[1], in[2] + pad[2] + pad[3], in[3]};
        }

        @Override
        public Bound bind(INDArray[] in, INDArray out) {
            INDArray interior = out.get(NDArrayIndex.all(), NDArrayIndex.interval(pad[0], pad[0] + in[0].size(1)),
                    NDArrayIndex.interval(pad[2], pad[2] + in[0].size(2)), NDArrayIndex.all());
            return () -> interior.assign(in[0]);
        }
    }

    private static final class Add implements Step {
        @Override
        public long[] outShape(long[] in) {
            return in.clone();
        }

        @Override
        public Bound bind(INDArray[] in, INDArray out) {
            AddOp add = new AddOp(in[0], in[1], out);
            return () -> Nd4j.exec(add);
        }
    }

    private record Activation(IActivation fn) implements Step {
        @Override
        public long[] outShape(long[] in) {
            return in.clone();
        }

        @Override
        public Bound bind(INDArray[] in, INDArray out) {
            Bound act = activation(fn, out);
            return () -> {
                out.assign(in[0]);
                act.run();
            };
        }
    }

    private record GlobalAverage() implements Step {
        @Override
        public long[] outShape(long[] in) {
            return new long[] {in[0], in[3]};
        }

        @Override
        public Bound bind(INDArray[] in, INDArray out) {
            return () -> in[0].mean(out, 1, 2);
        }
    }
}
