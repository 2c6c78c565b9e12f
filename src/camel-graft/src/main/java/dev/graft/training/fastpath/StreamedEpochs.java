package dev.graft.training.fastpath;

import dev.graft.spi.ExampleStream;
import dev.graft.spi.Examples;
import dev.graft.spi.TrainingEngine;
import dev.graft.training.RunningAccuracy;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * This JVM's loop on a streamed training split: each epoch draws the same seeded permutation as the in-memory loop
 * ({@link Examples#permutation}, from a generator seeded once per run), reads the examples in that order through the
 * stream a minibatch at a time, and fits each with DL4J's {@code fit}. So a run sees exactly the minibatches the
 * in-memory loop sees, and only {@code prefetch} decoded minibatches are ever held. Used by one thread.
 */
final class StreamedEpochs implements TrainingEngine.Epochs {

    private final ComputationGraph net;
    private final ExampleStream stream;
    private final INDArray labels;
    private final int batchSize;
    private final Random random;
    private final RunningAccuracy counter;
    private final ForwardCache cache;

    /**
     * @param labels the split's one-hot labels in split order
     */
    StreamedEpochs(ComputationGraph net, ExampleStream stream, INDArray labels, TrainingEngine.Settings settings,
                   dev.graft.training.Tuning tuning) {
        if (stream.size() != labels.size(0)) {
            throw new IllegalArgumentException("the stream has " + stream.size() + " examples but there are "
                    + labels.size(0) + " labels");
        }
        this.net = net;
        this.stream = stream;
        this.labels = labels;
        this.batchSize = settings.batchSize();
        this.random = new Random(settings.seed());
        this.counter = RunningAccuracy.attach(net).orElse(null);
        this.cache = ForwardCache.open(net, tuning.forwardCache());
    }

    @Override
    public double fit(int epoch, TrainingEngine.Progress progress) {
        if (counter != null) {
            counter.reset();
        }
        int n = stream.size();
        int[] order = Examples.permutation(n, random);
        int all = (n + batchSize - 1) / batchSize;
        double lossSum = 0;
        int batches = 0;
        int from = 0;
        try (ExampleStream.Pass pass = stream.open(batchSize, order)) {
            for (INDArray x = pass.next(); x != null; x = pass.next()) {
                int to = from + (int) x.size(0);
                int[] rows = java.util.Arrays.copyOfRange(order, from, to);
                INDArray y = Examples.pick(labels, rows);
                if (counter != null) {
                    counter.expect(y);
                }
                net.fit(new MultiDataSet(new INDArray[] {x}, new INDArray[] {y}));
                lossSum += net.score();
                x.close();
                y.close();
                batches++;
                from = to;
                progress.batch(epoch, batches, all, lossSum / batches,
                        counter == null ? Double.NaN : counter.accuracy());
            }
        }
        if (from != n) {
            throw new IllegalStateException("the stream gave " + from + " of " + n + " examples");
        }
        return lossSum / batches;
    }

    @Override
    public double trainAccuracy() {
        return counter == null ? Double.NaN : counter.accuracy();
    }

    @Override
    public void close() {
        cache.close();
        LocalTraining.detach(net, counter);
    }
}
