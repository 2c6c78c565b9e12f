package dev.graft.nd4j;

import org.deeplearning4j.nn.conf.graph.MergeVertex;

/**
 * A {@link MergeVertex} whose copies keep their merge axis. DL4J M2.1's {@code MergeVertex.clone()} returns a vertex
 * with the default axis 1, so every configuration copy (transfer learning, freezing, Graft's surgery) turned a
 * channels-last Keras {@code Concatenate(axis=3)}, as in InceptionV3, into a concatenation along the image height,
 * which fails on the first forward pass. Keras imports use this class for a merge along any axis but 1.
 *
 * <p>Serialised by class name inside the model's configuration.json, so the class must stay where it is.
 */
public final class AxisMergeVertex extends MergeVertex {

    /** Jackson's constructor: the axis is set from the JSON. */
    public AxisMergeVertex() {
    }

    /** A merge (concatenation) along {@code axis} of the inputs' activations (0 is the minibatch). */
    public AxisMergeVertex(int axis) {
        setMergeAxis(axis);
    }

    @Override
    public AxisMergeVertex clone() {
        return new AxisMergeVertex(getMergeAxis());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AxisMergeVertex m && m.getMergeAxis() == getMergeAxis();
    }

    @Override
    public int hashCode() {
        return 31 * AxisMergeVertex.class.hashCode() + getMergeAxis();
    }

    @Override
    public String toString() {
        return "AxisMergeVertex(axis=" + getMergeAxis() + ")";
    }
}
