package dev.graft.report;

import dev.graft.spi.RunContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameters each step ran with, decoded from its endpoint URI ({@code gate=accuracy%3E%3D0.8} shows as
 * {@code accuracy>=0.8}), one table row per option; options left at their defaults are not in the URI and not here
 * ({@code graft steps NAME} lists the defaults).
 */
final class ParametersSection implements ReportSection {

    @Override
    public void write(StringBuilder h, RunContext run) {
        if (run.timings().isEmpty()) {
            return;
        }
        h.append("<section id=\"parameters\"><h2>Parameters</h2>\n<table class=\"parameters\"><tr><th>#</th>")
                .append("<th>step</th><th>option</th><th>value</th></tr>\n");
        int i = 1;
        for (RunContext.StepTiming t : run.timings()) {
            Map<String, String> options = options(t.uri());
            int span = Math.max(1, options.size());
            h.append("<tr><td rowspan=\"").append(span).append("\">").append(i++).append("</td><td rowspan=\"")
                    .append(span).append("\">").append(Html.esc(t.step())).append("</td>");
            if (options.isEmpty()) {
                h.append("<td colspan=\"2\" class=\"none\">defaults only</td></tr>\n");
                continue;
            }
            boolean first = true;
            for (Map.Entry<String, String> o : options.entrySet()) {
                h.append(first ? "" : "<tr>").append("<td>").append(Html.esc(o.getKey())).append("</td><td><code>")
                        .append(Html.esc(o.getValue())).append("</code></td></tr>\n");
                first = false;
            }
        }
        h.append("</table>\n</section>\n");
    }

    /**
     * The options of a step URI such as {@code graft:evaluate?gate=accuracy%3E%3D0.8}, in URI order, names and values
     * percent-decoded; a {@code +} stays a plus (Camel reads it so in {@code 1e+3}), and Camel's {@code RAW(...)}
     * wrapper is unwrapped.
     */
    static Map<String, String> options(String uri) {
        Map<String, String> options = new LinkedHashMap<>();
        int q = uri == null ? -1 : uri.indexOf('?');
        if (q < 0) {
            return options;
        }
        for (String pair : uri.substring(q + 1).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (value.startsWith("RAW(") && value.endsWith(")")) {
                value = value.substring(4, value.length() - 1);
            }
            options.put(name, value);
        }
        return options;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return text; // a stray '%' that is not an escape: shown as written
        }
    }
}
