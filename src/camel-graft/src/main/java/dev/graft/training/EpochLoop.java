package dev.graft.training;

import dev.graft.modelio.ModelFiles;
import dev.graft.spi.EpochRecord;
import dev.graft.spi.TrainingEngine;
import dev.graft.spi.TransientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The epochs of one training run around an engine's passes: the per-epoch records, validation scoring, early
 * stopping, best-epoch restore, checkpoints and cancellation, the same whether the examples are in memory or
 * streamed (the {@link Scoring}s and the engine's run hide which).
 */
final class EpochLoop {

    /** What the epochs did: their records, the best one, and the engine's loop and kernels. */
    record Outcome(List<EpochRecord> epochs, int bestEpoch, boolean restored, boolean stoppedEarly,
                           String loop, String kernels) {
    }

    private EpochLoop() {
    }

    /**
     * @param n      training examples
     * @param run    the engine's run over them, closed here
     * @param scored a sample of the training split, scored when the engine does not count the training accuracy
     * @param validation the validation split; null for none
     * @param whole  turns the graph being trained into the whole model (the head graph merged back), for checkpoints
     */
    static Outcome run(ComputationGraph net, int n, TrainingEngine.Epochs run, Scoring scored,
                                Scoring validation, Trainer.Settings s, Trainer.Progress progress,
                                UnaryOperator<ComputationGraph> whole) {
        List<EpochRecord> records = new ArrayList<>();
        EpochRecord best = null;
        int bestEpoch = 0;
        INDArray bestParams = null;
        boolean stoppedEarly = false;
        String loop;
        String kernels;
        try (TrainingEngine.Epochs epochs = run) {
            loop = epochs.loop();
            kernels = epochs.kernels();
            for (int epoch = 1; epoch <= s.epochs(); epoch++) {
                long start = System.nanoTime();
                net.getConfiguration().setEpochCount(epoch - 1); // epoch schedules of the updater read this
                double learningRate = s.updater().getLearningRate(net.getConfiguration().getIterationCount(), epoch - 1);
                double epochLoss = epochs.fit(epoch, progress);
                double seconds = (System.nanoTime() - start) / 1e9;
                double trainAccuracy = epochs.trainAccuracy();
                if (Double.isNaN(trainAccuracy)) {
                    trainAccuracy = scored.accuracy(net);
                }
                double valAccuracy = validation == null ? Double.NaN : validation.accuracy(net);
                double valLoss = validation == null ? Double.NaN : validation.loss(net);
                EpochRecord record = new EpochRecord(epoch, epochLoss, trainAccuracy, valAccuracy, valLoss,
                        seconds, n / seconds, learningRate);
                records.add(record);
                progress.epoch(record, s.epochs());
                if (validation != null && (best == null || s.monitor().badness(record) < s.monitor().badness(best))) {
                    best = record;
                    bestEpoch = epoch;
                    bestParams = s.restoreBest() ? net.params().dup() : null;
                }
                if (s.checkpointEvery() > 0 && epoch % s.checkpointEvery() == 0) {
                    checkpoint(whole.apply(net), s.checkpointDir(), epoch, progress);
                }
                if (s.patience() > 0 && epoch - bestEpoch >= s.patience() && epoch < s.epochs()) {
                    stoppedEarly = true;
                    progress.note(String.format("stopping early after epoch %d: no better %s for %d epochs (best %s at "
                            + "epoch %d)", epoch, s.monitor().name().toLowerCase(), s.patience(), s.monitor().describe(best),
                            bestEpoch));
                    break;
                }
                if (progress.stopRequested() && epoch < s.epochs()) {
                    throw new TransientException("train: run abandoned after epoch " + epoch + " of "
                            + s.epochs() + " because Graft is shutting down; nothing was published; the run starts "
                            + "again when its trigger fires", null);
                }
            }
        }
        boolean restored = false;
        if (bestParams != null && bestEpoch != records.size()) {
            net.setParams(bestParams);
            restored = true;
            progress.note(String.format("restored the weights of epoch %d (%s)", bestEpoch, s.monitor().describe(best)));
        }
        return new Outcome(records, bestEpoch, restored, stoppedEarly, loop, kernels);
    }

    private static void checkpoint(ComputationGraph model, Path dir, int epoch, Trainer.Progress progress) {
        Path file = dir.resolve("epoch-" + epoch + ".zip");
        try {
            Files.createDirectories(dir);
            ModelFiles.save(model, file);
        } catch (IOException e) {
            throw new TransientException("train: cannot write checkpoint '" + file + "': " + e.getMessage()
                    + "; expected a writable folder with free space (option checkpointDir)", e);
        }
        progress.note("checkpoint " + file);
    }

}
