package dev.graft.service;

import static dev.graft.report.Html.esc;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The web console's page frame and the HTML pieces its pages share. Every value put into a page goes through
 * {@link dev.graft.report.Html#esc} (text and attributes) or {@link #url} (path segments and query values):
 * model names, tags and descriptions are user input.
 */
final class ConsoleLayout {

    private ConsoleLayout() {
    }

    /** A whole page: the navigation, the token field the edit buttons read, then {@code body}. */
    static String page(String title, String body, boolean refresh) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title)
                + " · Graft</title>" + (refresh ? "<meta http-equiv=\"refresh\" content=\"5\">" : "")
                + "<link rel=\"stylesheet\" href=\"/ui/console.css\"><script src=\"/ui/console.js\" defer></script>"
                + "</head><body><header><a class=\"brand\" href=\"/\">Graft</a> <a href=\"/\">Models</a> "
                + "<a href=\"/ui/runs\">Runs</a> <a href=\"/openapi.json\">API</a>"
                + "<label class=\"token\">token <input id=\"token\" type=\"password\" autocomplete=\"off\" "
                + "placeholder=\"bearer token for changes\"></label></header>"
                + "<main><h1>" + esc(title) + "</h1><p id=\"result\" role=\"status\"></p>" + body + "</main></body></html>\n";
    }

    /** A table with a header row; cells are HTML already escaped by the caller. */
    static String table(String id, List<String> header, List<List<String>> rows) {
        StringBuilder s = new StringBuilder("<table" + (id == null ? "" : " id=\"" + esc(id) + "\"") + "><thead><tr>");
        header.forEach(h -> s.append("<th>").append(esc(h)).append("</th>"));
        s.append("</tr></thead><tbody>");
        for (List<String> row : rows) {
            s.append("<tr>");
            row.forEach(c -> s.append("<td>").append(c).append("</td>"));
            s.append("</tr>");
        }
        return s.append("</tbody></table>").toString();
    }

    /** A two-column table of name and value, values escaped. */
    static String fields(Map<String, ?> values) {
        StringBuilder s = new StringBuilder("<table class=\"fields\"><tbody>");
        values.forEach((k, v) -> s.append("<tr><th>").append(esc(k)).append("</th><td>").append(value(v))
                .append("</td></tr>"));
        return s.append("</tbody></table>").toString();
    }

    /** Any JSON value as HTML: objects as nested tables, lists joined, numbers rounded to 4 places. */
    static String value(Object v) {
        if (v instanceof Map<?, ?> m) {
            StringBuilder s = new StringBuilder("<table class=\"fields\"><tbody>");
            m.forEach((k, x) -> s.append("<tr><th>").append(esc(k)).append("</th><td>").append(value(x))
                    .append("</td></tr>"));
            return s.append("</tbody></table>").toString();
        }
        if (v instanceof List<?> l) {
            StringBuilder s = new StringBuilder();
            for (Object x : l) {
                s.append(s.length() == 0 ? "" : ", ").append(x instanceof Map || x instanceof List ? value(x) : number(x));
            }
            return s.toString();
        }
        return number(v);
    }

    /** A JSON value with {@code redact} applied to every string in it (absolute paths shown relative). */
    static Object redacted(Object v, java.util.function.UnaryOperator<String> redact) {
        if (v instanceof String s) {
            return redact.apply(s);
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, redacted(x, redact)));
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(x -> redacted(x, redact)).toList();
        }
        return v;
    }

    /** A number with at most 4 decimals, anything else escaped. */
    static String number(Object v) {
        if (v instanceof Double || v instanceof Float) {
            return esc(String.format(Locale.ROOT, "%.4f", ((Number) v).doubleValue()));
        }
        return esc(v);
    }

    static String link(String href, Object text) {
        return "<a href=\"" + esc(href) + "\">" + esc(text) + "</a>";
    }

    /** A path segment or query value, URL-encoded. */
    static String url(Object part) {
        return URLEncoder.encode(String.valueOf(part), StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String modelHref(String name) {
        return "/ui/models/" + url(name);
    }

    static String versionHref(String name, int version) {
        return modelHref(name) + "/versions/" + version;
    }

    /**
     * A button the console script turns into a request with the token: {@code method} to {@code api}; the named
     * {@code inputs} (ids of input fields) are added as query options.
     */
    static String action(String label, String method, String api, String... inputs) {
        return "<button type=\"button\" class=\"api\" data-method=\"" + esc(method) + "\" data-url=\"" + esc(api)
                + "\" data-inputs=\"" + esc(String.join(",", inputs)) + "\">" + esc(label) + "</button>";
    }

    static String input(String id, String option, String placeholder) {
        return "<input id=\"" + esc(id) + "\" name=\"" + esc(option) + "\" placeholder=\"" + esc(placeholder) + "\">";
    }
}
