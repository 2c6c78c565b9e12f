package dev.graft.report;

import dev.graft.GraftVersion;
import dev.graft.spi.DataSplits;
import dev.graft.spi.EpochRecord;
import dev.graft.spi.EvaluationResult;
import dev.graft.spi.TrainingHistory;
import dev.graft.spi.GraftException;
import dev.graft.spi.RunContext;
import java.awt.Color;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A run as one self-contained HTML page: outcome, verdict and reason, test metrics, per-class figures (against the
 * champion it was gated against when there was one), loss and accuracy curves per epoch, the confusion matrix as a
 * heat map with class names, each step's decoded parameters, the model summary with frozen and trainable layers,
 * the lineage (data and backbone SHA-256, route file), a link to the previous version's report, and the steps with
 * their times. Charts are inline SVG drawn by XChart; the page loads nothing.
 */
public final class RunReport {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final Color LOSS = new Color(214, 39, 40);
    private static final Color TRAIN = new Color(31, 119, 180);
    private static final Color VALIDATION = new Color(255, 127, 14);

    /** The sections below the header, in page order; a new section is a {@link ReportSection} added here. */
    private static final List<ReportSection> SECTIONS = List.of(
            (h, run) -> run.evaluation().ifPresent(e -> evaluation(h, e)),
            new ClassesSection(),
            (h, run) -> run.history().ifPresent(history -> training(h, history)),
            (h, run) -> run.evaluation().ifPresent(e -> confusion(h, e,
                    run.data().map(DataSplits::classNames).orElse(List.of()))),
            DataSection::append,
            new ParametersSection(),
            new ModelSection(),
            RunReport::lineage,
            new PreviousSection(),
            RunReport::steps);

    private RunReport() {
    }

    /**
     * The report's HTML.
     *
     * @param run      the run, as far as it got
     * @param failure  what ended the run, or null when it succeeded
     * @param finished when the run ended
     */
    public static String html(RunContext run, Throwable failure, Instant finished) {
        StringBuilder h = new StringBuilder(64 * 1024);
        String status = failure == null ? "succeeded" : "failed";
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"generator\" content=\"Graft ").append(esc(GraftVersion.graft())).append("\">\n")
                .append("<title>Graft run ").append(esc(run.runId())).append(" - ").append(esc(run.routeId()))
                .append(" ").append(status).append("</title>\n<style>").append(CSS).append("</style>\n</head>\n<body>\n");
        h.append("<header><h1>Route <code>").append(esc(run.routeId())).append("</code> <span class=\"status ")
                .append(status).append("\">").append(status).append("</span></h1>\n<p class=\"sub\">run <code>")
                .append(esc(run.runId())).append("</code> &middot; started ").append(TIME.format(run.startedAt()))
                .append(" &middot; ").append(String.format(Locale.ROOT, "%.1f s",
                        Duration.between(run.startedAt(), finished).toMillis() / 1000.0))
                .append("</p></header>\n");
        if (failure != null) {
            h.append("<section class=\"error\"><h2>Error</h2><pre>").append(esc(message(failure))).append("</pre></section>\n");
        }
        SECTIONS.forEach(section -> section.write(h, run));
        h.append("<footer>Graft ").append(esc(GraftVersion.graft())).append(" &middot; DL4J ")
                .append(esc(GraftVersion.dl4j())).append(" &middot; Java ").append(esc(System.getProperty("java.version")))
                .append(" &middot; written ").append(TIME.format(finished)).append("</footer>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void evaluation(StringBuilder h, EvaluationResult e) {
        String outcome = e.verdict().outcome().name();
        h.append("<section id=\"verdict\"><h2>Verdict</h2>\n<p class=\"verdict ").append(outcome.toLowerCase(Locale.ROOT))
                .append("\"><strong>").append(outcome).append("</strong> &mdash; ").append(esc(e.verdict().reason()))
                .append("</p>\n<table class=\"figures\"><tr>");
        for (String name : List.of("accuracy", "precision", "recall", "F1", "test examples")) {
            h.append("<th>").append(name).append("</th>");
        }
        h.append("</tr>\n<tr>").append(cell(e.accuracy())).append(cell(e.precision())).append(cell(e.recall()))
                .append(cell(e.f1())).append("<td>").append(e.examples()).append("</td></tr></table>\n");
        if (e.champion() != null) {
            h.append("<p class=\"champion\">Compared with champion <code>").append(esc(e.champion().name()))
                    .append("</code> version ").append(e.champion().version()).append(" on the same test split: ")
                    .append(String.format(Locale.ROOT, "accuracy %.4f, F1 %.4f", e.champion().accuracy(),
                            e.champion().f1())).append("</p>\n");
        }
        h.append("</section>\n");
    }

