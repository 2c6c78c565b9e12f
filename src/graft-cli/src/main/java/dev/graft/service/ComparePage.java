package dev.graft.service;

import static dev.graft.report.Html.esc;
import static dev.graft.service.ConsoleLayout.link;
import static dev.graft.service.ConsoleLayout.number;
import static dev.graft.service.ConsoleLayout.versionHref;

import dev.graft.registry.ModelRegistry;
import dev.graft.registry.VersionInfo;
import dev.graft.report.CompareCharts;
import dev.graft.service.HttpReplies.Refusal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Two or more versions of a model side by side: metrics, the route's parameters (differences marked), loss and
 * accuracy curves overlaid, confusion matrices and the difference of the first two.
 */
final class ComparePage {

    static final int MAX_VERSIONS = 6;

    private final ModelRegistry registry;
    private final UnaryOperator<String> redact;

    ComparePage(ModelRegistry registry, UnaryOperator<String> redact) {
        this.registry = registry;
        this.redact = redact;
    }

    String page(Params q) {
        String name = HttpReplies.checkName("model name", q.required("model"));
        List<VersionInfo> versions = new ArrayList<>();
        for (String v : q.all("v")) {
            int version = Params.version(v);
            if (!registry.versions(name).contains(version)) {
                throw new Refusal(404, "no version " + version + " of '" + name + "'; expected some of "
                        + registry.versions(name));
            }
            versions.add(registry.version(name, version));
        }
        if (versions.size() < 2 || versions.size() > MAX_VERSIONS) {
            throw new Refusal(400, "compare: " + versions.size() + " versions given; expected 2 to " + MAX_VERSIONS
                    + ", as ?model=" + name + "&v=1&v=2");
        }
        List<String> header = new ArrayList<>(List.of(""));
        versions.forEach(v -> header.add("v" + v.version()));
        StringBuilder body = new StringBuilder("<p>");
        versions.forEach(v -> body.append(link(versionHref(name, v.version()), name + " v" + v.version())).append(' '));
        body.append("</p><h2>Metrics</h2>").append(ConsoleLayout.table("metrics", header, metricRows(versions)));
        body.append("<h2>Parameters</h2>").append(ConsoleLayout.table("parameters", header,
                parameterRows(versions, redact)));
        body.append("<h2>Curves</h2><div class=\"charts\">");
        for (String[] curve : List.of(new String[] {"loss", "training loss", "loss"},
                new String[] {"trainAccuracy", "training accuracy", "accuracy"},
                new String[] {"validationAccuracy", "validation accuracy", "accuracy"})) {
            Map<String, double[]> series = new LinkedHashMap<>();
            versions.forEach(v -> series.put("v" + v.version(), epochs(v, curve[0])));
            if (series.values().stream().anyMatch(s -> s.length > 0)) {
                body.append("<figure>").append(CompareCharts.curves(curve[1], curve[2], series)).append("</figure>");
            }
        }
        body.append("</div><h2>Confusion matrices</h2><div class=\"charts\">");
        for (VersionInfo v : versions) {
            int[][] m = confusion(v);
            if (m != null) {
                body.append("<figure><figcaption>v").append(v.version()).append("</figcaption>")
                        .append(CompareCharts.confusion(m, classes(v, m.length))).append("</figure>");
            }
        }
        body.append("</div>").append(difference(versions.get(0), versions.get(1)));
        return ConsoleLayout.page("Compare " + name, body.toString(), false);
    }

    private static List<List<String>> metricRows(List<VersionInfo> versions) {
        List<List<String>> rows = new ArrayList<>();
        for (String metric : List.of("accuracy", "precision", "recall", "f1", "testExamples")) {
            List<String> row = new ArrayList<>(List.of(esc(metric)));
            versions.forEach(v -> row.add(number(v.metadata().get("metrics") instanceof Map<?, ?> m ? m.get(metric) : null)));
            rows.add(row);
        }
        List<String> verdict = new ArrayList<>(List.of("verdict"));
        versions.forEach(v -> verdict.add(esc(v.metadata().get("verdict") instanceof Map<?, ?> m ? m.get("outcome") : "")));
        rows.add(verdict);
        return rows;
    }

