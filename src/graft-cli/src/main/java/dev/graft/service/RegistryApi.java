package dev.graft.service;

import dev.graft.registry.ModelRegistry;
import dev.graft.registry.VersionInfo;
import dev.graft.registry.VersionQuery;
import dev.graft.report.ReportWriter;
import dev.graft.service.HttpReplies.Refusal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The registry's JSON API, as plain calls on parsed parameters: models, versions, search, artifacts, and the
 * edits (tags, description, archive, delete, promote, rollback). Knows nothing of the HTTP server; callers have
 * checked the token for the edits and that names are plain names.
 *
 * @param redact shows absolute paths relative to the service's folders, as /runs does
 */
record RegistryApi(ModelRegistry registry, RunStore runs, UnaryOperator<String> redact) {

    /** The files of a version that may be downloaded, with their content types. */
    static final Map<String, String> ARTIFACTS = Map.of(ModelRegistry.MODEL_FILE, "application/zip",
            ModelRegistry.METADATA_FILE, "application/json", ReportWriter.FILE, "text/html; charset=utf-8",
            dev.graft.data.DataProfile.FILE, "application/json");

    /** One model: its aliases, their history and every version (archived ones included). */
    Map<String, Object> model(String name) {
        requireModel(name);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("aliases", registry.aliases(name));
        out.put("aliasHistory", registry.history(name));
        out.put("versions", registry.versionInfos(name).stream().map(RegistryApi::summary).toList());
        return out;
    }

    /** A version's fields without the bulky ones (layers, epochs, confusion matrix): what lists show. */
    static Map<String, Object> summary(VersionInfo v) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : List.of("name", "version", "aliases", "tags", "description", "archived", "error",
                "publishedAt", "runId", "routeId", "verdict")) {
            Object value = v.toJson().get(key);
            if (value != null) {
                out.put(key, value);
            }
        }
        out.put("metrics", v.metrics());
        return out;
    }

    /** A version's JSON view, paths redacted; its metadata.json artifact has them whole. */
    @SuppressWarnings("unchecked")
    Map<String, Object> version(String name, int version) {
        return (Map<String, Object>) ConsoleLayout.redacted(info(name, version).toJson(), redact);
    }

    VersionInfo info(String name, int version) {
        requireVersion(name, version);
        return registry.version(name, version);
    }

    List<Map<String, Object>> search(VersionQuery query) {
        return registry.search(query).stream().map(RegistryApi::summary).toList();
    }

    /** A version's model.zip, metadata.json or report.html; only those names, so no path leads elsewhere. */
    Answer.FileBody artifact(String name, int version, String file) {
        String type = ARTIFACTS.get(file);
        if (type == null) {
            throw new Refusal(404, "no artifact '" + file + "'; expected one of " + ARTIFACTS.keySet().stream().sorted()
                    .toList());
        }
        requireVersion(name, version);
        Path dir = registry.resolve(name, String.valueOf(version)).orElseThrow().directory();
        Path path = dir.resolve(file);
        if (!Files.isRegularFile(path)) {
            throw new Refusal(404, "version " + version + " of '" + name + "' has no " + file
                    + (file.equals(ReportWriter.FILE) ? " (its run wrote no report)" : ""));
        }
        return new Answer.FileBody(path, type, file.equals(ModelRegistry.MODEL_FILE)
                ? name + "-v" + version + ".zip" : null);
    }

    /** The report of a run: beside the version it published, else under {@code <registry>/runs/<id>/}. */
    Optional<Path> runReport(String runId) {
        RunRecord r = runs.get(runId).orElseThrow(() -> new Refusal(404, "no run '" + runId
                + "'; GET /runs lists the runs"));
        if (r.model() != null && r.version() != null && ModelRegistry.isValidName(r.model())
                && registry.versions(r.model()).contains(r.version())) {
            Path beside = registry.root().resolve(r.model()).resolve("versions").resolve(String.valueOf(r.version()))
                    .resolve(ReportWriter.FILE);
            if (Files.isRegularFile(beside)) {
                return Optional.of(beside);
            }
        }
        Path own = registry.root().resolve("runs").resolve(runId).resolve(ReportWriter.FILE);
        return Files.isRegularFile(own) ? Optional.of(own) : Optional.empty();
    }

    Map<String, Object> tag(String name, int version, List<String> add, List<String> remove) throws IOException {
        requireVersion(name, version);
        registry.tag(name, version, add, remove);
        return version(name, version);
    }

    Map<String, Object> describe(String name, int version, String text) throws IOException {
        requireVersion(name, version);
        registry.describe(name, version, text);
        return version(name, version);
    }

    Map<String, Object> archive(String name, int version, boolean archived) throws IOException {
        refusePointedTo(name, version, archived ? "archive" : null);
        registry.archive(name, version, archived);
        return version(name, version);
    }

    Map<String, Object> delete(String name, int version) throws IOException {
        refusePointedTo(name, version, "delete");
        registry.delete(name, version);
        return Map.of("name", name, "deleted", version, "versions", registry.versions(name));
    }

    Map<String, Object> promote(String name, String alias, int version) throws IOException {
        requireVersion(name, version);
        registry.promote(name, alias, version);
        return Map.of("name", name, "alias", alias, "version", version);
    }

    Map<String, Object> rollback(String name, String alias) throws IOException {
        requireModel(name);
        if (!registry.aliases(name).containsKey(alias)) {
            throw new Refusal(404, "model '" + name + "' has no alias '" + alias + "'; expected one of "
                    + registry.aliases(name).keySet());
        }
        return Map.of("name", name, "alias", alias, "version", registry.rollback(name, alias));
    }

    /** 409 when an alias points to the version (never the champion); {@code what} null checks only that it exists. */
    private void refusePointedTo(String name, int version, String what) {
        requireVersion(name, version);
        List<String> pointing = registry.aliases(name).entrySet().stream().filter(e -> e.getValue() == version)
                .map(Map.Entry::getKey).sorted().toList();
        if (what != null && !pointing.isEmpty()) {
            throw new Refusal(409, "cannot " + what + " version " + version + " of '" + name + "': aliases " + pointing
                    + " point to it; expected a version no alias points to; promote another version first");
        }
    }

    private void requireModel(String name) {
        if (registry.versions(name).isEmpty()) {
            throw new Refusal(404, "no model '" + name + "'; GET /models lists them");
        }
    }

    private void requireVersion(String name, int version) {
        requireModel(name);
        if (!registry.versions(name).contains(version)) {
            throw new Refusal(404, "no version " + version + " of '" + name + "'; expected one of "
                    + registry.versions(name));
        }
    }
}
