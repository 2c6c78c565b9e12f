package dev.graft.nd4j;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.preprocessor.BaseInputPreProcessor;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Feeds channels-first images ([n, c, h, w], as every Graft data set holds them) to a layer that expects
 * channels-last ([n, h, w, c], as Keras models imported with {@code channels_last} do).
 *
 * <p>Serialised by class name inside the model's configuration.json, so the class must stay where it is.
 */
public final class NchwToNhwcPreProcessor extends BaseInputPreProcessor {

    @Override
    public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        return workspaceMgr.dup(ArrayType.ACTIVATIONS, input.permute(0, 2, 3, 1), 'c');
    }

    @Override
    public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        return workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, output.permute(0, 3, 1, 2), 'c');
    }

    @Override
    public NchwToNhwcPreProcessor clone() {
        return new NchwToNhwcPreProcessor();
    }

    @Override
    public InputType getOutputType(InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeConvolutional c)) {
            throw new IllegalStateException("expected image input [channels, height, width]; got " + inputType);
        }
        return InputType.convolutional(c.getHeight(), c.getWidth(), c.getChannels(), CNN2DFormat.NHWC);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NchwToNhwcPreProcessor;
    }

    @Override
    public int hashCode() {
        return NchwToNhwcPreProcessor.class.hashCode();
    }
}
