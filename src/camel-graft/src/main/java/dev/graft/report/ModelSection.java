package dev.graft.report;

import dev.graft.spi.RunContext;
import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.ModelSummary;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.conf.inputs.InputType;

/** The model as trained, like Keras {@code model.summary()}: each layer's type, output shape, parameters and frozen flag. */
final class ModelSection implements ReportSection {

    @Override
    public void write(StringBuilder h, RunContext run) {
        if (run.model().isEmpty()) {
            return;
        }
        InputType[] types = run.data().map(d -> GraphSurgery.inputTypes(d.exampleShape())).orElse(null);
        List<ModelSummary.Row> rows = ModelSummary.rows(run.model().get(), types);
        long total = 0;
        long frozen = 0;
        h.append("<section id=\"model\"><h2>Model</h2>\n<table class=\"model\"><tr><th>#</th><th>layer</th>")
                .append("<th>type</th><th>output</th><th>params</th><th>trainable</th></tr>\n");
        for (ModelSummary.Row r : rows) {
            total += r.params();
            frozen += r.frozen() ? r.params() : 0;
            h.append("<tr").append(r.frozen() ? " class=\"frozen\"" : "").append("><td>")
                    .append(r.index() == null ? "" : r.index()).append("</td><td>").append(Html.esc(r.name()))
                    .append("</td><td>").append(Html.esc(r.type())).append("</td><td>").append(Html.esc(r.output()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%,d", r.params())).append("</td><td>")
                    .append(r.frozen() ? "frozen" : "yes").append("</td></tr>\n");
        }
        h.append("</table>\n<p>").append(String.format(Locale.ROOT,
                "%,d parameters: %,d frozen, %,d trainable.", total, frozen, total - frozen)).append("</p>\n</section>\n");
    }
}
