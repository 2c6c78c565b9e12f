package dev.graft.registry;

import dev.graft.evaluation.Gate;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.Verdict;
import java.util.Locale;

/**
 * Which versions a search finds: every given criterion must hold; null criteria match everything.
 *
 * @param name     part of the model's name, case-insensitive
 * @param tag      a tag the version carries
 * @param metric   conditions on its test metrics as a gate writes them, e.g. {@code accuracy>=0.9,f1>0.8}
 * @param alias    an alias pointing to it
 * @param archived whether archived versions are found too
 */
public record VersionQuery(String name, String tag, Gate metric, String alias, boolean archived) {

    /** Every version that is not archived. */
    public static final VersionQuery ALL = new VersionQuery(null, null, null, null, false);

    /** A query from the words people type; {@code metric} is parsed, the error says how it should read. */
    public static VersionQuery of(String name, String tag, String metric, String alias, boolean archived) {
        Gate gate = null;
        if (metric != null && !metric.isBlank()) {
            try {
                gate = Gate.parse(metric);
            } catch (ConfigurationException e) {
                throw new ConfigurationException("search: option 'metric' has a bad value '" + metric + "'; expected "
                        + "conditions like accuracy>=0.9 on " + Gate.METRICS + ", joined by ','", e);
            }
        }
        return new VersionQuery(blankToNull(name), blankToNull(tag), gate, blankToNull(alias), archived);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** Whether the version is found. */
    public boolean matches(VersionInfo v) {
        if (v.archived() && !archived) {
            return false;
        }
        if (name != null && !v.name().toLowerCase(Locale.ROOT).contains(name.toLowerCase(Locale.ROOT))) {
            return false;
        }
        if (tag != null && !v.tags().contains(tag)) {
            return false;
        }
        if (alias != null && !v.aliases().contains(alias)) {
            return false;
        }
        if (metric != null) {
            var metrics = v.metrics();
            // a version without a metric the query names is not found, rather than failing the search
            return metric.conditions().stream().allMatch(c -> metrics.containsKey(c.metric()))
                    && metric.judge(metrics).outcome() == Verdict.Outcome.PASSED;
        }
        return true;
    }
}
