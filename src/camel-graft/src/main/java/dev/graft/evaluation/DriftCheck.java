package dev.graft.evaluation;

import dev.graft.io.JsonFields;
import java.util.Map;

/**
 * One check of {@code validate-data}: what it measured against which limit, and whether the data passed.
 *
 * @param name      {@code schema}, {@code class-linf}, {@code class-js}, {@code pixel-psi} or {@code embedding-mmd}
 * @param statistic the measured value (for the embedding check, the permutation test's p-value); NaN for schema
 * @param threshold the limit the route set; NaN for schema
 * @param passed    whether the data is within the limit
 * @param reason    a sentence with the statistic, the threshold and what they mean
 */
public record DriftCheck(String name, double statistic, double threshold, boolean passed, String reason) {

    /** The key of the list of checks in a run's attributes. */
    public static final String ATTRIBUTE = "graft.data.checks";

    /** The check as JSON fields (NaN written as null). */
    public Map<String, Object> toJson() {
        return JsonFields.of("check", name, "statistic", Double.isNaN(statistic) ? null : statistic, "threshold",
                Double.isNaN(threshold) ? null : threshold, "verdict", passed ? "PASSED" : "FAILED", "reason", reason);
    }
}
