package dev.graft.report;

import dev.graft.engine.RunState;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.spi.Backbone;
import dev.graft.spi.EpochRecord;
import dev.graft.spi.EvaluationResult;
import dev.graft.testing.TinyNets;
import dev.graft.spi.TrainingHistory;
import dev.graft.spi.Verdict;
import dev.graft.spi.PublishedVersion;
import dev.graft.spi.DataException;
import dev.graft.spi.RunContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {

    private static final int[][] CONFUSION = {{41, 3, 6}, {2, 45, 3}, {0, 7, 43}};

    private static RunState trainedRun() {
        RunState run = new RunState("20261128-101500-3f2a9c", "fashion-transfer",
                Path.of("routes/fashion-transfer.yaml"), null);
        run.setData(TinyNets.splits(30, 150, 3));
        run.setBackbone(new Backbone(TinyNets.lenetLike(1), "registry:lenet-fashion-0-4@2", "ab".repeat(32)));
        run.addHistory(new TrainingHistory(List.of(
                new EpochRecord(1, 0.91, 0.62, 0.60, Double.NaN, 1.5, 1300, 1e-3),
                new EpochRecord(2, 0.52, 0.81, 0.78, Double.NaN, 1.2, 1600, 1e-3),
                new EpochRecord(3, 0.37, 0.88, 0.84, Double.NaN, 1.1, 1700, 1e-3),
                new EpochRecord(4, 0.30, 0.90, 0.86, Double.NaN, 1.1, 1750, 1e-3)), true, 2.5));
        run.setEvaluation(new EvaluationResult(0.86, 0.87, 0.86, 0.862, CONFUSION, 150,
                new Verdict(Verdict.Outcome.FAILED, "gate 'accuracy>=0.9' failed: accuracy 0.8600 < 0.9"), null));
        run.recordTiming(new RunContext.StepTiming("fetch-dataset", "graft://fetch-dataset?classes=5-9", 0.84));
        run.recordTiming(new RunContext.StepTiming("train", "graft://train?epochs=4", 5.25));
        run.recordTiming(new RunContext.StepTiming("evaluate", "graft://evaluate?gate=accuracy%3E%3D0.9", 0.12));
        return run;
    }

    private static String figure(String html, String id) {
        Matcher m = Pattern.compile("<figure id=\"" + id + "\"[^>]*>(.*?)</figure>", Pattern.DOTALL).matcher(html);
        assertThat(m.find()).as("figure " + id).isTrue();
        return m.group(1);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    /** The confusion table's counts, row by row, as the page shows them. */
    private static List<List<Integer>> confusionTable(String html) {
        Matcher table = Pattern.compile("<table class=\"confusion\">(.*?)</table>", Pattern.DOTALL).matcher(html);
        assertThat(table.find()).isTrue();
        List<List<Integer>> rows = new ArrayList<>();
        Matcher row = Pattern.compile("<tr><th>[^<]*</th>((?:<td class=\"(?:hit|miss|zero)\">\\d+</td>)+)")
                .matcher(table.group(1));
        while (row.find()) {
            List<Integer> cells = new ArrayList<>();
            Matcher cell = Pattern.compile(">(\\d+)</td>").matcher(row.group(1));
            while (cell.find()) {
                cells.add(Integer.valueOf(cell.group(1)));
            }
            rows.add(cells);
        }
        return rows;
    }

    @Test
    void theLossChartHasOnePointPerEpochAndTheAccuracyChartOnePerEpochAndSeries() {
        String html = RunReport.html(trainedRun(), null, Instant.now());

        String loss = figure(html, "loss-chart");
        assertThat(loss).startsWith("<svg");
        assertThat(count(loss, "<ellipse")).as("one marker per epoch, no legend").isEqualTo(4);
        String accuracy = figure(html, "accuracy-chart");
        assertThat(count(accuracy, "<ellipse")).as("train and validation markers plus two legend markers")
                .isEqualTo(2 * 4 + 2);
        assertThat(html).contains("<tr><td>3</td><td>0.3700</td><td>0.8800</td><td>0.8400</td>");
    }

    @Test
    void aRunWithoutValidationDrawsOnlyTheTrainingAccuracy() {
        RunContext run = trainedRun();
        run.addHistory(new TrainingHistory(List.of(new EpochRecord(1, 0.9, 0.6, Double.NaN, Double.NaN, 1, 1, 1e-3),
                new EpochRecord(2, 0.5, 0.7, Double.NaN, Double.NaN, 1, 1, 1e-3)), false, 0));

        String accuracy = figure(RunReport.html(run, null, Instant.now()), "accuracy-chart");

        assertThat(count(accuracy, "<ellipse")).as("two epochs, single series without legend").isEqualTo(2);
        assertThat(RunReport.html(run, null, Instant.now())).doesNotContain("validation accuracy")
                .contains("<tr><td>2</td><td>0.5000</td><td>0.7000</td><td>1.0</td>");
    }

    @Test
    void aDivergedLossIsLeftOutOfTheChartAndShownInTheTable() {
        RunContext run = trainedRun();
        run.addHistory(new TrainingHistory(List.of(new EpochRecord(1, 0.9, 0.6, 0.5, Double.NaN, 1, 1, 1e-3),
                new EpochRecord(2, Double.NaN, 0.2, 0.1, Double.NaN, 1, 1, 1e-3),
                new EpochRecord(3, Double.POSITIVE_INFINITY, 0.1, 0.1, Double.NaN, 1, 1, 1e-3)),
                false, 0));

        String html = RunReport.html(run, null, Instant.now());

        assertThat(count(figure(html, "loss-chart"), "<ellipse")).isEqualTo(1);
        assertThat(html).contains("<td class=\"diverged\">NaN</td>").contains("<td class=\"diverged\">Infinity</td>");
    }

    @Test
    void theConfusionMatrixIsAHeatMapWithItsCountsInATable() {
        String html = RunReport.html(trainedRun(), null, Instant.now());

        assertThat(figure(html, "confusion-chart")).startsWith("<svg");
        assertThat(confusionTable(html)).containsExactly(List.of(41, 3, 6), List.of(2, 45, 3), List.of(0, 7, 43));
        assertThat(html).contains("<td>0.8200</td>"); // recall of class 0: 41 / 50
        assertThat(html).contains("<td>0.9535</td>"); // precision of class 0: 41 / 43
    }

    @Test
    void theVerdictReasonAndLineageAreShownAndEscaped() {
        String html = RunReport.html(trainedRun(), null, Instant.now());

        assertThat(html).contains("<strong>FAILED</strong> &mdash; gate &#39;accuracy&gt;=0.9&#39; failed: "
                + "accuracy 0.8600 &lt; 0.9");
        assertThat(html).contains("0".repeat(64)) // the data SHA-256 of TinyNets.splits
                .contains("ab".repeat(32))
                .contains("registry:lenet-fashion-0-4@2")
                .contains("routes/fashion-transfer.yaml")
                .contains("featurize-once: frozen features computed once in 2.5 s");
        assertThat(html).contains("<td>train</td><td><code>graft://train?epochs=4</code></td><td>5.25</td><td>ok</td>");
    }

    @Test
    void aChallengerComparedWithTheChampionShowsTheChampionsFigures() {
        RunContext run = trainedRun();
        EvaluationResult e = run.evaluation().orElseThrow();
        run.setEvaluation(new EvaluationResult(e.accuracy(), e.precision(), e.recall(), e.f1(), e.confusion(),
                e.examples(), e.verdict(), new EvaluationResult.Champion("fashion-5-9", 3, 0.91, 0.905)));

        assertThat(RunReport.html(run, null, Instant.now())).contains("Compared with champion <code>fashion-5-9</code> "
                + "version 3 on the same test split: accuracy 0.9100, F1 0.9050");
    }

    @Test
    void theReportIsSelfContained() {
        String html = RunReport.html(trainedRun(), null, Instant.now());

        assertThat(html).doesNotContain("<script").doesNotContain("<link").doesNotContain(" src=")
                .doesNotContain("<img");
    }

    @Test
    void aFailedRunShowsItsErrorAndTheStepThatFailed() {
        RunState run = new RunState("20261128-101500-aaaaaa", "corrupt", null, null);
        run.recordTiming(new RunContext.StepTiming("fetch-dataset", "graft://fetch-dataset", 0.2, true));

        String html = RunReport.html(run, new IllegalStateException("wrapped",
                new DataException("fetch-dataset: wrong number of fields in CSV file 'train.csv' line 3")), Instant.now());

        assertThat(html).contains("<span class=\"status failed\">failed</span>")
                .contains("fetch-dataset: wrong number of fields in CSV file &#39;train.csv&#39; line 3")
                .contains("<tr class=\"failed\"><td>1</td><td>fetch-dataset</td>")
                .doesNotContain("id=\"training\"").doesNotContain("id=\"confusion\"");
    }

    @Test
    void aPublishedRunsReportGoesBesideItsMetadataAndAnyOtherUnderRuns(@TempDir Path dir) throws IOException {
        RunContext unpublished = trainedRun();
        Path runs = ReportWriter.write(unpublished, null, dir.resolve("registry"));
        assertThat(runs).isEqualTo(dir.resolve("registry/runs/20261128-101500-3f2a9c/report.html").toAbsolutePath());

        RunContext published = trainedRun();
        Path version = Files.createDirectories(dir.resolve("registry/fashion-5-9/versions/3"));
        published.setPublished(new PublishedVersion("fashion-5-9", 3, version, List.of()));
        Path beside = ReportWriter.write(published, null, dir.resolve("registry"));

        assertThat(beside).isEqualTo(version.resolve("report.html").toAbsolutePath());
        assertThat(Files.readString(beside)).contains("fashion-5-9 version 3 (no alias moved)");
        try (var files = Files.list(version)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("report.html");
        }
    }
}
