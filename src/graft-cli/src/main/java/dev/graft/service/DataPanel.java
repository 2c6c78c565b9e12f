package dev.graft.service;

import static dev.graft.report.Html.esc;
import static dev.graft.service.ConsoleLayout.number;

import dev.graft.data.DataProfile;
import dev.graft.data.SplitProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The console version page's data sections: the data profile the version was trained on ({@code profile.json}: per
 * split its examples, per-class counts, per-channel mean/std/min/max, NaN/inf and duplicate counts), validate-data's
 * checks and build-head from=auto's probe table (both from {@code metadata.json}). Empty where the version has none.
 */
final class DataPanel {

    private DataPanel() {
    }

    /** The sections as HTML, every value escaped; {@code meta} is the version's (redacted) metadata. */
    static String html(Optional<DataProfile> profile, Map<String, Object> meta) {
        StringBuilder s = new StringBuilder();
        if (meta.get("validation") instanceof List<?> checks) {
            s.append("<h2>Data checks</h2>");
            if (checks.isEmpty()) {
                s.append("<p id=\"data-checks\">validate-data had no reference profile; nothing was compared.</p>");
            } else {
                List<List<String>> rows = new ArrayList<>();
                for (Object o : checks) {
                    if (o instanceof Map<?, ?> c) {
                        rows.add(List.of(esc(c.get("check")), number(c.get("statistic")), number(c.get("threshold")),
                                esc(c.get("verdict")), esc(c.get("reason"))));
                    }
                }
                s.append(ConsoleLayout.table("data-checks", List.of("check", "statistic", "threshold", "verdict",
                        "reason"), rows));
            }
        }
        profile.ifPresent(p -> {
            s.append("<h2>Data profile</h2><p>examples of shape ").append(esc(Arrays.toString(p.exampleShape())))
                    .append(", ").append(esc(p.type())).append("; classes ").append(esc(String.join(", ",
                            p.classNames()))).append("; ").append(p.testInTrain()).append(" test and ")
                    .append(p.validationInTrain()).append(" validation examples also in train</p>");
            List<List<String>> rows = new ArrayList<>();
            p.splits().forEach((name, split) -> rows.add(row(name, split)));
            s.append(ConsoleLayout.table("data-profile", List.of("split", "examples", "per class", "channel mean",
                    "channel std", "channel min", "channel max", "NaN / inf", "duplicates"), rows));
        });
        if (meta.get("cutProbe") instanceof Map<?, ?> probe && probe.get("candidates") instanceof List<?> candidates) {
            s.append("<h2>Cut point</h2><p>build-head from=auto cut at <code>").append(esc(probe.get("chosen")))
                    .append("</code>, the best linear probe on the validation split</p>");
            List<List<String>> rows = new ArrayList<>();
            for (Object o : candidates) {
                if (o instanceof Map<?, ?> c) {
                    rows.add(List.of(esc(c.get("layer")), esc(c.get("features")), number(c.get("validationAccuracy")),
                            number(c.get("seconds"))));
                }
            }
            s.append(ConsoleLayout.table("cut-probe", List.of("layer", "features", "validation accuracy", "seconds"),
                    rows));
        }
        return s.toString();
    }

    private static List<String> row(String name, SplitProfile s) {
        return List.of(esc(name), String.valueOf(s.examples()), esc(Arrays.toString(s.classCounts())),
                numbers(s.channelMean()), numbers(s.channelStd()), numbers(s.channelMin()), numbers(s.channelMax()),
                s.nan() + " / " + s.infinite(), String.valueOf(s.duplicates()));
    }

    private static String numbers(double[] values) {
        return String.join(", ", Arrays.stream(values).mapToObj(v -> Double.isFinite(v)
                ? String.format(Locale.ROOT, "%.4g", v) : "&ndash;").toList());
    }
}
