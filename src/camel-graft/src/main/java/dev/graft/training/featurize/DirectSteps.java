package dev.graft.training.featurize;

import dev.graft.nd4j.BatchNormFold;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
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

/** The operations {@link DirectForward} runs: each binds libnd4j ops to the buffers of one batch size. */
final class DirectSteps {

    private DirectSteps() {
    }

    /** One operation with its arrays bound: runs on the buffers of one batch size. */
    interface Bound {
        void run();
    }

    /** One step of the program; {@code bind} fixes its arrays for a batch size. */
    interface Step {
        long[] outShape(long[] in);

        Bound bind(INDArray[] in, INDArray out);
    }

    static boolean supported(IActivation a) {
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
    static final class Conv implements Step {
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
            BatchNormFold f = BatchNormFold.of(p, bn);
            long channels = bias.length();
            // the output channel is the last (fastest) index of both weight layouts
            weights = weights.reshape(weights.length() / channels, channels).mulRowVector(f.scale())
                    .reshape(weights.shape()).dup('c');
            bias = f.foldBias(bias);
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

    static final class ToNhwc implements Step {
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
    record Pad(int[] pad) implements Step {
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

    static final class Add implements Step {
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

    record Activation(IActivation fn) implements Step {
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

    record GlobalAverage() implements Step {
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
