package dev.graft.surgery;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** A short table of a graph's layers, like Keras {@code model.summary()}, for errors and {@code inspect}. */
public final class ModelSummary {

    private ModelSummary() {
    }

    /**
     * One vertex of the summary.
     *
     * @param index  its index among the layers, or null for a vertex that is not a layer
     * @param output its output shape such as {@code [32,14,14]}, or {@code ?} when unknown
     */
    public record Row(Integer index, String name, String type, String output, long params, boolean frozen) {
    }

    /**
     * One line per vertex: index among layers, name, type, output shape (when input types are given),
     * parameters, and whether frozen.
     */
    public static String of(ComputationGraph graph, InputType[] inputTypes) {
        StringBuilder out = new StringBuilder(String.format("%-4s %-20s %-26s %-16s %10s  %s%n",
                "#", "layer", "type", "output", "params", "trainable"));
        long total = 0;
        long frozenTotal = 0;
        for (Row r : rows(graph, inputTypes)) {
            total += r.params();
            if (r.frozen()) {
                frozenTotal += r.params();
            }
            out.append(String.format("%-4s %-20s %-26s %-16s %10d  %s%n", r.index() == null ? "" : r.index(),
                    r.name(), r.type(), r.output(), r.params(), r.frozen() ? "frozen" : "yes"));
        }
        out.append(String.format("total params %d, frozen %d, trainable %d", total, frozenTotal, total - frozenTotal));
        return out.toString();
    }

    /** The vertices of the summary, in the graph's order; output shapes need {@code inputTypes} (null: unknown). */
    public static List<Row> rows(ComputationGraph graph, InputType[] inputTypes) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        Map<String, InputType> types = null;
        if (inputTypes != null) {
            try {
                types = conf.getLayerActivationTypes(inputTypes);
            } catch (RuntimeException e) {
                types = null; // shapes are optional in a summary; the table still helps without them
            }
        }
        List<String> layers = GraphSurgery.layerNames(graph);
        List<Row> rows = new java.util.ArrayList<>();
        for (String name : GraphSurgery.vertexNames(graph)) {
            GraphVertex v = conf.getVertices().get(name);
            String type;
            boolean frozen = false;
            long params = 0;
            if (v instanceof LayerVertex lv) {
                Layer layer = lv.getLayerConf().getLayer();
                if (layer instanceof FrozenLayer f) {
                    frozen = true;
                    layer = f.getLayer();
                }
                type = layer.getClass().getSimpleName();
                params = graph.getLayer(name).numParams();
            } else {
                type = v.getClass().getSimpleName();
            }
            int index = layers.indexOf(name);
            String shape = types == null || types.get(name) == null ? "?" : shape(types.get(name));
            rows.add(new Row(index < 0 ? null : index, name, type, shape, params, frozen));
        }
        return rows;
    }

    static String shape(InputType t) {
        long[] s = t.getShape(false);
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < s.length; i++) {
            b.append(i == 0 ? "" : ",").append(s[i]);
        }
        return b.append(']').toString();
    }
}
