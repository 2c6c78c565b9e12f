package dev.graft.steps;

import dev.graft.spi.Console;
import dev.graft.spi.EpochRecord;
import dev.graft.training.Trainer;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/** Shows a line per epoch on the run's console, and a live bar within the epoch as a console status. */
final class ConsoleProgress implements Trainer.Progress {

    private final Console console;
    private final String prefix;
    private final BooleanSupplier stop;
    private int lastPercent = -1;

    ConsoleProgress(Console console, String prefix, BooleanSupplier stop) {
        this.console = console;
        this.prefix = prefix;
        this.stop = stop;
    }

    @Override
    public void epoch(EpochRecord r, int epochs) {
        String validation = Double.isNaN(r.validationAccuracy()) ? ""
                : String.format(Locale.ROOT, "  val_loss %.4f  val_acc %.4f", r.validationLoss(), r.validationAccuracy());
        console.line(String.format(Locale.ROOT, "%s epoch %d/%d  loss %.4f  acc %.4f%s  lr %.2e  %.0f samples/s  %.1f s",
                prefix, r.epoch(), epochs, r.loss(), r.trainAccuracy(), validation, r.learningRate(),
                r.samplesPerSecond(), r.seconds()));
        lastPercent = -1;
    }

    @Override
    public void within(int epoch, double fraction) {
        int percent = (int) (fraction * 100);
        if (percent != lastPercent) {
            lastPercent = percent;
            int filled = percent * 30 / 100;
            console.status(prefix + " epoch " + epoch + " [" + "#".repeat(filled) + " ".repeat(30 - filled) + "] "
                    + percent + "%");
        }
    }

    @Override
    public boolean stopRequested() {
        return stop.getAsBoolean();
    }

    @Override
    public void note(String line) {
        console.line(prefix + " " + line);
    }
}
