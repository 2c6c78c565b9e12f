package dev.graft.steps;

import dev.graft.spi.EpochRecord;
import dev.graft.training.Trainer;
import java.io.PrintStream;
import java.util.Locale;

/** Prints a line per epoch, and a live bar within the epoch when standard output is a terminal. */
final class ConsoleProgress implements Trainer.Progress {

    private final PrintStream out;
    private final String prefix;
    private final boolean terminal;
    private final java.util.function.BooleanSupplier stop;
    private int lastPercent = -1;

    ConsoleProgress(PrintStream out, String prefix, java.util.function.BooleanSupplier stop) {
        this.out = out;
        this.prefix = prefix;
        this.stop = stop;
        this.terminal = System.console() != null && out == System.out;
    }

    @Override
    public void epoch(EpochRecord r, int epochs) {
        String validation = Double.isNaN(r.validationAccuracy()) ? ""
                : String.format(Locale.ROOT, "  val_loss %.4f  val_acc %.4f", r.validationLoss(), r.validationAccuracy());
        String line = String.format(Locale.ROOT, "%s epoch %d/%d  loss %.4f  acc %.4f%s  lr %.2e  %.0f samples/s  %.1f s",
                prefix, r.epoch(), epochs, r.loss(), r.trainAccuracy(), validation, r.learningRate(),
                r.samplesPerSecond(), r.seconds());
        out.println((terminal ? "\r\033[2K" : "") + line);
        lastPercent = -1;
    }

    @Override
    public void within(int epoch, double fraction) {
        if (!terminal) {
            return;
        }
        int percent = (int) (fraction * 100);
        if (percent != lastPercent) {
            lastPercent = percent;
            int filled = percent * 30 / 100;
            out.print("\r" + prefix + " epoch " + epoch + " [" + "#".repeat(filled) + " ".repeat(30 - filled) + "] "
                    + percent + "%");
            out.flush();
        }
    }

    @Override
    public boolean stopRequested() {
        return stop.getAsBoolean();
    }

    @Override
    public void note(String line) {
        out.println(prefix + " " + line);
    }
}
