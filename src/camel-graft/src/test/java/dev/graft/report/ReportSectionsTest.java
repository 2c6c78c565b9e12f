package dev.graft.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.engine.RunState;
import dev.graft.engine.StepRegistry;
import dev.graft.spi.EvaluationResult;
import dev.graft.spi.PublishedVersion;
import dev.graft.spi.RunContext;
import dev.graft.spi.Verdict;
import dev.graft.testing.TinyNets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportSectionsTest {

    private static final int[][] CONFUSION = {{41, 3, 6}, {2, 45, 3}, {0, 7, 43}};
    private static final int[][] CHAMPION = {{45, 2, 3}, {5, 40, 5}, {0, 7, 43}};

    @TempDir
    Path dir;

    private static RunState run() {
        RunState run = new RunState("20261128-101500-3f2a9c", "fashion-transfer", Path.of("routes/fashion-transfer.yaml"),
                null);
        run.setData(TinyNets.splits(30, 150, 3));
        run.setEvaluation(new EvaluationResult(0.86, 0.87, 0.86, 0.862, CONFUSION, 150,
                new Verdict(Verdict.Outcome.PASSED, "gate passed"), null));
        run.recordTiming(new RunContext.StepTiming("fetch-dataset", "graft:fetch-dataset", 0.84));
        run.recordTiming(new RunContext.StepTiming("train", "graft://train?epochs=4&learningRate=1e+3&updater=adam", 5.25));
        run.recordTiming(new RunContext.StepTiming("evaluate",
                "graft://evaluate?gate=accuracy%3E%3D0.9%2Cf1%3E0.8&champion=fashion-5-9%40champion", 0.12));
        return run;
    }

    @Test
    void parametersAreDecodedOnePerRowUnderTheirStep() {
        String html = RunReport.html(run(), null, Instant.now());

        assertThat(html).contains("<section id=\"parameters\">")
                .contains("<td>gate</td><td><code>accuracy&gt;=0.9,f1&gt;0.8</code></td>")
                .contains("<td>champion</td><td><code>fashion-5-9@champion</code></td>")
                .contains("<td>learningRate</td><td><code>1e+3</code></td>")
                .contains("<td rowspan=\"1\">1</td><td rowspan=\"1\">fetch-dataset</td><td colspan=\"2\" class=\"none\">"
                        + "defaults only</td>")
                .contains("<td rowspan=\"3\">2</td><td rowspan=\"3\">train</td><td>epochs</td><td><code>4</code></td>");
        String parameters = html.substring(html.indexOf("<section id=\"parameters\">"));
        assertThat(parameters.substring(0, parameters.indexOf("</section>"))).doesNotContain("%3E").doesNotContain("%40");
    }

    @Test
    void theModelSummaryMarksFrozenLayersAndCountsTheirParameters() throws Exception {
        RunState run = run();
        run.setModel(TinyNets.lenetLike(3));
        StepRegistry.discover().configure("freeze-layers", Map.of("layers", ":-1")).run(run);

        String html = RunReport.html(run, null, Instant.now());

        String model = html.substring(html.indexOf("<section id=\"model\">"));
        model = model.substring(0, model.indexOf("</section>"));
        assertThat(model).contains("<tr class=\"frozen\">").contains("<td>frozen</td>").contains("<td>yes</td>")
                .containsPattern("[\\d,]+ parameters: [\\d,]+ frozen, [\\d,]+ trainable\\.");
        long trainableRows = model.lines().filter(l -> l.endsWith("<td>yes</td></tr>")).count();
        assertThat(trainableRows).isEqualTo(1);
    }

    @Test
    void againstTheChampionBothMetricsAndPerClassDifferencesByName() {
        RunState run = run();
        EvaluationResult e = run.evaluation().orElseThrow();
        run.setEvaluation(new EvaluationResult(e.accuracy(), e.precision(), e.recall(), e.f1(), e.confusion(),
                e.examples(), e.verdict(), new EvaluationResult.Champion("fashion-5-9", 3, 0.853, 0.851, CHAMPION)));
        run.setData(new dev.graft.spi.DataSplits(run.data().get().train(), null, run.data().get().test(),
                List.of("Sandal", "Shirt", "Sneaker"), new long[] {1, 8, 8}, "0".repeat(64), "test", 0));

        String html = RunReport.html(run, null, Instant.now());

        assertThat(html).contains("<h2>Against the champion</h2>")
                .contains("<tr><th>this model</th><td>0.8600</td><td>0.8620</td></tr>")
                .contains("<tr><th>champion <code>fashion-5-9</code> v3</th><td>0.8530</td><td>0.8510</td></tr>")
                .contains("<tr><th>difference</th><td class=\"up\">+0.0070</td><td class=\"up\">+0.0110</td></tr>");
        // Sandal: recall 41/50 = 0.82 against the champion's 45/50 = 0.90; its precision 45/50, so its F1 0.90
        assertThat(html).containsPattern("<tr><th>Sandal</th><td>0\\.9535</td><td>0\\.8200</td><td>0\\.8817</td><td>50</td>"
                + "<td>0\\.9000</td><td class=\"down\">-0\\.0183</td><td>0\\.9000</td><td class=\"down\">-0\\.0800</td></tr>");
        assertThat(html).contains("<tr><th>Sneaker</th>").contains("<td class=\"same\">+0.0000</td>");
    }

    @Test
    void thePreviousVersionsReportIsLinkedRelativelySkippingDeletedVersions() throws Exception {
        Path versions = Files.createDirectories(dir.resolve("fashion-5-9/versions"));
        Files.writeString(Files.createDirectories(versions.resolve("1")).resolve("report.html"), "v1");
        Files.createDirectories(versions.resolve("2")); // deleted or without a report
        Path three = Files.createDirectories(versions.resolve("3"));
        RunState run = run();
        run.setPublished(new PublishedVersion("fashion-5-9", 3, three, List.of("champion"), false));

        String html = RunReport.html(run, null, Instant.now());

        assertThat(html).contains("<a id=\"previous-report\" href=\"../1/report.html\">fashion-5-9 v1</a>");
        assertThat(three.resolve("../1/report.html").normalize()).exists();

        RunState first = run();
        first.setPublished(new PublishedVersion("fashion-5-9", 1, versions.resolve("1"), List.of(), false));
        assertThat(RunReport.html(first, null, Instant.now())).contains("This is the first version of fashion-5-9");
    }
}
