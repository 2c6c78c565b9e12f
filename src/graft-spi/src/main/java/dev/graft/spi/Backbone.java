package dev.graft.spi;

import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A pretrained model loaded as a graph, with where it came from.
 *
 * @param graph  the network; steps copy it before changing it
 * @param source the source as written in the route, or {@code registry:<name>@<version>}
 * @param sha256 SHA-256 of the model file, hex
 */
public record Backbone(ComputationGraph graph, String source, String sha256) {
}
