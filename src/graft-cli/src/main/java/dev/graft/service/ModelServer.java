package dev.graft.service;

import dev.graft.modelio.ModelFiles;
import dev.graft.registry.InputContracts;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import dev.graft.spi.InputContract;
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

    /**
     * A loaded version.
     *
     * @param contract how raw inputs become its examples; null for versions published before contracts were recorded
     */
    record Served(String name, int version, ComputationGraph graph, long[] exampleShape, List<String> classes,
                  InputContract contract) {
    }

    /** One example's answer. */
    record Prediction(int index, String label, double[] probabilities) {
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelServer.class);
    /** How long a version that failed to load is left alone before it is tried again. */
    private static final long RETRY_BROKEN_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);

    private final ModelRegistry registry;
    private final String alias;
    private final Map<String, Served> current = new ConcurrentHashMap<>();
    /** Per model, the version that last failed to load and when (System.nanoTime). */
    private final Map<String, long[]> broken = new ConcurrentHashMap<>();

    ModelServer(ModelRegistry registry, String alias) {
        this.registry = registry;
        this.alias = alias;
    }

    /**
     * The version that answers now, loading or swapping it in when the alias moved. When the alias points at a
     * version that cannot be loaded (or cannot be resolved), the last good version keeps answering and the
     * failure is logged; with no good version yet, the failure is the answer.
     */
    Served serving(String name) {
        Served served = current.get(name);
        ModelRegistry.ResolvedModel resolved;
        try {
            resolved = registry.resolve(name, alias).orElse(null);
        } catch (RuntimeException e) {
            if (served != null) {
                LOG.warn("predict: cannot resolve {}@{} ({}); still serving v{}", name, alias, e.toString(), served.version());
                return served;
            }
            throw e;
        }
        if (resolved == null) {
            if (served != null) {
                return served;
            }
            throw new NoSuchModel("predict: no model '" + name + "@" + alias + "'; expected one of "
                    + registry.names() + " with alias '" + alias + "'");
        }
        if (served != null && served.version() == resolved.version()) {
            return served;
        }
        long[] failed = broken.get(name);
        if (served != null && failed != null && failed[0] == resolved.version()
                && System.nanoTime() - failed[1] < RETRY_BROKEN_NANOS) {
            return served;
        }
        synchronized (this) {
            served = current.get(name);
            if (served == null || served.version() != resolved.version()) {
                try {
                    Served loaded = load(name, resolved);
                    current.put(name, loaded);
                    broken.remove(name);
                    return loaded;
                } catch (RuntimeException e) {
                    broken.put(name, new long[] {resolved.version(), System.nanoTime()});
                    if (served == null) {
                        throw e;
                    }
                    LOG.warn("predict: {}@{} moved to v{}, which cannot be loaded ({}); still serving v{}", name, alias,
                            resolved.version(), e.getMessage(), served.version());
                }
            }
            return served;
        }
    }

    /** No such model or alias: answered 404. */
    static final class NoSuchModel extends ConfigurationException {
        NoSuchModel(String message) {
            super(message);
        }
    }

    /** Values one example of a served model takes, flattened. */
    static long exampleSize(Served served) {
        long size = 1;
        for (long s : served.exampleShape()) {
            size = Math.multiplyExact(size, s);
        }
        return size;
    }

    @SuppressWarnings("unchecked")
    private Served load(String name, ModelRegistry.ResolvedModel resolved) {
        try {
            Map<String, Object> meta = registry.metadata(name, resolved.version());
            Map<String, Object> dataset = (Map<String, Object>) meta.getOrDefault("dataset", Map.of());
            List<Number> shape = (List<Number>) dataset.getOrDefault("exampleShape", List.of());
            List<String> classes = (List<String>) dataset.getOrDefault("classes", List.of());
            return new Served(name, resolved.version(), ModelFiles.load(resolved.modelFile()),
                    shape.stream().mapToLong(Number::longValue).toArray(), classes, InputContracts.fromMetadata(meta));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("predict: cannot read " + name + " v" + resolved.version() + ": " + e, e);
        }
    }

    /** Classifies examples given as flat value arrays (already scaled as in training). */
    List<Prediction> predict(Served served, List<float[]> examples) {
        long size = exampleSize(served);
        float[] flat = new float[Math.toIntExact(Math.multiplyExact(examples.size(), size))];
        for (int i = 0; i < examples.size(); i++) {
            float[] e = examples.get(i);
            if (e.length != size) {
                throw new DataException("predict: instance " + i + " has " + e.length + " values; expected " + size
                        + " (example shape " + java.util.Arrays.toString(served.exampleShape()) + ", flattened)");
            }
            System.arraycopy(e, 0, flat, (int) (i * size), e.length);
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
