package dev.graft.evaluation;

import dev.graft.spi.Examples;
import dev.graft.spi.LabeledSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Feature vectors of examples at named vertices of a graph, for the embedding drift check. */
public final class Embeddings {

    private static final int BATCH = 32;

    private Embeddings() {
    }

    /**
     * The flattened, joined outputs of {@code layers} for up to {@code count} examples drawn with {@code seed} from
     * the sets (null sets skipped), in inference mode.
     *
     * @throws IllegalArgumentException when a layer is not a vertex of the graph
     */
    public static float[][] sample(ComputationGraph graph, List<String> layers, List<LabeledSet> sets, int count,
                                   long seed) {
        for (String layer : layers) {
            if (graph.getVertex(layer) == null) {
                throw new IllegalArgumentException("no vertex '" + layer + "' in the graph");
            }
        }
        List<LabeledSet> present = sets.stream().filter(java.util.Objects::nonNull).toList();
        int total = present.stream().mapToInt(LabeledSet::size).sum();
        int[] chosen = Arrays.copyOf(Examples.permutation(total, new Random(seed)), Math.min(count, total));
        Arrays.sort(chosen);
        List<float[]> out = new ArrayList<>();
        int base = 0;
        int next = 0;
        for (LabeledSet set : present) {
            List<Integer> rows = new ArrayList<>();
            while (next < chosen.length && chosen[next] < base + set.size()) {
                rows.add(chosen[next++] - base);
            }
            base += set.size();
            for (int from = 0; from < rows.size(); from += BATCH) {
                int[] batchRows = rows.subList(from, Math.min(rows.size(), from + BATCH)).stream()
                        .mapToInt(Integer::intValue).toArray();
                INDArray batch = Examples.pick(set.features(), batchRows);
                INDArray[] acts = graph.output(layers, false, new INDArray[] {batch}, null);
                for (int r = 0; r < batchRows.length; r++) {
                    out.add(row(acts, r));
                }
            }
        }
        return out.toArray(float[][]::new);
    }

    private static float[] row(INDArray[] acts, int r) {
        int length = 0;
        for (INDArray a : acts) {
            length += (int) (a.length() / a.size(0));
        }
        float[] v = new float[length];
        int at = 0;
        for (INDArray a : acts) {
            float[] part = a.reshape('c', a.size(0), a.length() / a.size(0)).getRow(r).toFloatVector();
            System.arraycopy(part, 0, v, at, part.length);
            at += part.length;
        }
        return v;
    }
}
