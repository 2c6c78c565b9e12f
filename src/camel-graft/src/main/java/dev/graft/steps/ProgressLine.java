package dev.graft.steps;

import dev.graft.metrics.RouteMetrics;
import dev.graft.metrics.RunProgress;
import dev.graft.spi.Console;
import dev.graft.spi.RunContext;
import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A live line for one pass over batches (a training epoch, an evaluation), drawn by {@code me.tongfei:progressbar}
 * with the batch counter, elapsed time and ETA, batches per second and an extra message (running loss and
 * accuracy) onto the run's console as a status: on a terminal it overwrites itself, elsewhere the console shows it
 * as a plain line every few seconds. Each step also records where the run stands for the service's run status.
 * Used by one thread; {@link #close} ends the line.
 */
final class ProgressLine implements AutoCloseable {

    /** The widest line drawn: the CLI's tables fit 100 columns too. */
    static final int WIDTH = 100;
    /** How often the bar is redrawn while its pass runs, in milliseconds. */
    private static final int REDRAW_MILLIS = 200;

    private final RunContext context;
    private final String phase;
    private final int epoch;
    private final int epochs;
    private final int batches;
    private final ProgressBar bar;
    private final long started = System.nanoTime();

    /**
     * @param task    what the line names, such as {@code train: epoch 2/5}
     * @param phase   the phase the run status shows: train or evaluate
     * @param epoch   the 1-based epoch of a train phase, 0 otherwise
     * @param epochs  the epochs of the train step, 0 otherwise
     * @param batches the batches in this pass
     * @param unit    what is counted, after the numbers: {@code " batches"}, or {@code "%"} for an engine that
     *                reports only the fraction done
     */
    ProgressLine(RunContext context, String task, String phase, int epoch, int epochs, int batches, String unit) {
        this.context = context;
        this.phase = phase;
        this.epoch = epoch;
        this.epochs = epochs;
        this.batches = batches;
        this.bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(batches).setStyle(ProgressBarStyle.ASCII)
                .setUnit(unit, 1).showSpeed().setSpeedUnit(ChronoUnit.SECONDS)
                .setUpdateIntervalMillis(REDRAW_MILLIS).setConsumer(new StatusConsumer(context.console())).build();
        report(0, Double.NaN, Double.NaN);
    }

    /** {@code batch} batches are done; {@code extra} follows the counter (running loss and accuracy, say). */
    void step(int batch, String extra, double loss, double accuracy) {
        bar.setExtraMessage(extra.isEmpty() ? "" : " " + extra);
        bar.stepTo(batch);
        report(batch, loss, accuracy);
    }

    /** The epoch this line draws; 0 outside training. */
    int epoch() {
        return epoch;
    }

    private void report(int batch, double loss, double accuracy) {
        double elapsed = (System.nanoTime() - started) / 1e9;
        double eta = batch == 0 ? Double.NaN : elapsed / batch * (batches - batch);
        RouteMetrics.of(context).progress(context.runId(),
                RunProgress.of(phase, epoch, epochs, batch, batches, eta, loss, accuracy));
    }

    @Override
    public void close() {
        bar.close();
    }

    /** Sends each drawn line to the console as its status. */
    private record StatusConsumer(Console console) implements ProgressBarConsumer {

        @Override
        public int getMaxRenderedLength() {
            return WIDTH;
        }

        @Override
        public void accept(String rendered) {
            console.status(rendered);
        }

        @Override
        public void close() {
            // the console's next line replaces the last status; nothing of the console's own to close
        }
    }
}
