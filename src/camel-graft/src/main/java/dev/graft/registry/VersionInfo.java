package dev.graft.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One version as people see it: its metadata.json, the aliases that point to it, and its tags, description and
 * archived flag (the latest edit, else what the publish recorded).
 *
 * @param aliases  the aliases pointing to this version, sorted
 * @param metadata metadata.json as written at publish; empty when it does not read
 * @param error    null when metadata.json reads; else why not
 */
public record VersionInfo(String name, int version, List<String> aliases, List<String> tags, String description,
                          boolean archived, Map<String, Object> metadata, String error) {

    /** The metadata field the publish records tags in. */
    public static final String TAGS_FIELD = "tags";
    /** The metadata field the publish records the description in. */
    public static final String DESCRIPTION_FIELD = "description";

    /** Whether {@code tag} can be a tag: 1 to 64 letters, digits, '.', ':', '-' or '_', starting with a letter or digit. */
    public static boolean isValidTag(String tag) {
        return tag != null && VersionNotes.TAG.matcher(tag).matches();
    }

    /** The test metrics (accuracy, precision, recall, f1, ...) that are numbers; empty when none were recorded. */
    public Map<String, Double> metrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (metadata.get("metrics") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (v instanceof Number n) {
                    out.put(String.valueOf(k), n.doubleValue());
                }
            });
        }
        return out;
    }

    /** The run that published this version, or null. */
    public String runId() {
        return metadata.get("runId") instanceof String s ? s : null;
    }

    /** Name, version, aliases, tags, description and archived first, then the metadata's fields: the JSON API's view. */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("version", version);
        out.put("aliases", aliases);
        out.put(TAGS_FIELD, tags);
        out.put(DESCRIPTION_FIELD, description);
        out.put("archived", archived);
        if (error != null) {
            out.put("error", error);
        }
        metadata.forEach(out::putIfAbsent);
        return out;
    }
}
