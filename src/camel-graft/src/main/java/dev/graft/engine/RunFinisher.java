package dev.graft.engine;

import dev.graft.metrics.RouteMetrics;
import dev.graft.report.ReportWriter;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.spi.Synchronization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a run ends, however it was started: the run is counted in {@code graft.runs} by outcome,
 * and its HTML report is written (into the published version's folder, else {@code <reports>/runs/<run-id>/}).
 *
 * <p>{@link GraftEngine#runOnce} and routes started by their own triggers both reach it through
 * {@link #onCompletion}, a Camel {@link Synchronization} on the run's exchange, which Camel calls exactly once
 * when the exchange's unit of work ends. Thread-safe.
 */
public final class RunFinisher {

    private static final Logger LOG = LoggerFactory.getLogger(RunFinisher.class);

    private final Path reportsRoot;

    private RunFinisher(Path reportsRoot) {
        this.reportsRoot = reportsRoot;
    }

    /**
     * Counts runs and writes reports.
     *
     * @param reportsRoot folder for the reports of runs that publish nothing ({@code runs/<run-id>/report.html})
     */
    public static RunFinisher withReports(Path reportsRoot) {
        return new RunFinisher(reportsRoot);
    }

    /**
     * The finisher a set of route properties asks for: reports into {@code reports}, else into {@code registry}, else
     * into {@code registry}; {@code none} turns reports off.
     *
     * @param reports  the value of {@code graft.reports}, or null
     * @param registry the value of {@code graft.registry}, or null
     */
    public static RunFinisher fromProperties(String reports, String registry) {
        String folder = reports == null || reports.isBlank() ? registry : reports;
        if (folder == null || folder.isBlank()) {
            folder = "registry";
        }
        return folder.equals("none") ? metricsOnly() : withReports(Path.of(folder));
    }

    /** Counts runs; writes no report. */
    public static RunFinisher metricsOnly() {
        return new RunFinisher(null);
    }

    /** The folder for reports of runs that publish nothing; empty when reports are off. */
    public Optional<Path> reportsRoot() {
        return Optional.ofNullable(reportsRoot);
    }

    /**
     * Records the end of a run. Never throws: a report that cannot be written is logged, and the run keeps
     * its outcome.
     *
     * @param failure what ended the run, or null when it succeeded
     */
    public void finished(RunState run, Throwable failure) {
        if (reportsRoot != null) {
            try {
                Path report = ReportWriter.write(run, failure, reportsRoot);
                run.setReport(report);
                LOG.info("run {} route {}: report written to {}", run.runId(), run.routeId(), report);
            } catch (Exception | LinkageError e) {
                // Deliberately swallowed: a report is a by-product and must not turn a good run into a failed one.
                LOG.warn("run {} route {}: report not written ({}); the run's outcome stands", run.runId(),
                        run.routeId(), e.toString());
            }
        }
        // counted last, so that a counted run's report is already on disk
        RouteMetrics.of(run).runFinished(failure == null);
    }

    /** A hook for the run's exchange that calls {@link #finished} once when the exchange completes or fails. */
    public Synchronization onCompletion(RunState run) {
        return new Synchronization() {
            @Override
            public void onComplete(Exchange exchange) {
                finished(run, null);
            }

            @Override
            public void onFailure(Exchange exchange) {
                Throwable failure = exchange.getException();
                finished(run, failure == null ? new IllegalStateException("the exchange failed without an exception")
                        : failure);
            }
        };
    }
}
