package dev.graft.spark;

import dev.graft.model.Examples;
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
 * features), plus one compact copy cut into slices of {@code batchSize * averagingFrequency} examples, taken
 * in a seeded random order so that no slice holds one class only. Spark ships each slice, one per partition,
 * with its task; the executors cut their slices into minibatches, shuffled again each epoch.
 */
final class SparkData {

    private SparkData() {
    }

    /** The examples as compact slices, one a partition, in a random order seeded by {@code seed}. */
    static JavaRDD<MultiDataSet> slices(JavaSparkContext sc, Examples train, int perSlice, long seed) {
        int n = train.size();
        int[] order = Examples.permutation(n, new Random(seed));
        List<MultiDataSet> slices = new ArrayList<>();
        for (int from = 0; from < n; from += perSlice) {
            int to = Math.min(n, from + perSlice);
            int[] rows = java.util.Arrays.copyOfRange(order, from, to);
            slices.add(train.pick(rows).toMultiDataSet());
        }
        return sc.parallelize(slices, Math.max(1, slices.size()));
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
