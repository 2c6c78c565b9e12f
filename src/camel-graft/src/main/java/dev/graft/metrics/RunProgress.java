package dev.graft.metrics;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a running run stands, as its progress line shows it: the phase (train, featurize, evaluate), the epoch and
 * the batch within it, the estimated time to the end of the phase's current pass, and the running loss and accuracy
 * of the epoch. Numbers that do not apply are 0 (counts) or NaN, left out of JSON.
 *
 * @param phase      what the run is doing: {@code train}, {@code featurize} or {@code evaluate}
 * @param epoch      1-based epoch of a train phase; 0 otherwise
 * @param epochs     how many epochs the train step runs; 0 otherwise
 * @param batch      batches done in this pass
 * @param batches    batches in this pass
 * @param etaSeconds estimated seconds to the end of this pass; NaN when not yet known
 * @param loss       mean training loss of the epoch's batches so far; NaN when not training
 * @param accuracy   training accuracy of the epoch's batches so far; NaN when not tracked
 * @param updatedAt  when this was reported, milliseconds since the epoch
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunProgress(String phase, int epoch, int epochs, int batch, int batches, Double etaSeconds,
                          Double loss, Double accuracy, long updatedAt) {

    /** A progress with NaN numbers dropped (null), as JSON shows it. */
    public static RunProgress of(String phase, int epoch, int epochs, int batch, int batches, double etaSeconds,
                                 double loss, double accuracy) {
        return new RunProgress(phase, epoch, epochs, batch, batches, finite(etaSeconds), finite(loss),
                finite(accuracy), System.currentTimeMillis());
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }

    /** The latest progress of each running run of one engine, by run id. Thread-safe. */
    public static final class Board {

        private final Map<String, RunProgress> latest = new ConcurrentHashMap<>();

        /** Records {@code progress} as run {@code runId}'s latest. */
        public void report(String runId, RunProgress progress) {
            latest.put(runId, progress);
        }

        /** The latest progress of a run, while it is recorded. */
        public Optional<RunProgress> get(String runId) {
            return Optional.ofNullable(latest.get(runId));
        }

        /** Forgets a run (it ended). */
        public void remove(String runId) {
            latest.remove(runId);
        }
    }
}
