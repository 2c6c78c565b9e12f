package dev.graft.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.engine.RunState;
import dev.graft.metrics.GraftMetrics;
import dev.graft.metrics.RunProgress;
import dev.graft.spi.EpochRecord;
import dev.graft.spi.RunContext;
import dev.graft.testing.RecordingConsole;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

    @Test
    void eachEpochDrawsABatchCounterWithEtaRateAndRunningLossThenItsLine() throws Exception {
        RecordingConsole console = new RecordingConsole();
        GraftMetrics metrics = GraftMetrics.noop();
        RunContext context = new RunState("run-7", "route-1", null, null, metrics.route("route-1"), console);

        try (ConsoleProgress progress = new ConsoleProgress(context, "train:", 3)) {
            for (int batch = 1; batch <= 4; batch++) {
                progress.batch(2, batch, 10, 1.0 / batch, 0.5);
                Thread.sleep(300); // the bar redraws every 200 ms
            }
            RunProgress p = metrics.progress().get("run-7").orElseThrow();
            assertThat(p.phase()).isEqualTo("train");
            assertThat(p.epoch()).isEqualTo(2);
            assertThat(p.epochs()).isEqualTo(3);
            assertThat(p.batch()).isEqualTo(4);
            assertThat(p.batches()).isEqualTo(10);
            assertThat(p.etaSeconds()).isGreaterThan(0);
            assertThat(p.loss()).isEqualTo(0.25);
            assertThat(p.accuracy()).isEqualTo(0.5);
            progress.epoch(new EpochRecord(2, 0.25, 0.5, Double.NaN, Double.NaN, 1.2, 800, 1e-3), 3);
        }

        assertThat(console.statuses()).isNotEmpty().allSatisfy(s -> assertThat(s).startsWith("train: epoch 2/3")
                .hasSizeLessThanOrEqualTo(ProgressLine.WIDTH));
        assertThat(console.statuses()).anySatisfy(s -> assertThat(s).contains("3/10 batches").contains("loss 0.3333 acc 0.5000"));
        assertThat(console.statuses().get(console.statuses().size() - 1)).containsPattern("\\d+/10 batches \\(0:00:0\\d / 0:00:0\\d\\)")
                .containsPattern("\\d+(\\.\\d)? batches/s");
        assertThat(console.lines()).singleElement().asString().startsWith("train: epoch 2/3  loss 0.2500  acc 0.5000");
    }

    @Test
    void featurizeOnceDrawsAnExampleCounterPerSplitAndRecordsItsPhase() throws Exception {
        RecordingConsole console = new RecordingConsole();
        GraftMetrics metrics = GraftMetrics.noop();
        RunContext context = new RunState("run-8", "route-1", null, null, metrics.route("route-1"), console);

        try (ConsoleProgress progress = new ConsoleProgress(context, "train:", 3)) {
            for (int done = 256; done < 1024; done += 256) {
                progress.featurizing("train", done, 1000);
                Thread.sleep(300); // the bar redraws every 200 ms
            }
            RunProgress p = metrics.progress().get("run-8").orElseThrow();
            assertThat(p.phase()).isEqualTo("featurize");
            assertThat(p.batch()).isEqualTo(768);
            assertThat(p.batches()).isEqualTo(1000);
            progress.featurizing("train", 1000, 1000);
            progress.featurizing("validation", 100, 100);
        }

        assertThat(console.statuses()).anySatisfy(s -> assertThat(s).startsWith("train: featurize train")
                .contains("512/1000 examples"));
        assertThat(console.statuses()).allSatisfy(s -> assertThat(s).hasSizeLessThanOrEqualTo(ProgressLine.WIDTH));
        assertThat(console.statuses()).anySatisfy(s -> assertThat(s).startsWith("train: featurize validation"));
    }
}
