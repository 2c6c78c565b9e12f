package dev.graft.model;

import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** This JVM's minibatch loop: each epoch fits contiguous minibatches of a copy shuffled with a seeded permutation. */
final class LocalTraining implements TrainingEngine {

    static final LocalTraining INSTANCE = new LocalTraining();

    private LocalTraining() {
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public Epochs start(ComputationGraph net, Examples train, Trainer.Settings settings) {
        Random random = new Random(settings.seed());
        int n = train.size();
        return (epoch, progress) -> {
            Examples shuffled = train.shuffled(random);
            double lossSum = 0;
            int batches = 0;
            for (int from = 0; from < n; from += settings.batchSize()) {
                int to = Math.min(n, from + settings.batchSize());
                net.fit(shuffled.rows(from, to).toMultiDataSet());
                lossSum += net.score();
                batches++;
                progress.within(epoch, (double) to / n);
            }
            return lossSum / batches;
        };
    }
}
