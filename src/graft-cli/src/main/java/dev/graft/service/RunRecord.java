package dev.graft.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.graft.metrics.RunProgress;

/**
 * One run of a route as kept in the run history.
 *
 * @param id            run id
 * @param route         route id
 * @param trigger       what started it: file, schedule, http, or cli
 * @param inputFile     the dropped file, or null
 * @param inputSha256   SHA-256 of the dropped file, or null
 * @param status        running, succeeded, failed, interrupted (the process died during the run) or duplicate (the
 *                      drop's bytes equal those of a drop that already succeeded on this route; nothing ran)
 * @param startedAt     ISO-8601 instant
 * @param finishedAt    ISO-8601 instant, or null while running
 * @param verdict       PASSED, FAILED, NO_GATE, or null when evaluate did not run
 * @param verdictReason the verdict's reason, or null
 * @param accuracy      test accuracy, or null
 * @param model         published model name, or null
 * @param version       published version, or null
 * @param error         the failure message, or null
 * @param stepsJson     JSON list of {step, seconds}; the HTTP API embeds it as JSON under {@code steps}
 * @param duplicateOf   for a duplicate, the run id of the earlier drop with the same SHA-256; else null
 * @param dataChecksJson JSON list of validate-data's checks ({check, statistic, threshold, verdict, reason}), whether
 *                      they passed, warned or failed the run; null while running, or when no validate-data step
 *                      compared the data with a reference; the HTTP API embeds it under {@code dataChecks}
 * @param progress      while running, where the run stands (phase, epoch, batch, ETA); else null; never stored
 */
public record RunRecord(String id, String route, String trigger, String inputFile, String inputSha256, String status,
                        String startedAt, String finishedAt, String verdict, String verdictReason, Double accuracy,
                        String model, Integer version, String error,
                        @JsonProperty("steps") @JsonRawValue String stepsJson, String duplicateOf,
                        @JsonProperty("dataChecks") @JsonRawValue String dataChecksJson,
                        @JsonInclude(JsonInclude.Include.NON_NULL) RunProgress progress) {

    /** A record without data checks. */
    public RunRecord(String id, String route, String trigger, String inputFile, String inputSha256, String status,
                     String startedAt, String finishedAt, String verdict, String verdictReason, Double accuracy,
                     String model, Integer version, String error, String stepsJson, String duplicateOf,
                     RunProgress progress) {
        this(id, route, trigger, inputFile, inputSha256, status, startedAt, finishedAt, verdict, verdictReason, accuracy,
                model, version, error, stepsJson, duplicateOf, null, progress);
    }

    /** A record without data checks and progress. */
    public RunRecord(String id, String route, String trigger, String inputFile, String inputSha256, String status,
                     String startedAt, String finishedAt, String verdict, String verdictReason, Double accuracy,
                     String model, Integer version, String error, String stepsJson, String duplicateOf) {
        this(id, route, trigger, inputFile, inputSha256, status, startedAt, finishedAt, verdict, verdictReason, accuracy,
                model, version, error, stepsJson, duplicateOf, null, null);
    }

    /** A record that is not a duplicate. */
    public RunRecord(String id, String route, String trigger, String inputFile, String inputSha256, String status,
                     String startedAt, String finishedAt, String verdict, String verdictReason, Double accuracy,
                     String model, Integer version, String error, String stepsJson) {
        this(id, route, trigger, inputFile, inputSha256, status, startedAt, finishedAt, verdict, verdictReason, accuracy,
                model, version, error, stepsJson, null);
    }

    /** The same record with other input file text (the HTTP API shows file names, not absolute paths). */
    public RunRecord withText(String inputFile, String verdictReason, String error) {
        return new RunRecord(id, route, trigger, inputFile, inputSha256, status, startedAt, finishedAt, verdict,
                verdictReason, accuracy, model, version, error, stepsJson, duplicateOf, dataChecksJson, progress);
    }

    /** The same record with where the run stands. */
    public RunRecord withProgress(RunProgress value) {
        return new RunRecord(id, route, trigger, inputFile, inputSha256, status, startedAt, finishedAt, verdict,
                verdictReason, accuracy, model, version, error, stepsJson, duplicateOf, dataChecksJson, value);
    }
}