    private static void training(StringBuilder h, TrainingHistory history) {
        List<EpochRecord> epochs = history.epochs();
        double[] loss = epochs.stream().mapToDouble(EpochRecord::loss).toArray();
        double[] train = epochs.stream().mapToDouble(EpochRecord::trainAccuracy).toArray();
        double[] validation = epochs.stream().mapToDouble(EpochRecord::validationAccuracy).toArray();
        List<Charts.Curve> accuracy = new ArrayList<>();
        accuracy.add(new Charts.Curve("train", train, TRAIN));
        boolean validated = Arrays.stream(validation).anyMatch(v -> !Double.isNaN(v));
        if (validated) {
            accuracy.add(new Charts.Curve("validation", validation, VALIDATION));
        }
        h.append("<section id=\"training\"><h2>Training</h2>\n<p>").append(epochs.size()).append(" epochs")
                .append(history.featurized() ? String.format(Locale.ROOT,
                        "; featurize-once: frozen features %s in %.1f s, only the head trained",
                        history.featuresFromCache() ? "loaded from the feature cache" : "computed once",
                        history.featurizeSeconds()) : "").append(".</p>\n<div class=\"charts\">\n")
                .append("<figure id=\"loss-chart\" data-points=\"").append(loss.length).append("\">")
                .append(Charts.epochs("Training loss", "loss", List.of(new Charts.Curve("loss", loss, LOSS))))
                .append("</figure>\n<figure id=\"accuracy-chart\" data-series=\"").append(accuracy.size()).append("\">")
                .append(Charts.epochs(validated ? "Accuracy" : "Training accuracy", "accuracy", accuracy))
                .append("</figure>\n</div>\n")
                .append("<table class=\"epochs\"><tr><th>epoch</th><th>loss</th><th>train accuracy</th>")
                .append(validated ? "<th>validation accuracy</th>" : "").append("<th>seconds</th><th>samples/s</th></tr>\n");
        for (EpochRecord r : epochs) {
            h.append("<tr><td>").append(r.epoch()).append("</td>")
                    .append(Double.isFinite(r.loss()) ? cell(r.loss()) : "<td class=\"diverged\">" + r.loss() + "</td>")
                    .append(cell(r.trainAccuracy()))
                    .append(validated ? cell(r.validationAccuracy()) : "")
                    .append(String.format(Locale.ROOT, "<td>%.1f</td><td>%.0f</td>", r.seconds(), r.samplesPerSecond()))
                    .append("</tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    private static void confusion(StringBuilder h, EvaluationResult e, List<String> names) {
        int[][] m = e.confusion();
        int k = m.length;
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            classes.add(i < names.size() ? names.get(i) : String.valueOf(i));
        }
        h.append("<section id=\"confusion\"><h2>Confusion matrix</h2>\n<div class=\"charts\"><figure id=\"confusion-chart\">")
                .append(Charts.confusion(m, classes)).append("</figure>\n");
        h.append("<table class=\"confusion\"><caption>rows: actual class; columns: predicted class</caption>\n<tr><th></th>");
        classes.forEach(c -> h.append("<th>").append(esc(c)).append("</th>"));
        h.append("<th>recall</th></tr>\n");
        int[] columnTotals = new int[k];
        for (int a = 0; a < k; a++) {
            h.append("<tr><th>").append(esc(classes.get(a))).append("</th>");
            int rowTotal = 0;
            for (int p = 0; p < k; p++) {
                rowTotal += m[a][p];
                columnTotals[p] += m[a][p];
                h.append("<td class=\"").append(a == p ? "hit" : m[a][p] > 0 ? "miss" : "zero").append("\">")
                        .append(m[a][p]).append("</td>");
            }
            h.append(cell(rowTotal == 0 ? Double.NaN : (double) m[a][a] / rowTotal)).append("</tr>\n");
        }
        h.append("<tr><th>precision</th>");
        for (int p = 0; p < k; p++) {
            h.append(cell(columnTotals[p] == 0 ? Double.NaN : (double) m[p][p] / columnTotals[p]));
        }
        h.append("<td></td></tr>\n</table></div>\n</section>\n");
    }

    private static void lineage(StringBuilder h, RunContext run) {
        h.append("<section id=\"lineage\"><h2>Lineage</h2>\n<table class=\"lineage\">\n");
        row(h, "route", run.routeId());
        row(h, "route file", run.routeFile().map(Path::toString).orElse("(not loaded from a file)"));
        run.triggerFile().ifPresent(t -> row(h, "trigger file", t.toString()));
        row(h, "run id", run.runId());
        run.data().ifPresent(d -> {
            row(h, "data source", d.source());
            rowCode(h, "data SHA-256", d.sha256());
            row(h, "data", String.format(Locale.ROOT, "%d train, %d validation, %d test of shape %s; classes %s; "
                            + "%d examples read", d.train().size(), d.validation() == null ? 0 : d.validation().size(),
                    d.test().size(), Arrays.toString(d.exampleShape()), d.classNames(), d.examplesRead()));
        });
        run.backbone().ifPresent(b -> {
            row(h, "backbone source", b.source());
            if (b.sha256() != null && !b.sha256().isBlank()) {
                rowCode(h, "backbone SHA-256", b.sha256());
            }
        });
        run.published().ifPresent(p -> row(h, "published", p.name() + " version " + p.version()
                + (p.aliases().isEmpty() ? " (no alias moved)" : ", aliases " + p.aliases()) + " at " + p.directory()));
        row(h, "seed", String.valueOf(run.seed()));
        h.append("</table>\n</section>\n");
    }

    private static void steps(StringBuilder h, RunContext run) {
        h.append("<section id=\"steps\"><h2>Steps</h2>\n<table class=\"steps\"><tr><th>#</th><th>step</th><th>URI</th>")
                .append("<th>seconds</th><th>outcome</th></tr>\n");
        int i = 1;
        for (RunContext.StepTiming t : run.timings()) {
            h.append("<tr").append(t.failed() ? " class=\"failed\"" : "").append("><td>").append(i++).append("</td><td>")
                    .append(esc(t.step())).append("</td><td><code>").append(esc(t.uri())).append("</code></td>")
                    .append(String.format(Locale.ROOT, "<td>%.2f</td>", t.seconds())).append("<td>")
                    .append(t.failed() ? "failed" : "ok").append("</td></tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    private static void row(StringBuilder h, String name, String value) {
        h.append("<tr><th>").append(esc(name)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
    }

    private static void rowCode(StringBuilder h, String name, String value) {
        h.append("<tr><th>").append(esc(name)).append("</th><td><code>").append(esc(value)).append("</code></td></tr>\n");
    }

    private static String cell(double v) {
        return Double.isNaN(v) ? "<td>&ndash;</td>" : String.format(Locale.ROOT, "<td>%.4f</td>", v);
    }

    /** The message a person should read: the Graft error in the cause chain, else the outermost message. */
    static String message(Throwable failure) {
        Optional<GraftException> graft = GraftException.in(failure);
        return graft.isPresent() ? graft.get().getMessage()
                : failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }

    static String esc(String s) {
        return Html.esc(s);
    }

    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1d2330;\
            margin:0 auto;max-width:1160px;padding:16px 24px;background:#f6f7f9}
            h1{font-size:22px;margin:4px 0}h2{font-size:17px;margin:0 0 8px}
            section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:12px 16px;margin:12px 0}
            .sub{color:#5a6372;margin:2px 0 0}
            .status{font-size:13px;padding:2px 8px;border-radius:10px;vertical-align:middle;color:#fff}
            .status.succeeded{background:#2e7d32}.status.failed{background:#c62828}
            .verdict{font-size:15px;margin:4px 0 10px}.verdict.passed strong{color:#2e7d32}
            .verdict.failed strong{color:#c62828}.verdict.no_gate strong{color:#5a6372}
            .error pre{white-space:pre-wrap;color:#b71c1c;margin:0}
            table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #e3e6eb;padding:3px 8px;text-align:right}
            th{background:#f0f2f5;font-weight:600}table.lineage th,table.lineage td,table.steps td,table.steps th{text-align:left}
            table.lineage td{word-break:break-all}
            .charts{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}figure{margin:0}
            figure svg{max-width:100%;height:auto;display:block}
            table.epochs{margin-top:8px}caption{caption-side:bottom;color:#5a6372;font-size:12px;padding-top:4px}
            td.hit{background:#e3f1e4;font-weight:600}td.miss{background:#fdecea}td.zero{color:#9aa3af}
            tr.failed td,td.diverged{background:#fdecea}
            table.parameters td,table.parameters th,table.model td,table.model th{text-align:left}
            tr.frozen td{color:#5a6372}td.up{color:#2e7d32}td.down{color:#c62828}td.none{color:#9aa3af}
            table.against{margin-bottom:8px}
            footer{color:#5a6372;font-size:12px;margin:8px 0 24px}
            """;
}
