package dev.graft.service;

import static dev.graft.report.Html.esc;
import static dev.graft.service.ConsoleLayout.link;
import static dev.graft.service.ConsoleLayout.modelHref;
import static dev.graft.service.ConsoleLayout.number;
import static dev.graft.service.ConsoleLayout.versionHref;

import dev.graft.registry.ModelRegistry;
import dev.graft.registry.VersionInfo;
import dev.graft.service.HttpReplies.Refusal;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The web console: server-rendered pages of the registry and the run history (models, versions, runs, a
 * comparison), and the small script and style sheet they load from the jar. Plain calls on parsed parameters.
 */
final class Console {

    private static final Map<String, String> ASSETS = Map.of("console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8", "openapi.json", "application/json");

    private final ModelRegistry registry;
    private final VersionPages versions;
    private final RunPages runs;
    private final ComparePage compare;

    Console(ModelRegistry registry, RunStore store, UnaryOperator<String> redact, boolean tokenConfigured) {
        this.registry = registry;
        this.versions = new VersionPages(registry, tokenConfigured, redact);
        this.runs = new RunPages(store, registry, redact);
        this.compare = new ComparePage(registry, redact);
    }

    /** The page at {@code /ui/<path>} ({@code /} when the path is empty). */
    Answer page(List<String> path, Params q) {
        int n = path.size();
        String first = n > 0 ? path.get(0) : "";
        if (n == 1 && ASSETS.containsKey(first) && !first.endsWith(".json")) {
            return asset(first);
        }
        String html = switch (n == 0 ? "home" : first + "/" + n) {
            case "home" -> home(q);
            case "models/2" -> versions.model(HttpReplies.checkName("model name", path.get(1)));
            case "models/4" -> versions.version(HttpReplies.checkName("model name", path.get(1)),
                    Params.version(path.get(3)));
            case "runs/1" -> runs.list(q);
            case "runs/2" -> runs.run(HttpReplies.checkName("run id", path.get(1)));
            case "compare/1" -> compare.page(q);
            default -> throw new Refusal(404, "no console page '/ui/" + String.join("/", path) + "'; expected /, "
                    + "/ui/models/{name}, /ui/models/{name}/versions/{v}, /ui/runs, /ui/runs/{id} or /ui/compare");
        };
        return new Answer.Html(200, html);
    }

    /** A file shipped in the jar under {@code dev/graft/console/}. */
    Answer asset(String name) {
        try (InputStream in = Console.class.getResourceAsStream("/dev/graft/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console asset '" + name + "' is missing from the jar");
            }
            return new Answer.Asset(in.readAllBytes(), ASSETS.get(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String home(Params q) {
        List<List<String>> rows = new ArrayList<>();
        for (ModelRegistry.ModelSummary m : registry.summaries()) {
            if (m.error() != null) {
                rows.add(List.of(esc(m.name()), "", "", "<span class=\"bad\">" + esc(m.error()) + "</span>"));
                continue;
            }
            StringBuilder aliases = new StringBuilder();
            m.aliases().forEach((alias, v) -> aliases.append(aliases.length() == 0 ? "" : " ")
                    .append(link(versionHref(m.name(), v), alias + " → v" + v)));
            Integer champion = m.aliases().get("champion");
            String accuracy = "";
            if (champion != null && m.versions().contains(champion)) {
                accuracy = number(registry.version(m.name(), champion).metrics().get("accuracy"));
            }
            rows.add(List.of(link(modelHref(m.name()), m.name()), String.valueOf(m.versions().size()),
                    aliases.toString(), accuracy));
        }
        StringBuilder body = new StringBuilder(ConsoleLayout.table("models", List.of("model", "versions", "aliases",
                "champion accuracy"), rows));
        body.append("<h2>Search versions</h2><form method=\"get\" action=\"/\" class=\"search\">")
                .append(field("name", "name contains", q)).append(field("tag", "tag", q))
                .append(field("metric", "accuracy>=0.9", q)).append(field("alias", "alias", q))
                .append("<label><input type=\"checkbox\" name=\"archived\" value=\"true\"")
                .append(q.bool("archived", false) ? " checked" : "").append("> archived too</label> ")
                .append("<button type=\"submit\">Search</button></form>");
        boolean searching = List.of("name", "tag", "metric", "alias").stream().anyMatch(o -> q.get(o) != null
                && !q.get(o).isBlank());
        if (searching) {
            List<VersionInfo> found = registry.search(q.query());
            body.append(VersionPages.versionTable("found", found, true));
        }
        return ConsoleLayout.page("Models", body.toString(), false);
    }

    private static String field(String option, String placeholder, Params q) {
        String given = q.get(option);
        return "<input name=\"" + option + "\" placeholder=\"" + esc(placeholder) + "\" value=\"" + esc(given) + "\"> ";
    }
}
