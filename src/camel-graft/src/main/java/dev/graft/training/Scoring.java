package dev.graft.training;

import dev.graft.spi.ExampleStream;
import dev.graft.spi.Examples;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * A split the epoch loop scores the model on after each epoch (validation, or a sample of the training split):
 * accuracy and mean loss in inference mode, from arrays in memory or from a stream read a batch at a time.
 */
interface Scoring {

    /** Examples a batch when a streamed split is scored: small, as its activations are what memory holds. */
    int STREAM_BATCH = 64;

    /** Fraction of the examples whose highest output is the labelled class; NaN for none. */
    double accuracy(ComputationGraph net);

    /** Mean loss over the examples (the network's score, regularisation included). */
    double loss(ComputationGraph net);

    /** Examples in memory, scored 512 at a time. */
    static Scoring of(Examples examples) {
        return new Scoring() {
            @Override
            public double accuracy(ComputationGraph net) {
                return Trainer.accuracy(net, examples.inputs(), examples.labels());
            }

            @Override
            public double loss(ComputationGraph net) {
                return Trainer.loss(net, examples.inputs(), examples.labels());
            }
        };
    }

    /**
     * The examples at {@code order}'s indices of a streamed split, read {@link #STREAM_BATCH} at a time in each
     * call (nothing is kept between calls).
     *
     * @param labels the split's one-hot labels, in split order
     */
    static Scoring streamed(ExampleStream stream, INDArray labels, int[] order) {
        INDArray picked = Examples.pick(labels, order);
        return new Scoring() {
            @Override
            public double accuracy(ComputationGraph net) {
                if (order.length == 0) {
                    return Double.NaN;
                }
                long correct = 0;
                try (ExampleStream.Pass pass = stream.open(STREAM_BATCH, order)) {
                    int from = 0;
                    for (INDArray x = pass.next(); x != null; x = pass.next()) {
                        int to = from + (int) x.size(0);
                        INDArray y = Examples.rows(picked, from, to);
                        correct += net.output(false, x)[0].argMax(1).eq(y.argMax(1)).castTo(DataType.INT)
                                .sumNumber().longValue();
                        x.close();
                        from = to;
                    }
                }
                return (double) correct / order.length;
            }

            @Override
            public double loss(ComputationGraph net) {
                double sum = 0;
                try (ExampleStream.Pass pass = stream.open(STREAM_BATCH, order)) {
                    int from = 0;
                    for (INDArray x = pass.next(); x != null; x = pass.next()) {
                        int to = from + (int) x.size(0);
                        INDArray y = Examples.rows(picked, from, to);
                        sum += net.score(new MultiDataSet(x, y), false) * (to - from);
                        x.close();
                        from = to;
                    }
                }
                return sum / order.length;
            }
        };
    }

    /** The indices 0 .. n-1: a split in its own order. */
    static int[] first(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }
}
