package dev.graft.report;

import static dev.graft.report.Html.esc;

import dev.graft.data.DataProfile;
import dev.graft.data.FeatureSample;
import dev.graft.data.SplitProfile;
import dev.graft.evaluation.DriftCheck;
import dev.graft.spi.RunContext;
import dev.graft.training.CutProbe;
import dev.graft.training.UnfreezeProbe;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's "Data" section (the data profile of fetch-dataset and the checks of validate-data) and the "Cut point"
 * section of build-head from=auto, when they ran.
 */
final class DataSection {

    private DataSection() {
    }

    static void append(StringBuilder h, RunContext run) {
        Map<String, Object> a = run.attributes();
        boolean hasProfile = a.get(DataProfile.ATTRIBUTE) instanceof DataProfile;
        boolean hasChecks = a.get(DriftCheck.ATTRIBUTE) instanceof List<?>;
        if (a.get(CutProbe.Result.ATTRIBUTE) instanceof CutProbe.Result probe) {
            probe(h, probe);
        }
        if (a.get(UnfreezeProbe.Result.ATTRIBUTE) instanceof UnfreezeProbe.Result probe) {
            unfreezeProbe(h, probe);
        }
        if (!hasProfile && !hasChecks) {
            return;
        }
        h.append("<section id=\"data\"><h2>Data</h2>\n");
        if (a.get(DriftCheck.ATTRIBUTE) instanceof List<?> checks) {
            checks(h, checks);
        }
        if (a.get(DataProfile.ATTRIBUTE) instanceof DataProfile p) {
            profile(h, p, a.get(FeatureSample.ATTRIBUTE) instanceof FeatureSample f ? f : null);
        }
        h.append("</section>\n");
    }

    private static void probe(StringBuilder h, CutProbe.Result probe) {
        h.append("<section id=\"cut-probe\"><h2>Cut point</h2>\n<p>build-head from=auto cut at <code>")
                .append(esc(probe.chosen())).append("</code>, the best linear probe on the validation split (forward ")
                .append("pass ").append(number(probe.featurizeSeconds())).append(" s)</p>\n<table class=\"figures\">")
                .append("<tr><th>layer</th><th>features</th><th>validation accuracy</th><th>seconds</th></tr>\n");
        for (CutProbe.Row r : probe.rows()) {
            h.append("<tr><td>").append(esc(r.layer())).append("</td><td>").append(r.features()).append("</td><td>")
                    .append(number(r.validationAccuracy())).append("</td><td>").append(number(r.seconds()))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    private static void unfreezeProbe(StringBuilder h, UnfreezeProbe.Result probe) {
        h.append("<section id=\"unfreeze-probe\"><h2>Layers reopened</h2>\n<p>unfreeze-layers layers=auto reopened ")
                .append("the top ").append(probe.chosen()).append(" layers, the best validation accuracy after ")
                .append(probe.epochs()).append(" epochs of fine-tuning (budget ").append(probe.budget().toSeconds())
                .append(" s)</p>\n<table class=\"figures\"><tr><th>top layers</th><th>trainable parameters</th>")
                .append("<th>validation accuracy</th><th>seconds</th><th>status</th><th>chosen</th></tr>\n");
        for (UnfreezeProbe.Row r : probe.rows()) {
            h.append("<tr><td>").append(r.top()).append("</td><td>").append(r.trainableParams()).append("</td><td>")
                    .append(number(r.validationAccuracy())).append("</td><td>").append(number(r.seconds()))
                    .append("</td><td>").append(esc(r.status().name().toLowerCase() + (r.note().isEmpty() ? ""
                            : ": " + r.note()))).append("</td><td>")
                    .append(r.status() == UnfreezeProbe.Status.TRIED && r.top() == probe.chosen() ? "yes" : "")
                    .append("</td></tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    private static void checks(StringBuilder h, List<?> checks) {
        if (checks.isEmpty()) {
            h.append("<p id=\"validation\">validate-data: no reference profile yet; nothing compared.</p>\n");
            return;
        }
        h.append("<table id=\"validation\" class=\"figures\"><tr><th>check</th><th>statistic</th><th>threshold</th>")
                .append("<th>verdict</th><th>reason</th></tr>\n");
        for (Object o : checks) {
            DriftCheck c = (DriftCheck) o;
            h.append("<tr class=\"").append(c.passed() ? "passed" : "failed").append("\"><td>").append(esc(c.name()))
                    .append("</td><td>").append(number(c.statistic())).append("</td><td>").append(number(c.threshold()))
                    .append("</td><td>").append(c.passed() ? "PASSED" : "FAILED").append("</td><td>")
                    .append(esc(c.reason())).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void profile(StringBuilder h, DataProfile p, FeatureSample features) {
        h.append("<p>examples of shape <code>").append(esc(Arrays.toString(p.exampleShape()))).append("</code>, ")
                .append(esc(p.type())).append("; ").append(p.testInTrain()).append(" test examples also in train");
        if (features != null) {
            h.append("; features at <code>").append(esc(features.layers())).append("</code>: ")
                    .append(features.dimension()).append(" values, ").append(features.sample().length)
                    .append(" sampled");
        }
        h.append("</p>\n<table id=\"profile\" class=\"figures\"><tr><th>split</th><th>examples</th><th>per class</th>")
                .append("<th>mean</th><th>std</th><th>min</th><th>max</th><th>NaN / inf</th><th>duplicates</th></tr>\n");
        p.splits().forEach((name, s) -> row(h, name, s));
        h.append("</table>\n");
    }

    private static void row(StringBuilder h, String name, SplitProfile s) {
        h.append("<tr><td>").append(esc(name)).append("</td><td>").append(s.examples()).append("</td><td>")
                .append(esc(Arrays.toString(s.classCounts()))).append("</td><td>").append(numbers(s.channelMean()))
                .append("</td><td>").append(numbers(s.channelStd())).append("</td><td>").append(numbers(s.channelMin()))
                .append("</td><td>").append(numbers(s.channelMax())).append("</td><td>").append(s.nan()).append(" / ")
                .append(s.infinite()).append("</td><td>").append(s.duplicates()).append("</td></tr>\n");
    }

    private static String numbers(double[] values) {
        return String.join(", ", Arrays.stream(values).mapToObj(DataSection::number).toList());
    }

    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4g", v) : "&ndash;";
    }
}
