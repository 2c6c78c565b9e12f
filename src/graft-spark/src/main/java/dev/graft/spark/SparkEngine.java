package dev.graft.spark;

import dev.graft.spi.DistributedTraining;
import dev.graft.spi.Examples;
import dev.graft.spi.RemoteFeaturization;
import dev.graft.spi.TrainingEngine;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Synchronous parameter averaging ({@link ParameterAveragingTrainingMaster}) over Spark workers: each worker
 * fits {@code batchPerWorker} examples a minibatch (by default the route's batch size divided among the
 * workers, so an epoch takes as many steps as a local run), and every {@code averagingFrequency} minibatches
 * the driver averages the workers' parameters and updater state and sends them out again.
 *
 * <p>The data goes as an RDD of {@link SparkData slices} built once per run; DL4J's {@code Direct} approach
 * keeps the minibatches in executor memory, so no shared file system is needed. Immutable; each {@link #start}
 * holds the Spark context for its run.
 */
final class SparkEngine implements TrainingEngine {

    private static final Logger LOG = LoggerFactory.getLogger(SparkEngine.class);

    private final DistributedTraining.Cluster cluster;

    SparkEngine(DistributedTraining.Cluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public String name() {
        return SparkTraining.NAME;
    }

    /** Featurize-once on the executors: each reads its share of a streamed image folder itself ({@link SparkFeaturization}). */
    @Override
    public Optional<RemoteFeaturization> featurization() {
        return Optional.of(new SparkFeaturization(cluster));
    }

    @Override
    public Epochs start(ComputationGraph net, Examples train, TrainingEngine.Settings settings) {
        JavaSparkContext sc = SparkContexts.acquire(cluster);
        try {
            int workers = cluster.workers().orElse(sc.defaultParallelism());
            int batch = cluster.batchPerWorker(settings.batchSize(), workers);
            JavaRDD<MultiDataSet> slices = SparkData.slices(sc, train, workers, settings.seed());
            ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(workers, batch)
                    .batchSizePerWorker(batch)
                    .averagingFrequency(cluster.averagingFrequency())
                    .saveUpdater(true)
                    .workerPrefetchNumBatches(0)
                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                    .rngSeed(settings.seed())
                    .build();
            SparkComputationGraph sparkNet = new SparkComputationGraph(sc, net, master);
            LOG.info("spark: {} examples in {} slices on {} ({} workers, {} examples a minibatch, averaging every {})",
                    train.size(), slices.getNumPartitions(), sc.master(), workers, batch, cluster.averagingFrequency());
            return new SparkEpochs(sc, net, sparkNet, slices, batch, settings.seed());
        } catch (RuntimeException | Error e) {
            SparkContexts.release(sc);
            throw e;
        }
    }

    /** One run's epochs: each one fits the slices, cut into freshly shuffled minibatches on the executors. */
    private static final class SparkEpochs implements Epochs {
        private final JavaSparkContext sc;
        private final ComputationGraph net;
        private final SparkComputationGraph sparkNet;
        private final JavaRDD<MultiDataSet> slices;
        private final int batch;
        private final long seed;

        SparkEpochs(JavaSparkContext sc, ComputationGraph net, SparkComputationGraph sparkNet,
                    JavaRDD<MultiDataSet> slices, int batch, long seed) {
            this.sc = sc;
            this.net = net;
            this.sparkNet = sparkNet;
            this.slices = slices;
            this.batch = batch;
            this.seed = seed;
        }

        @Override
        public double fit(int epoch, TrainingEngine.Progress progress) {
            JavaRDD<MultiDataSet> minibatches = SparkData.minibatches(slices, batch, seed, epoch);
            ComputationGraph trained = sparkNet.fitMultiDataSet(minibatches);
            minibatches.unpersist(false); // Direct training cached it; the next epoch cuts new minibatches
            if (trained != net) {
                net.setParams(trained.params());
            }
            progress.within(epoch, 1.0);
            return sparkNet.getScore();
        }

        @Override
        public void close() {
            try {
                slices.unpersist(false);
            } finally {
                SparkContexts.release(sc);
            }
        }
    }
}
