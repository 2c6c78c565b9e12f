package dev.graft.steps;

import dev.graft.spi.EpochRecord;
import dev.graft.spi.RunContext;
import dev.graft.training.Trainer;
import java.util.Locale;

/**
 * The train step's progress as Keras shows it: within each epoch a live line with the batch counter, ETA, rate and
 * the running loss and accuracy ({@link ProgressLine}); after it a line with the epoch's figures.
 */
final class ConsoleProgress implements Trainer.Progress, AutoCloseable {

    private final RunContext context;
    /** Starts every line, such as {@code train:}. */
    private final String prefix;
    /** The epochs the step runs. */
    private final int epochs;
    /** The live line of the current epoch; null between epochs. */
    private ProgressLine line;

    ConsoleProgress(RunContext context, String prefix, int epochs) {
        this.context = context;
        this.prefix = prefix;
        this.epochs = epochs;
    }

    @Override
    public void batch(int epoch, int batch, int batches, double loss, double accuracy) {
        String extra = Double.isNaN(accuracy) ? String.format(Locale.ROOT, "loss %.4f", loss)
                : String.format(Locale.ROOT, "loss %.4f acc %.4f", loss, accuracy);
        line(epoch, batches, " batches").step(batch, extra, loss, accuracy);
    }

    @Override
    public void within(int epoch, double fraction) {
        line(epoch, 100, "%").step((int) Math.round(fraction * 100), "", Double.NaN, Double.NaN);
    }

    /** Featurize-once's frozen forward pass: a line per split, counting examples. */
    @Override
    public void featurizing(String split, int done, int total) {
        if (line == null || line.epoch() != 0) {
            closeLine();
            line = new ProgressLine(context, prefix + " featurize " + split, "featurize", 0, 0, total, " examples");
        }
        line.step(done, "", Double.NaN, Double.NaN);
        if (done >= total) {
            closeLine();
        }
    }

    private ProgressLine line(int epoch, int batches, String unit) {
        if (line == null || line.epoch() != epoch) {
            closeLine();
            line = new ProgressLine(context, prefix + " epoch " + epoch + "/" + epochs, "train", epoch, epochs,
                    batches, unit);
        }
        return line;
    }

    private void closeLine() {
        if (line != null) {
            line.close();
            line = null;
        }
    }

    @Override
    public void epoch(EpochRecord r, int epochs) {
        closeLine();
        String validation = Double.isNaN(r.validationAccuracy()) ? ""
                : String.format(Locale.ROOT, "  val_loss %.4f  val_acc %.4f", r.validationLoss(), r.validationAccuracy());
        context.console().line(String.format(Locale.ROOT,
                "%s epoch %d/%d  loss %.4f  acc %.4f%s  lr %.2e  %.0f samples/s  %.1f s", prefix, r.epoch(), epochs,
                r.loss(), r.trainAccuracy(), validation, r.learningRate(), r.samplesPerSecond(), r.seconds()));
    }

    @Override
    public boolean stopRequested() {
        if (context.isCancelled()) {
            closeLine();
            return true;
        }
        return false;
    }

    /** Ends a line still showing (training failed within an epoch). */
    @Override
    public void close() {
        closeLine();
    }

    @Override
    public void note(String line) {
        context.console().line(prefix + " " + line);
    }
}
