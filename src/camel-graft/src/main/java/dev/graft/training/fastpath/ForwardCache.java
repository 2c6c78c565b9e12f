package dev.graft.training.fastpath;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;

/**
 * DL4J's forward cache for the length of a training loop ({@link dev.graft.training.Tuning#forwardCache}).
 *
 * <p>With its cache mode at {@code NONE} (what every network is built with), DL4J 1.0.0-M2.1's
 * {@code ConvolutionLayer.backpropGradient} runs the layer's forward convolution a second time to get the
 * pre-activation it differentiates the activation at: about a tenth of a LeNet training step (bench/run.sh ... step).
 * With {@code CacheMode.DEVICE} the forward pass keeps a copy of that pre-activation in the step's activation workspace
 * and the backward pass takes it: the same values, one more copy of each trainable convolution's output per
 * minibatch. Only plain convolutions cache this way: the depthwise and separable layers have forward and backward
 * passes of their own that never read the cache, so the cache is switched on only when a plain one is trainable. The network's
 * own mode comes back when the loop closes, and each layer's cached pre-activation is dropped then: DL4J's helper path
 * takes a cached pre-activation whenever one is there, whatever the mode, so one left behind would hand a later
 * {@code fit} on the same network the values of a minibatch long gone.
 */
public final class ForwardCache implements AutoCloseable {

    private final ComputationGraph net;
    private final CacheMode before;

    private ForwardCache(ComputationGraph net, CacheMode before) {
        this.net = net;
        this.before = before;
    }

    /** Switches the cache on for {@code net} when {@code on} and a plain convolution of it trains; else a no-op. */
    public static ForwardCache open(ComputationGraph net, boolean on) {
        CacheMode before = net.getConfiguration().getCacheMode();
        if (!on || before != CacheMode.NONE || !trainsPlainConvolution(net)) {
            return new ForwardCache(null, before);
        }
        set(net, CacheMode.DEVICE);
        return new ForwardCache(net, before);
    }

    /** Whether the cache is on for this loop (for the run's training path). */
    boolean on() {
        return net != null;
    }

    private static boolean trainsPlainConvolution(ComputationGraph net) {
        for (Layer layer : net.getLayers()) {
            if (layer.getClass() == ConvolutionLayer.class && layer.numParams() > 0) {
                return true; // a frozen layer is a FrozenLayer wrapper, never the convolution's own class
            }
        }
        return false;
    }

    private static void set(ComputationGraph net, CacheMode mode) {
        net.getConfiguration().setCacheMode(mode); // the graph opens the cache's workspace on this
        net.setCacheMode(mode); // and each layer reads its own copy
    }

    @Override
    public void close() {
        if (net != null) {
            set(net, before);
            for (Layer layer : net.getLayers()) {
                if (layer instanceof AbstractLayer<?> a) {
                    a.setPreOutput(null);
                }
            }
        }
    }
}
