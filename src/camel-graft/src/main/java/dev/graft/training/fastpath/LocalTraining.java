package dev.graft.training.fastpath;

import dev.graft.spi.DataSplits;
import dev.graft.training.Trainer;
import dev.graft.training.RunningAccuracy;
import dev.graft.training.Tuning;
import dev.graft.spi.ExampleStream;
import dev.graft.spi.Examples;
import dev.graft.spi.TrainingEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * This JVM's minibatch loop: each epoch fits contiguous minibatches of a copy shuffled with a seeded permutation.
 * Small dense heads (what featurize-once usually leaves) train in plain Java arrays ({@link SmallHeadLoop}), larger
 * dense heads take {@link DenseHeadLoop}'s lean step, everything else {@code fit}.
 * The training accuracy is counted on the way ({@link RunningAccuracy}) where the output layer allows it.
 */
public final class LocalTraining implements TrainingEngine {

    /** The single-machine loop with this process's tuning ({@link Tuning#fromSystemProperties}). */
    public static final LocalTraining INSTANCE = new LocalTraining(Tuning.fromSystemProperties());

    private final Tuning tuning;

    /** The single-machine loop on the code paths {@code tuning} chooses. */
    public LocalTraining(Tuning tuning) {
        this.tuning = tuning;
    }

    /**
     * Trains a copy of {@code model} in this JVM ({@link Trainer#train} on this engine) with this process's tuning;
     * the argument is not changed.
     *
     * @throws dev.graft.spi.ConfigurationException when early stopping or best-epoch restore is asked without a
     *                                              validation split
     */
    public static Trainer.Result train(ComputationGraph model, DataSplits data, Trainer.Settings settings,
                                       Trainer.Progress progress) {
        return train(model, data, settings, Tuning.fromSystemProperties(), progress);
    }

    /** As {@link #train(ComputationGraph, DataSplits, Trainer.Settings, Trainer.Progress)}, tuned by {@code tuning}. */
    public static Trainer.Result train(ComputationGraph model, DataSplits data, Trainer.Settings settings,
                                       Tuning tuning, Trainer.Progress progress) {
        return Trainer.train(model, data, settings, tuning, new LocalTraining(tuning), progress);
    }

    @Override
    public String name() {
        return "local";
    }

    /**
     * {@inheritDoc} Fits DL4J's {@code fit} on each minibatch as it is decoded ({@link StreamedEpochs}); the lean head
     * loops need the examples in memory, and a streamed split holds images, which they do not take.
     */
    @Override
    public Epochs startStreamed(ComputationGraph net, ExampleStream train, INDArray labels,
                                TrainingEngine.Settings settings) {
        return new StreamedEpochs(net, train, labels, settings, tuning);
    }

    @Override
    public Epochs start(ComputationGraph net, Examples train, TrainingEngine.Settings settings) {
        Random random = new Random(settings.seed());
        int n = train.size();
        HeadKernels kernels = HeadKernels.of(tuning);
        SmallHeadLoop small = tuning.denseHeadLoop() ? SmallHeadLoop.of(net, train, kernels).orElse(null) : null;
        DenseHeadLoop lean = small != null || !tuning.denseHeadLoop() ? null : DenseHeadLoop.of(net).orElse(null);
        RunningAccuracy counter = small != null || lean != null ? RunningAccuracy.detached()
                : RunningAccuracy.attach(net).orElse(null);
        ForwardCache cache = ForwardCache.open(net, small == null && lean == null && tuning.forwardCache());
        return new Epochs() {
            @Override
            public double fit(int epoch, TrainingEngine.Progress progress) {
                if (counter != null) {
                    counter.reset();
                }
                if (small != null) {
                    SmallHeadLoop.Epoch e = small.epoch(Examples.permutation(n, random), settings.batchSize());
                    counter.add(e.correct(), n);
                    int all = (n + settings.batchSize() - 1) / settings.batchSize();
                    progress.batch(epoch, all, all, e.meanScore(), counter.accuracy());
                    return e.meanScore();
                }
                Examples shuffled = train.shuffled(random); // closed at the end of the epoch: a full copy
                double lossSum = 0;
                int batches = 0;
                for (int from = 0; from < n; from += settings.batchSize()) {
                    int to = Math.min(n, from + settings.batchSize());
                    Examples batch = shuffled.rows(from, to);
                    if (lean != null) {
                        DenseHeadLoop.Fitted step = lean.fit(batch.inputs()[0], batch.labels());
                        lossSum += step.score();
                        counter.add(step.correct(), to - from);
                    } else {
                        if (counter != null) {
                            counter.expect(batch.labels());
                        }
                        net.fit(batch.toMultiDataSet());
                        lossSum += net.score();
                    }
                    batches++;
                    progress.batch(epoch, batches, (n + settings.batchSize() - 1) / settings.batchSize(),
                            lossSum / batches, counter == null ? Double.NaN : counter.accuracy());
                }
                shuffled.close();
                return lossSum / batches;
            }

            @Override
            public String loop() {
                return small != null ? "SmallHeadLoop" : lean != null ? "DenseHeadLoop" : "fit";
            }

            @Override
            public String kernels() {
                return small == null ? null : kernels instanceof HeadKernels.Scalar ? "plain" : "vector";
            }

            @Override
            public double trainAccuracy() {
                return counter == null ? Double.NaN : counter.accuracy();
            }

            @Override
            public void close() {
                cache.close();
                detach(net, counter);
            }
        };
    }

    /** Takes the training-accuracy listener back off {@code net} (a no-op when {@code counter} is null or gone). */
    static void detach(ComputationGraph net, TrainingListener counter) {
        if (counter != null && net.getListeners() != null && net.getListeners().contains(counter)) {
            List<TrainingListener> others = new ArrayList<>(net.getListeners());
            others.remove(counter);
            net.setListeners(others);
        }
    }
}
