package dev.graft.nd4j;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one place that says which random generator a run draws from and seeds it.
 *
 * <p>A run's generator is ND4J's generator of the thread that runs the run's steps: {@link Nd4j#getRandom()} is
 * per thread, and a run keeps its thread from its first step to its last (a file poller, a timer or an HTTP
 * worker), so two runs at once never share a generator. What a run draws (initial weights, dropout masks) follows
 * from its seed alone because the generator is seeded right before each draw: before a new graph's weights
 * ({@link #initialise}) and before training ({@link #seed}). DL4J's {@code init()} seeds the generator from the
 * graph's configuration, whose seed a {@code NeuralNetConfiguration.Builder} sets from the clock unless told; graphs
 * whose weights are copied in afterwards are initialised with {@link #initialiseForCopy}, which leaves the
 * generator as it was.
 */
public final class RunRandom {

    private RunRandom() {
    }

    /** Seeds the calling thread's generator: everything the run draws from now on follows from {@code seed}. */
    public static void seed(long seed) {
        Nd4j.getRandom().setSeed(seed);
    }

    /**
     * Draws a new graph's initial weights from {@code seed}.
     *
     * @throws IllegalArgumentException when the graph's configuration carries another seed (its {@code init()} would
     *                                  seed the generator with that one)
     */
    public static ComputationGraph initialise(ComputationGraph graph, long seed) {
        long configured = graph.getConfiguration().getDefaultConfiguration().getSeed();
        if (configured != seed) {
            throw new IllegalArgumentException("a graph to initialise from seed " + seed + " has seed " + configured
                    + " in its configuration; expected the same seed in NeuralNetConfiguration.Builder().seed(...)");
        }
        seed(seed);
        graph.init();
        return graph;
    }

    /**
     * Initialises a graph whose parameters the caller overwrites with copies (a part of another graph, a model read
     * from a file), leaving the calling thread's generator in the state it had: its configuration's seed (the clock
     * for a configuration built without one) does not leak into the run.
     */
    public static ComputationGraph initialiseForCopy(ComputationGraph graph) {
        Random random = Nd4j.getRandom();
        long root = random.rootState();
        long node = random.nodeState();
        graph.init();
        random.setStates(root, node);
        return graph;
    }
}
