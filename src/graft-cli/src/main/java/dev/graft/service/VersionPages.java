package dev.graft.service;

import static dev.graft.report.Html.esc;
import static dev.graft.service.ConsoleLayout.action;
import static dev.graft.service.ConsoleLayout.input;
import static dev.graft.service.ConsoleLayout.link;
import static dev.graft.service.ConsoleLayout.modelHref;
import static dev.graft.service.ConsoleLayout.number;
import static dev.graft.service.ConsoleLayout.url;
import static dev.graft.service.ConsoleLayout.versionHref;

import dev.graft.data.DataProfile;
import dev.graft.registry.ModelRegistry;
import dev.graft.registry.VersionInfo;
import dev.graft.service.HttpReplies.Refusal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The console's model page (its versions, aliases, compare form) and version page (metrics, lineage, edits). */
record VersionPages(ModelRegistry registry, boolean tokenConfigured, UnaryOperator<String> redact) {

    private static final Logger LOG = LoggerFactory.getLogger(VersionPages.class);

    String model(String name) {
        if (registry.versions(name).isEmpty()) {
            throw new Refusal(404, "no model '" + name + "'; GET / lists them");
        }
        StringBuilder body = new StringBuilder();
        body.append("<form method=\"get\" action=\"/ui/compare\"><input type=\"hidden\" name=\"model\" value=\"")
                .append(esc(name)).append("\">")
                .append(versionTable("versions", registry.versionInfos(name), false))
                .append("<button type=\"submit\" id=\"compare\">Compare selected</button></form>");
        body.append("<h2>Aliases</h2>");
        List<List<String>> rows = new ArrayList<>();
        Map<String, List<Integer>> history = registry.history(name);
        registry.aliases(name).forEach((alias, v) -> rows.add(List.of(esc(alias), link(versionHref(name, v), "v" + v),
                esc(history.getOrDefault(alias, List.of())), action("Roll back", "POST", "/models/" + url(name)
                        + "/aliases/" + url(alias) + "/rollback"))));
        body.append(ConsoleLayout.table("aliases", List.of("alias", "version", "history", ""), rows));
        return ConsoleLayout.page(name, body.toString(), false);
    }

    /** A table of versions; with {@code withModel} a model column, else a compare checkbox per row. */
    static String versionTable(String id, List<VersionInfo> versions, boolean withModel) {
        List<List<String>> rows = new ArrayList<>();
        for (VersionInfo v : versions) {
            List<String> row = new ArrayList<>();
            if (withModel) {
                row.add(link(modelHref(v.name()), v.name()));
            } else {
                row.add("<input type=\"checkbox\" name=\"v\" value=\"" + v.version() + "\" aria-label=\"compare v"
                        + v.version() + "\">");
            }
            Map<String, Double> m = v.metrics();
            Object verdict = v.metadata().get("verdict") instanceof Map<?, ?> vm ? vm.get("outcome") : null;
            row.addAll(List.of(link(versionHref(v.name(), v.version()), "v" + v.version()), esc(String.join(", ",
                    v.aliases())), number(m.get("accuracy")), number(m.get("f1")), esc(verdict),
                    esc(String.join(", ", v.tags())), esc(v.description()), v.archived() ? "archived" : "",
                    esc(v.metadata().get("publishedAt"))));
            rows.add(row);
        }
        return ConsoleLayout.table(id, List.of(withModel ? "model" : "compare", "version", "aliases", "accuracy", "f1",
                "verdict", "tags", "description", "", "published"), rows);
    }

