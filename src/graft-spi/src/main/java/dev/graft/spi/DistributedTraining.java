package dev.graft.spi;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * A training engine that runs on a cluster, found through {@link ServiceLoader} by {@link #name()}; the
 * {@code train} step's {@code engine} option picks one. Graft's core ships none: the optional Spark build
 * ({@code mvn -Pspark package}) adds {@code spark}. Implementations are stateless and thread-safe.
 */
public interface DistributedTraining {

    /**
     * Where and how widely to train.
     *
     * @param master             the cluster manager URL as the route gave it; empty: the engine's own default
     * @param workers            parallel workers (data partitions per averaging round); empty: the engine's default
     * @param averagingFrequency minibatches each worker fits between two parameter averages, at least 1
     * @param batchPerWorker     examples in each worker's minibatch; empty: the route's batch size divided among
     *                           the workers, so that one step of all workers together sees batchSize examples
     */
    record Cluster(Optional<String> master, OptionalInt workers, int averagingFrequency, OptionalInt batchPerWorker) {

        public Cluster {
            master = master.filter(m -> !m.isBlank()).map(String::trim);
            if (workers.isPresent() && workers.getAsInt() < 1) {
                throw new IllegalArgumentException("workers must be at least 1: " + workers.getAsInt());
            }
            if (batchPerWorker.isPresent() && batchPerWorker.getAsInt() < 1) {
                throw new IllegalArgumentException("batchPerWorker must be at least 1: " + batchPerWorker.getAsInt());
            }
            if (averagingFrequency < 1) {
                throw new IllegalArgumentException("averagingFrequency must be at least 1: " + averagingFrequency);
            }
        }

        /** A worker's minibatch for a route batch size and a number of workers: the option, else batchSize / workers. */
        public int batchPerWorker(int batchSize, int workerCount) {
            return batchPerWorker.orElse(Math.max(1, batchSize / workerCount));
        }
    }

    /** The engine name a route gives in {@code train?engine=...}, lowercase, for example {@code spark}. */
    String name();

    /**
     * Checks the cluster options and binds them; called when the route loads, before any training.
     *
     * @throws ConfigurationException when an option is unusable (a malformed master URL, say) or the engine's
     *                                libraries are missing, saying how to run with them
     */
    TrainingEngine configure(Cluster cluster) throws ConfigurationException;

    /**
     * The provider for an engine name on the given class loader, or empty when none is installed.
     *
     * @throws ConfigurationException when a provider is registered but cannot be loaded
     */
    static Optional<DistributedTraining> find(String name, ClassLoader loader) {
        try {
            for (DistributedTraining provider : ServiceLoader.load(DistributedTraining.class, loader)) {
                if (provider.name().equals(name)) {
                    return Optional.of(provider);
                }
            }
            return Optional.empty();
        } catch (ServiceConfigurationError | LinkageError e) {
            throw new ConfigurationException("train: the training engine '" + name + "' is installed but cannot be "
                    + "loaded (" + e.getMessage() + "); expected a build whose engine classes and libraries are all "
                    + "on the class path", e);
        }
    }
}
