package dev.graft.nd4j;

import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.AlgoMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.BwdDataAlgo;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.BwdFilterAlgo;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.FwdAlgo;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionHelper;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The backward pass of a convolution fed by the network's input, without the input gradient nothing reads.
 *
 * <p>DL4J's oneDNN helper ({@code conv2d_bp}) computes the input, weight and bias gradients of every convolution;
 * the first one's input gradient goes to the network's input vertex, which drops it. This helper wraps the oneDNN one
 * (forward pass unchanged) and computes only the weight and bias gradients: the input with batch and channels
 * swapped, {@code [in, n, H, W]}, convolved with the output gradient as its kernel, {@code [out, n, oH, oW]}, gives
 * the weight gradient as {@code [in, out, kH, kW]} (oneDNN's forward convolution, the same values to float rounding),
 * and the bias gradient is the output gradient summed over batch, rows and columns. It returns no input gradient,
 * which DL4J's graph backprop accepts for a layer fed by an input vertex. On LeNet at batch 64 a training step took
 * about 12% less time (bench/run.sh ... step). {@link NativeHelpers#forTraining} installs it only where it holds:
 * NCHW float convolutions with bias, stride 1, no padding, no dilation, not in Same mode, without dropout, fed only by
 * a network input through no preprocessor.
 */
final class InputConvolutionBackward implements ConvolutionHelper {

    private final ConvolutionHelper oneDnn;

    InputConvolutionBackward(ConvolutionHelper oneDnn) {
        this.oneDnn = oneDnn;
    }

    /** Whether {@code layer}'s own settings allow the weights-only backward (its place in the graph is checked apart). */
    static boolean fits(ConvolutionLayer layer) {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer conf = layer.layerConf();
        return conf.getCnn2dDataFormat() == CNN2DFormat.NCHW && conf.hasBias() && conf.getIDropout() == null
                && conf.getConvolutionMode() != ConvolutionMode.Same && layer.getParam("W").dataType() == DataType.FLOAT
                && ones(conf.getStride()) && ones(conf.getDilation()) && zeros(conf.getPadding());
    }

    private static boolean ones(int[] values) {
        for (int v : values) {
            if (v != 1) {
                return false;
            }
        }
        return true;
    }

    private static boolean zeros(int[] values) {
        for (int v : values) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean checkSupported() {
        return oneDnn.checkSupported();
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        return oneDnn.helperMemoryUse();
    }

    @Override
    public INDArray preOutput(INDArray input, INDArray weights, INDArray bias, int[] kernel, int[] strides, int[] pad,
                              AlgoMode mode, FwdAlgo fwdAlgo, ConvolutionMode convolutionMode, int[] dilation,
                              CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        return oneDnn.preOutput(input, weights, bias, kernel, strides, pad, mode, fwdAlgo, convolutionMode, dilation,
                format, workspaceMgr);
    }

    @Override
    public INDArray activate(INDArray z, IActivation afn, boolean training) {
        return oneDnn.activate(z, afn, training);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray weights, INDArray bias, INDArray delta,
                                                     int[] kernel, int[] strides, int[] pad, INDArray biasGradView,
                                                     INDArray weightGradView, IActivation afn, AlgoMode mode,
                                                     BwdFilterAlgo bwdFilterAlgo, BwdDataAlgo bwdDataAlgo,
                                                     ConvolutionMode convolutionMode, int[] dilation, CNN2DFormat format,
                                                     LayerWorkspaceMgr workspaceMgr) {
        long in = input.size(1);
        long out = delta.size(1);
        INDArray images = in == 1 ? input.reshape('c', 1, input.size(0), input.size(2), input.size(3))
                : input.permute(1, 0, 2, 3).dup('c');
        INDArray outputGradient = delta.permute(1, 0, 2, 3).dup('c');
        INDArray grad = Nd4j.createUninitialized(input.dataType(), in, out, kernel[0], kernel[1]);
        // kernel = the output gradient's rows and columns, stride 1, no padding or dilation, Truncate, NCHW,
        // weights as [out, in, kH, kW]
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(images, outputGradient).addOutputs(grad)
                .addIntegerArguments((int) delta.size(2), (int) delta.size(3), 1, 1, 0, 0, 1, 1, 0, 0, 1).build());
        weightGradView.assign(in == 1 ? grad.reshape(weightGradView.shape()) : grad.permute(1, 0, 2, 3));
        delta.sum(biasGradView.reshape(out), 0, 2, 3);
        Gradient g = new DefaultGradient();
        g.gradientForVariable().put(ConvolutionParamInitializer.BIAS_KEY, biasGradView);
        g.gradientForVariable().put(ConvolutionParamInitializer.WEIGHT_KEY, weightGradView);
        return new Pair<>(g, null);
    }
}