    String version(String name, int version) {
        if (!registry.versions(name).contains(version)) {
            throw new Refusal(404, "no version " + version + " of '" + name + "'; expected one of "
                    + registry.versions(name));
        }
        VersionInfo v = registry.version(name, version);
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = (Map<String, Object>) ConsoleLayout.redacted(v.metadata(), redact);
        StringBuilder body = new StringBuilder("<p>").append(link(modelHref(name), "← " + name)).append("</p>");
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("aliases", String.join(", ", v.aliases()));
        about.put("tags", String.join(", ", v.tags()));
        about.put("description", v.description());
        about.put("archived", v.archived());
        about.put("published", meta.get("publishedAt"));
        about.put("route", meta.get("routeId"));
        if (meta.get("verdict") instanceof Map<?, ?> verdict) {
            about.put("verdict", verdict.get("outcome"));
            about.put("reason", verdict.get("reason"));
        }
        if (v.error() != null) {
            about.put("error", v.error());
        }
        body.append(ConsoleLayout.fields(about));
        Map<String, Object> metrics = new LinkedHashMap<>();
        if (meta.get("metrics") instanceof Map<?, ?> m) {
            m.forEach((k, x) -> {
                if (!"confusionMatrix".equals(k)) {
                    metrics.put(String.valueOf(k), x);
                }
            });
        }
        body.append("<h2>Metrics</h2>").append(ConsoleLayout.fields(metrics));
        if (meta.get("comparedWith") instanceof Map<?, ?> champion) {
            body.append("<p>Gated against ").append(lineageLink(champion.get("name"), champion.get("version")))
                    .append("</p>");
        }
        if (meta.get("input") != null) {
            body.append("<h2>Input contract</h2>").append(ConsoleLayout.value(meta.get("input")));
        }
        body.append(DataPanel.html(profile(name, version), meta));
        body.append("<h2>Lineage</h2>").append(lineage(meta));
        String api = "/models/" + url(name) + "/versions/" + version;
        body.append("<h2>Artifacts</h2><p>").append(link(api + "/model.zip", "model.zip")).append(" ")
                .append(link(api + "/metadata.json", "metadata.json")).append(" ")
                .append(link(api + "/report.html", "report.html")).append("</p>");
        body.append(actions(name, version, v.archived(), api));
        return ConsoleLayout.page(name + " v" + version, body.toString(), false);
    }

    /** The version's data profile; empty when it has none or it cannot be read (the page then shows no profile). */
    private Optional<DataProfile> profile(String name, int version) {
        try {
            return registry.resolve(name, String.valueOf(version))
                    .flatMap(r -> DataProfile.read(r.directory().resolve(DataProfile.FILE)));
        } catch (RuntimeException e) {
            LOG.warn("console: the data profile of {} v{} is not shown ({}); the rest of the page is", name, version,
                    e.toString());
            return Optional.empty();
        }
    }

    private String lineage(Map<String, Object> meta) {
        Map<String, Object> out = new LinkedHashMap<>();
        String run = meta.get("runId") instanceof String s ? s : null;
        StringBuilder s = new StringBuilder("<table class=\"fields\"><tbody>");
        if (run != null) {
            s.append("<tr><th>run</th><td>").append(link("/ui/runs/" + url(run), run)).append(" (")
                    .append(link("/runs/" + url(run) + "/report.html", "report")).append(")</td></tr>");
        }
        if (meta.get("backbone") instanceof Map<?, ?> b) {
            String source = String.valueOf(b.get("source"));
            String html = esc(source);
            if (source.startsWith("registry:") && source.contains("@")) {
                String ref = source.substring("registry:".length());
                html = lineageLink(ref.substring(0, ref.indexOf('@')), ref.substring(ref.indexOf('@') + 1));
            }
            s.append("<tr><th>backbone</th><td>").append(html).append(" sha256 ").append(esc(b.get("sha256")))
                    .append("</td></tr>");
        }
        if (meta.get("dataset") != null) {
            out.put("dataset", meta.get("dataset"));
        }
        out.put("route file", meta.get("routeFile"));
        out.forEach((k, x) -> s.append("<tr><th>").append(esc(k)).append("</th><td>").append(ConsoleLayout.value(x))
                .append("</td></tr>"));
        return s.append("</tbody></table>").toString();
    }

    /** A link to a version of a model when the reference is a version number, else the model. */
    private String lineageLink(Object name, Object ref) {
        String n = String.valueOf(name);
        String r = String.valueOf(ref);
        if (!ModelRegistry.isValidName(n)) {
            return esc(n + "@" + r);
        }
        return r.matches("\\d{1,9}") ? link(versionHref(n, Integer.parseInt(r)), n + " v" + r)
                : link(modelHref(n), n + "@" + r);
    }

    private String actions(String name, int version, boolean archived, String api) {
        if (!tokenConfigured) {
            return "<p class=\"note\">Changes need a token: start 'graft serve' with --token-file.</p>";
        }
        String model = "/models/" + url(name);
        return "<h2>Change</h2><div class=\"actions\">"
                + "<p>" + input("alias", "alias", "champion") + action("Promote", "POST", model + "/aliases/{alias}?version="
                + version, "alias") + action("Roll back", "POST", model + "/aliases/{alias}/rollback", "alias") + "</p>"
                + "<p>" + input("add", "add", "tags to add, a,b") + input("remove", "remove", "tags to remove")
                + action("Tag", "POST", api + "/tags", "add", "remove") + "</p>"
                + "<p>" + input("text", "text", "description") + action("Describe", "POST", api + "/description", "text")
                + "</p><p>" + (archived ? action("Unarchive", "POST", api + "/archive?archived=false")
                : action("Archive", "POST", api + "/archive?archived=true"))
                + " " + action("Delete", "DELETE", api) + "</p></div>";
    }
}
