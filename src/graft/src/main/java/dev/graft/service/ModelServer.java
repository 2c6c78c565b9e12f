package dev.graft.service;

import dev.graft.modelio.ModelFiles;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Answers predictions with a model's current champion. Each request resolves the alias; when it has
 * moved (publish, promote, rollback — from this or another process), the new version is loaded and swapped
 * in atomically, while requests already running finish on the version they started with.
 */
final class ModelServer {

    /** A loaded version. */
    record Served(String name, int version, ComputationGraph graph, long[] exampleShape, List<String> classes) {
    }

    /** One example's answer. */
    record Prediction(int index, String label, double[] probabilities) {
    }

    private final ModelRegistry registry;
    private final String alias;
    private final Map<String, Served> current = new ConcurrentHashMap<>();

    ModelServer(ModelRegistry registry, String alias) {
        this.registry = registry;
        this.alias = alias;
    }

    /** The version that answers now, loading or swapping it in when the alias moved. */
    Served serving(String name) {
        ModelRegistry.ResolvedModel resolved = registry.resolve(name, alias).orElseThrow(() ->
                new ConfigurationException("predict: no model '" + name + "@" + alias + "'; expected one of "
                        + registry.names() + " with alias '" + alias + "'"));
        Served served = current.get(name);
        if (served != null && served.version() == resolved.version()) {
            return served;
        }
        synchronized (this) {
            served = current.get(name);
            if (served == null || served.version() != resolved.version()) {
                served = load(name, resolved);
                current.put(name, served);
            }
            return served;
        }
    }

    @SuppressWarnings("unchecked")
    private Served load(String name, ModelRegistry.ResolvedModel resolved) {
        try {
            Map<String, Object> meta = registry.metadata(name, resolved.version());
            Map<String, Object> dataset = (Map<String, Object>) meta.getOrDefault("dataset", Map.of());
            List<Number> shape = (List<Number>) dataset.getOrDefault("exampleShape", List.of());
            List<String> classes = (List<String>) dataset.getOrDefault("classes", List.of());
            return new Served(name, resolved.version(), ModelFiles.load(resolved.modelFile()),
                    shape.stream().mapToLong(Number::longValue).toArray(), classes);
        } catch (IOException e) {
            throw new IllegalStateException("predict: cannot read " + name + " v" + resolved.version() + ": " + e, e);
        }
    }

    /** Classifies examples given as flat value lists (already scaled as in training). */
    List<Prediction> predict(Served served, List<double[]> examples) {
        long size = 1;
        for (long s : served.exampleShape()) {
            size *= s;
        }
        float[] flat = new float[(int) (examples.size() * size)];
        for (int i = 0; i < examples.size(); i++) {
            double[] e = examples.get(i);
            if (e.length != size) {
                throw new DataException("predict: instance " + i + " has " + e.length + " values; expected " + size
                        + " (example shape " + java.util.Arrays.toString(served.exampleShape()) + ", flattened)");
            }
            for (int j = 0; j < e.length; j++) {
                flat[(int) (i * size + j)] = (float) e[j];
            }
        }
        long[] shape = new long[served.exampleShape().length + 1];
        shape[0] = examples.size();
        System.arraycopy(served.exampleShape(), 0, shape, 1, served.exampleShape().length);
        INDArray input = Nd4j.create(flat, shape, 'c');
        INDArray output;
        synchronized (served.graph()) { // DL4J networks are not safe for concurrent inference
            output = served.graph().outputSingle(false, input);
        }
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            double[] p = output.getRow(i).toDoubleVector();
            int best = 0;
            for (int k = 1; k < p.length; k++) {
                if (p[k] > p[best]) {
                    best = k;
                }
            }
            out.add(new Prediction(best, best < served.classes().size() ? served.classes().get(best) : String.valueOf(best), p));
        }
        return out;
    }
}
