package dev.graft.report;

import dev.graft.spi.DataSplits;
import dev.graft.spi.EvaluationResult;
import dev.graft.spi.RunContext;
import java.util.List;
import java.util.Locale;

/**
 * Per class, by name: precision, recall, F1 and support on the test split; when the run was gated against a
 * champion, the champion's figures on the same split and the challenger's difference, with both models' overall
 * accuracy and F1 and a link to the champion's own report.
 */
final class ClassesSection implements ReportSection {

    @Override
    public void write(StringBuilder h, RunContext run) {
        if (run.evaluation().isEmpty()) {
            return;
        }
        EvaluationResult e = run.evaluation().get();
        List<String> names = run.data().map(DataSplits::classNames).orElse(List.of());
        EvaluationResult.Champion champion = e.champion();
        boolean compared = champion != null && champion.confusion() != null
                && champion.confusion().length == e.confusion().length;
        h.append("<section id=\"classes\"><h2>").append(champion == null ? "Per class" : "Against the champion")
                .append("</h2>\n");
        if (champion != null) {
            h.append("<table class=\"against\"><tr><th></th><th>accuracy</th><th>F1</th></tr>\n<tr><th>this model</th>")
                    .append(cell(e.accuracy())).append(cell(e.f1())).append("</tr>\n<tr><th>champion <code>")
                    .append(Html.esc(champion.name())).append("</code> v").append(champion.version()).append("</th>")
                    .append(cell(champion.accuracy())).append(cell(champion.f1())).append("</tr>\n<tr><th>difference</th>")
                    .append(delta(e.accuracy() - champion.accuracy())).append(delta(e.f1() - champion.f1()))
                    .append("</tr>\n</table>\n");
            PreviousSection.reportHref(run, champion.name(), champion.version()).ifPresent(href -> h.append(
                    "<p>The champion's report: <a href=\"").append(Html.esc(href)).append("\">")
                    .append(Html.esc(champion.name())).append(" v").append(champion.version()).append("</a></p>\n"));
        }
        h.append("<table class=\"classes\"><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th>");
        if (compared) {
            h.append("<th>champion F1</th><th>F1 difference</th><th>champion recall</th><th>recall difference</th>");
        }
        h.append("</tr>\n");
        double[][] ours = perClass(e.confusion());
        double[][] theirs = compared ? perClass(champion.confusion()) : null;
        for (int c = 0; c < ours.length; c++) {
            h.append("<tr><th>").append(Html.esc(c < names.size() ? names.get(c) : String.valueOf(c))).append("</th>")
                    .append(cell(ours[c][0])).append(cell(ours[c][1])).append(cell(ours[c][2]))
                    .append("<td>").append((long) ours[c][3]).append("</td>");
            if (compared) {
                h.append(cell(theirs[c][2])).append(delta(ours[c][2] - theirs[c][2])).append(cell(theirs[c][1]))
                        .append(delta(ours[c][1] - theirs[c][1]));
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    /** Per class: precision, recall, F1 (NaN where undefined) and support, from confusion[actual][predicted]. */
    static double[][] perClass(int[][] m) {
        int k = m.length;
        double[][] out = new double[k][4];
        for (int c = 0; c < k; c++) {
            long actual = 0;
            long predicted = 0;
            for (int i = 0; i < k; i++) {
                actual += m[c][i];
                predicted += m[i][c];
            }
            double precision = predicted == 0 ? Double.NaN : (double) m[c][c] / predicted;
            double recall = actual == 0 ? Double.NaN : (double) m[c][c] / actual;
            double f1 = Double.isNaN(precision) || Double.isNaN(recall) || precision + recall == 0 ? Double.NaN
                    : 2 * precision * recall / (precision + recall);
            out[c] = new double[] {precision, recall, f1, actual};
        }
        return out;
    }

    private static String cell(double v) {
        return Double.isNaN(v) ? "<td>&ndash;</td>" : String.format(Locale.ROOT, "<td>%.4f</td>", v);
    }

    private static String delta(double d) {
        if (Double.isNaN(d)) {
            return "<td>&ndash;</td>";
        }
        String cls = d > 0 ? "up" : d < 0 ? "down" : "same";
        return String.format(Locale.ROOT, "<td class=\"%s\">%+.4f</td>", cls, d);
    }
}
