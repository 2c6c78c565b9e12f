package dev.graft.training.fastpath;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;

/** The activations {@link SmallHeadLoop} computes itself, as DL4J's do, in float32. */
enum HeadActivation {
    IDENTITY, RELU, TANH, SIGMOID, SOFTMAX;

    /** The activation of a DL4J layer, or null when the loop does not compute it (a leaky or capped ReLU, say). */
    static HeadActivation of(IActivation a) {
        if (a instanceof ActivationIdentity) {
            return IDENTITY;
        }
        if (a instanceof ActivationReLU relu) {
            boolean plain = (relu.getMax() == null || relu.getMax() == 0) && (relu.getThreshold() == null
                    || relu.getThreshold() == 0) && (relu.getNegativeSlope() == null || relu.getNegativeSlope() == 0);
            return plain ? RELU : null;
        }
        if (a instanceof ActivationTanH) {
            return TANH;
        }
        if (a instanceof ActivationSigmoid) {
            return SIGMOID;
        }
        return a instanceof ActivationSoftmax ? SOFTMAX : null;
    }

    /** Applies the activation in place to {@code z[o, o + n)}, one example's outputs. */
    void apply(float[] z, int o, int n) {
        switch (this) {
            case IDENTITY -> { }
            case RELU -> {
                for (int j = o; j < o + n; j++) {
                    z[j] = Math.max(z[j], 0f);
                }
            }
            case TANH -> {
                for (int j = o; j < o + n; j++) {
                    z[j] = (float) Math.tanh(z[j]);
                }
            }
            case SIGMOID -> {
                for (int j = o; j < o + n; j++) {
                    z[j] = (float) (1 / (1 + Math.exp(-z[j])));
                }
            }
            case SOFTMAX -> {
                float max = Float.NEGATIVE_INFINITY;
                for (int j = o; j < o + n; j++) {
                    max = Math.max(max, z[j]);
                }
                float sum = 0;
                for (int j = o; j < o + n; j++) {
                    z[j] = (float) Math.exp(z[j] - max);
                    sum += z[j];
                }
                for (int j = o; j < o + n; j++) {
                    z[j] /= sum;
                }
            }
        }
    }
}
