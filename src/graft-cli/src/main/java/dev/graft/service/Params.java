package dev.graft.service;

import dev.graft.registry.VersionQuery;
import dev.graft.service.HttpReplies.Refusal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A request's query options, parsed and checked by name: what the endpoints take instead of the server's request.
 *
 * @param values option name to every value given, in order
 */
record Params(Map<String, List<String>> values) {

    static final Params NONE = new Params(Map.of());
    private static final int MAX_LENGTH = 2000;

    /** The first value of an option, or null; refused when longer than 2000 characters. */
    String get(String option) {
        List<String> all = values.get(option);
        String value = all == null || all.isEmpty() ? null : all.get(0);
        if (value != null && value.length() > MAX_LENGTH) {
            throw new Refusal(400, "option '" + option + "' has " + value.length() + " characters; expected at most "
                    + MAX_LENGTH);
        }
        return value;
    }

    /** Every value of an option, at most 20. */
    List<String> all(String option) {
        List<String> all = values.getOrDefault(option, List.of());
        if (all.size() > 20) {
            throw new Refusal(400, "option '" + option + "' given " + all.size() + " times; expected at most 20");
        }
        for (String value : all) {
            if (value.length() > MAX_LENGTH) {
                throw new Refusal(400, "option '" + option + "' has a value of " + value.length() + " characters; "
                        + "expected at most " + MAX_LENGTH);
            }
        }
        return all;
    }

    String required(String option) {
        String value = get(option);
        if (value == null) {
            throw new Refusal(400, "option '" + option + "' is missing; expected ?" + option + "=...");
        }
        return value;
    }

    /** A comma-separated list; blanks dropped. */
    List<String> list(String option) {
        String text = get(option);
        return text == null ? List.of() : Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .toList();
    }

    boolean bool(String option, boolean defaultValue) {
        String value = get(option);
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        if (!value.equals("true") && !value.equals("false")) {
            throw new Refusal(400, "option '" + option + "' is '" + value + "'; expected true or false");
        }
        return Boolean.parseBoolean(value);
    }

    /** A plain word (route id, status, trigger), or null when not given or blank. */
    String word(String option) {
        String value = get(option);
        if (value == null || value.isBlank()) {
            return null;
        }
        return HttpReplies.checkName("option '" + option + "'", value.trim());
    }

    /** The search options of GET /versions and the console's search form: name, tag, metric, alias, archived. */
    VersionQuery query() {
        String alias = get("alias");
        if (alias != null && !alias.isBlank()) {
            alias(alias.trim());
        }
        return VersionQuery.of(get("name"), get("tag"), get("metric"), alias, bool("archived", false));
    }

    static int version(String text) {
        if (text == null || !text.matches("\\d{1,9}")) {
            throw new Refusal(400, "bad version '" + text + "'; expected a version number such as 3");
        }
        return Integer.parseInt(text);
    }

    /** An alias as the publish step accepts it: starting with a letter (numbers are versions). */
    static String alias(String text) {
        if (text == null || !text.matches("[A-Za-z][A-Za-z0-9._-]{0,99}")) {
            throw new Refusal(400, "bad alias '" + text + "'; expected letters, digits, '.', '-' or '_', starting "
                    + "with a letter, e.g. champion");
        }
        return text;
    }
}