    /** Every step option of every version's route (step.option), values per version; differing rows marked. */
    private static List<List<String>> parameterRows(List<VersionInfo> versions, UnaryOperator<String> redact) {
        List<Map<String, String>> params = versions.stream().map(ComparePage::parameters).toList();
        TreeMap<String, Boolean> keys = new TreeMap<>();
        params.forEach(p -> p.keySet().forEach(k -> keys.put(k, true)));
        List<List<String>> rows = new ArrayList<>();
        for (String key : keys.keySet()) {
            List<String> values = params.stream().map(p -> p.get(key)).toList();
            boolean differs = values.stream().distinct().count() > 1;
            List<String> row = new ArrayList<>(List.of((differs ? "<mark>" : "") + esc(key) + (differs ? "</mark>" : "")));
            values.forEach(value -> row.add(value == null ? "<i>absent</i>" : esc(redact.apply(value))));
            rows.add(row);
        }
        return rows;
    }

    /** The options of each step as its URI wrote them, decoded: {@code train.epochs -> 3}. */
    static Map<String, String> parameters(VersionInfo v) {
        Map<String, String> out = new TreeMap<>();
        if (!(v.metadata().get("steps") instanceof List<?> steps)) {
            return out;
        }
        for (Object s : steps) {
            if (s instanceof Map<?, ?> step && step.get("uri") instanceof String uri) {
                String name = String.valueOf(step.get("step"));
                int q = uri.indexOf('?');
                if (q < 0) {
                    continue;
                }
                for (String pair : uri.substring(q + 1).split("&")) {
                    int eq = pair.indexOf('=');
                    String key = eq < 0 ? pair : pair.substring(0, eq);
                    String value = eq < 0 ? "" : pair.substring(eq + 1);
                    out.put(name + "." + decode(key), decode(value));
                }
            }
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static double[] epochs(VersionInfo v, String field) {
        if (v.metadata().get("training") instanceof Map<?, ?> t && t.get("epochs") instanceof List<?> epochs) {
            return epochs.stream().mapToDouble(e -> e instanceof Map<?, ?> m && m.get(field) instanceof Number n
                    ? n.doubleValue() : Double.NaN).toArray();
        }
        return new double[0];
    }

    static int[][] confusion(VersionInfo v) {
        if (v.metadata().get("metrics") instanceof Map<?, ?> m && m.get("confusionMatrix") instanceof List<?> rows
                && !rows.isEmpty() && rows.size() <= 100) {
            int[][] out = new int[rows.size()][];
            for (int i = 0; i < out.length; i++) {
                if (!(rows.get(i) instanceof List<?> row) || row.size() != out.length) {
                    return null;
                }
                out[i] = row.stream().mapToInt(x -> x instanceof Number n ? n.intValue() : 0).toArray();
            }
            return out;
        }
        return null;
    }

    private static List<String> classes(VersionInfo v, int k) {
        if (v.metadata().get("dataset") instanceof Map<?, ?> d && d.get("classes") instanceof List<?> names
                && names.size() == k) {
            return names.stream().map(String::valueOf).toList();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            out.add(String.valueOf(i));
        }
        return out;
    }

    /** The second version's confusion matrix minus the first's, cells coloured by sign. */
    private static String difference(VersionInfo a, VersionInfo b) {
        int[][] ma = confusion(a);
        int[][] mb = confusion(b);
        if (ma == null || mb == null || ma.length != mb.length) {
            return "";
        }
        List<String> names = classes(b, mb.length);
        List<String> header = new ArrayList<>(List.of("actual \\ predicted"));
        header.addAll(names);
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < mb.length; i++) {
            List<String> row = new ArrayList<>(List.of(esc(names.get(i))));
            for (int j = 0; j < mb.length; j++) {
                int d = mb[i][j] - ma[i][j];
                boolean better = (i == j) == (d > 0);
                row.add(d == 0 ? "0" : "<span class=\"" + (better ? "good" : "bad") + "\">" + (d > 0 ? "+" : "") + d
                        + "</span>");
            }
            rows.add(row);
        }
        return "<h2>Difference v" + b.version() + " − v" + a.version() + "</h2>"
                + ConsoleLayout.table("difference", header, rows);
    }
}
