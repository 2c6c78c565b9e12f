package dev.graft.spark;

import dev.graft.spi.DataException;
import dev.graft.spi.DistributedTraining;
import dev.graft.spi.RemoteFeaturization;
import dev.graft.spi.TransientException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Featurize-once on the Spark executors. The driver ships only the record list, cut into chunks of whole batches
 * (counted from the split's start, so the batches are the local stream's) with one chunk a partition; the model is
 * broadcast once as bytes. Each executor reads its chunks' files itself through Hadoop's FileSystem API
 * ({@link RecordReads}), decodes, preprocesses and featurizes them with Graft's own code, and keeps the features
 * in its block manager (memory, else disk); the driver then pulls them one partition at a time, in order, so it
 * never holds more than one partition's features and no image. A record refused or undecodable fails the job and
 * comes back as the {@link DataException} naming its file. Thread-safe.
 */
final class SparkFeaturization implements RemoteFeaturization {

    private static final Logger LOG = LoggerFactory.getLogger(SparkFeaturization.class);

    /** The most batches a partition holds: what the driver holds at once while pulling the features. */
    static final int MAX_BATCHES_A_PARTITION = 4;

    private final DistributedTraining.Cluster cluster;

    SparkFeaturization(DistributedTraining.Cluster cluster) {
        this.cluster = cluster;
    }

    /** The records of partition {@code index}: the split's examples from {@code start}, their paths in order. */
    record Chunk(int index, int start, List<String> paths) implements Serializable {
    }

    /** The features of one batch, as they travel from an executor: one flat array and shape per frontier output. */
    record FeatureBatch(int start, float[][] values, long[][] shapes) implements Serializable {

        INDArray[] arrays() {
            INDArray[] out = new INDArray[values.length];
            for (int i = 0; i < values.length; i++) {
                out[i] = Nd4j.create(values[i], shapes[i], DataType.FLOAT);
            }
            return out;
        }
    }

    @Override
    public void featurize(Records records, byte[] model, FrozenPass pass, int batchSize, Sink sink) {
        JavaSparkContext sc = SparkContexts.acquire(cluster);
        Broadcast<byte[]> bytes = null;
        JavaRDD<FeatureBatch> features = null;
        try {
            List<Chunk> chunks = chunks(records.paths(), batchSize, sc.defaultParallelism());
            bytes = sc.broadcast(model);
            Map<String, String> hadoop = new HashMap<>();
            sc.hadoopConfiguration().forEach(e -> hadoop.put(e.getKey(), e.getValue()));
            long start = System.nanoTime();
            features = sc.parallelize(chunks, Math.max(1, chunks.size()))
                    .mapPartitions(new RecordReads(records, batchSize, pass, bytes, hadoop), true)
                    .persist(StorageLevel.MEMORY_AND_DISK_SER());
            sc.setJobDescription("graft: featurize the " + records.split() + " split");
            long batches = features.count(); // every partition at once, on every executor core
            double seconds = (System.nanoTime() - start) / 1e9;
            LOG.info("spark: featurized the {} split's {} records on {} in {} partitions in {} s ({} images/s)",
                    records.split(), records.paths().size(), sc.master(), chunks.size(), String.format("%.1f", seconds),
                    String.format("%.1f", records.paths().size() / Math.max(seconds, 1e-9)));
            int expected = 0;
            for (Iterator<FeatureBatch> it = features.toLocalIterator(); it.hasNext(); ) {
                FeatureBatch batch = it.next();
                if (batch.start() != expected) {
                    throw new IllegalStateException("spark: features of example " + batch.start() + " came when "
                            + expected + " was next");
                }
                INDArray[] arrays = batch.arrays();
                expected += (int) arrays[0].size(0);
                sink.accept(arrays);
            }
            if (batches < 0 || expected != records.paths().size()) {
                throw new IllegalStateException("spark: the executors featurized " + expected + " of "
                        + records.paths().size() + " examples");
            }
        } catch (Exception e) { // Spark's job failures are SparkException, a checked exception Scala throws undeclared
            if (e instanceof DataException || (e instanceof RuntimeException && !(e instanceof SparkException))
                    && !(e.getCause() instanceof SparkException)) {
                throw (RuntimeException) e;
            }
            throw typed(e, records);
        } finally {
            if (features != null) {
                features.unpersist(false);
            }
            if (bytes != null) {
                bytes.destroy();
            }
            sc.setJobDescription(null);
            SparkContexts.release(sc);
        }
    }

    /**
     * The records in chunks of whole batches, at least one a core where there are enough batches and at most
     * {@link #MAX_BATCHES_A_PARTITION} batches each.
     */
    static List<Chunk> chunks(List<String> paths, int batchSize, int cores) {
        int batches = (paths.size() + batchSize - 1) / batchSize;
        int perChunk = Math.max(1, Math.min(MAX_BATCHES_A_PARTITION, batches / Math.max(1, 4 * cores)));
        int size = perChunk * batchSize;
        List<Chunk> out = new ArrayList<>();
        for (int from = 0; from < paths.size(); from += size) {
            out.add(new Chunk(out.size(), from, new ArrayList<>(paths.subList(from, Math.min(paths.size(),
                    from + size)))));
        }
        return out;
    }

    /**
     * The run's error for a failed featurizing job: the executor's {@link DataException} when Spark handed it back
     * (in the cause chain, or as the failed task's message), else a {@link TransientException} (a lost executor,
     * say) saying which split failed.
     */
    static RuntimeException typed(Exception e, Records records) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DataException d) {
                return new DataException(d.getMessage(), e);
            }
        }
        String text = String.valueOf(e.getMessage());
        String marker = DataException.class.getName() + ": ";
        int at = text.indexOf(marker);
        if (at >= 0) {
            String message = text.substring(at + marker.length());
            int end = message.indexOf('\n');
            return new DataException(end < 0 ? message : message.substring(0, end), e);
        }
        return new TransientException("train: featurizing the " + records.split() + " split on the Spark executors "
                + "failed (" + e + "); expected executors that stay up and can read every record under '"
                + records.root() + "'; run the route again", e);
    }
}
