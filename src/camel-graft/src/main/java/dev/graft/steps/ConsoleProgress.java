package dev.graft.steps;

import dev.graft.spi.EpochRecord;
import dev.graft.spi.RunContext;
import dev.graft.training.Trainer;
import java.util.Locale;

/**
 * The train step's progress as Keras shows it: within each epoch a live line with the batch counter, ETA, rate,
 * the running loss and accuracy and examples a second ({@link ProgressLine}); after it a line with the epoch's
 * figures. Featurize-once draws a line per split counting examples, with its ETA and examples a second.
 */
final class ConsoleProgress implements Trainer.Progress, AutoCloseable {

    private final RunContext context;
    /** Starts every line, such as {@code train:}. */
    private final String prefix;
    /** The epochs the step runs. */
    private final int epochs;
    /** The live line of the current epoch; null between epochs. */
    private ProgressLine line;

    /** Examples a batch holds (the last may hold fewer), for the examples-a-second figure; 0 when unknown. */
    private final int batchSize;
    /** When the current epoch's line started, from {@link System#nanoTime()}. */
    private long lineStarted;

    ConsoleProgress(RunContext context, String prefix, int epochs) {
        this(context, prefix, epochs, 0);
    }

    /** As the three-argument constructor; each epoch's live line also shows examples a second ({@code ex/s}). */
    ConsoleProgress(RunContext context, String prefix, int epochs, int batchSize) {
        this.context = context;
        this.prefix = prefix;
        this.epochs = epochs;
        this.batchSize = batchSize;
    }

    @Override
    public void batch(int epoch, int batch, int batches, double loss, double accuracy) {
        String extra = Double.isNaN(accuracy) ? String.format(Locale.ROOT, "loss %.4f", loss)
                : String.format(Locale.ROOT, "loss %.4f acc %.4f", loss, accuracy);
        ProgressLine current = line(epoch, batches, " batches");
        double seconds = (System.nanoTime() - lineStarted) / 1e9;
        if (batchSize > 0 && batch > 0 && seconds > 0) {
            extra += String.format(Locale.ROOT, " %.0f ex/s", (double) batch * batchSize / seconds);
        }
        current.step(batch, extra, loss, accuracy);
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
            lineStarted = System.nanoTime();
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
