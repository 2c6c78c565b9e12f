package dev.graft.spark;

import dev.graft.spi.Examples;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * The training examples as an RDD, without building the data set's minibatches on the driver.
 *
 * <p>What stays on the driver: the arrays {@code fetch-dataset} read (and, with featurize-once, the frozen
 * features). The examples are cut into one compact slice a worker, in a seeded random order so that no slice
 * holds one class only, and shipped once: the slices RDD is local-checkpointed, so the executors keep the
 * slices in their block managers, the driver's copy of the slices is dropped, and later tasks carry no data.
 * Each epoch the executors cut their slices into minibatches, shuffled again. Local checkpoints trade fault
 * tolerance for this: when an executor is lost mid-training, the train step fails (and can be run again).
 *
 * <p>One slice a worker, not more: DL4J's balanced split hands each averaging round an equal share of every
 * partition's minibatches, so a partition needs at least one minibatch a round; with many small partitions a
 * round could get none, and DL4J 1.0.0-M2 then fails with a NullPointerException.
 */
final class SparkData {

    private SparkData() {
    }

    /** The examples as {@code count} compact slices of near-equal size, one a partition, in a random order seeded by {@code seed}. */
    static JavaRDD<MultiDataSet> slices(JavaSparkContext sc, Examples train, int count, long seed) {
        int n = train.size();
        int perSlice = Math.max(1, (n + count - 1) / count);
        int[] order = Examples.permutation(n, new Random(seed));
        List<MultiDataSet> slices = new ArrayList<>();
        for (int from = 0; from < n; from += perSlice) {
            int to = Math.min(n, from + perSlice);
            int[] rows = java.util.Arrays.copyOfRange(order, from, to);
            slices.add(train.pick(rows).toMultiDataSet());
        }
        JavaRDD<MultiDataSet> rdd = sc.parallelize(slices, Math.max(1, slices.size()));
        rdd.rdd().localCheckpoint();
        rdd.count(); // ships the slices now; from here on the RDD's lineage holds no data
        return rdd;
    }

    /** The minibatches of one epoch, cut on the executors from a per-slice shuffle seeded by seed and epoch. */
    static JavaRDD<MultiDataSet> minibatches(JavaRDD<MultiDataSet> slices, int batch, long seed, int epoch) {
        return slices.mapPartitionsWithIndex(new Cut(batch, seed, epoch), true);
    }

    /** Cuts each slice of a partition into shuffled minibatches; runs on the executors. */
    private record Cut(int batch, long seed, int epoch)
            implements Function2<Integer, Iterator<MultiDataSet>, Iterator<MultiDataSet>> {

        @Override
        public Iterator<MultiDataSet> call(Integer partition, Iterator<MultiDataSet> slices) {
            Random random = new Random(seed * 1_000_003L + epoch * 10_007L + partition);
            List<MultiDataSet> out = new ArrayList<>();
            while (slices.hasNext()) {
                MultiDataSet slice = slices.next();
                Examples examples = new Examples(slice.getFeatures(), slice.getLabels(0));
                Examples shuffled = examples.shuffled(random);
                for (int from = 0; from < shuffled.size(); from += batch) {
                    out.add(shuffled.rows(from, Math.min(shuffled.size(), from + batch)).dup().toMultiDataSet());
                }
            }
            return out.iterator();
        }
    }
}
