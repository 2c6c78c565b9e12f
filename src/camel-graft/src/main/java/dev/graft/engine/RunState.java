package dev.graft.engine;

import dev.graft.metrics.RouteMetrics;
import dev.graft.spi.Backbone;
import dev.graft.spi.Console;
import dev.graft.spi.DataSplits;
import dev.graft.spi.EvaluationResult;
import dev.graft.spi.PublishedVersion;
import dev.graft.spi.RunContext;
import dev.graft.spi.StepMeters;
import dev.graft.spi.TrainingHistory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's run context: what steps see through {@link RunContext}, plus what only the engine changes
 * (step timings, the report, cancellation). One instance belongs to one run; not thread-safe.
 */
public final class RunState implements RunContext {

    private final String runId;
    private final String routeId;
    private final Path routeFile;
    private final Path triggerFile;
    private final Instant startedAt = Instant.now();
    private final List<StepTiming> timings = new ArrayList<>();
    private final Map<String, Object> attributes = new LinkedHashMap<>();
    private final RouteMetrics metrics;
    private final Console console;
    private DataSplits data;
    private Backbone backbone;
    private ComputationGraph model;
    private final List<TrainingHistory> histories = new ArrayList<>();
    private EvaluationResult evaluation;
    private PublishedVersion published;
    private long seed = 12345;
    private Path report;
    private BooleanSupplier cancellation = () -> false;

    /** A run outside any engine: no meters, a silent console. */
    public RunState(String runId, String routeId, Path routeFile, Path triggerFile) {
        this(runId, routeId, routeFile, triggerFile, RouteMetrics.noop(routeId), Console.silent());
    }

    /**
     * @param runId       unique id of the run
     * @param routeId     the Camel route id
     * @param routeFile   the YAML file the route came from; null when unknown
     * @param triggerFile the file that started the run (file-drop trigger); null otherwise
     * @param metrics     the route's meters
     * @param console     what the person running the route sees
     */
    public RunState(String runId, String routeId, Path routeFile, Path triggerFile, RouteMetrics metrics,
                    Console console) {
        this.runId = Objects.requireNonNull(runId, "runId");
        this.routeId = Objects.requireNonNull(routeId, "routeId");
        this.routeFile = routeFile;
        this.triggerFile = triggerFile;
        this.metrics = metrics;
        this.console = console;
    }

    /** The route's domain meters (steps reach them through {@link RouteMetrics#of}). */
    public RouteMetrics routeMetrics() { return metrics; }

    @Override public StepMeters meters() { return metrics; }

    @Override public Console console() { return console; }

    @Override public Logger logger(String step) { return LoggerFactory.getLogger("dev.graft.step." + step); }

    @Override public String runId() { return runId; }

    @Override public String routeId() { return routeId; }

    @Override public Optional<Path> routeFile() { return Optional.ofNullable(routeFile); }

    @Override public Optional<Path> triggerFile() { return Optional.ofNullable(triggerFile); }

    @Override public Instant startedAt() { return startedAt; }

    @Override public Optional<DataSplits> data() { return Optional.ofNullable(data); }

    @Override public void setData(DataSplits data) { this.data = data; }

    @Override public Optional<Backbone> backbone() { return Optional.ofNullable(backbone); }

    @Override
    public void setBackbone(Backbone backbone) {
        this.backbone = backbone;
        this.model = backbone.graph();
    }

    @Override public Optional<ComputationGraph> model() { return Optional.ofNullable(model); }

    @Override public void setModel(ComputationGraph model) { this.model = model; }

    @Override public List<TrainingHistory> histories() { return Collections.unmodifiableList(histories); }

    @Override public void addHistory(TrainingHistory history) { histories.add(history); }

    @Override public Optional<EvaluationResult> evaluation() { return Optional.ofNullable(evaluation); }

    @Override public void setEvaluation(EvaluationResult evaluation) { this.evaluation = evaluation; }

    @Override public Optional<PublishedVersion> published() { return Optional.ofNullable(published); }

    @Override public void setPublished(PublishedVersion published) { this.published = published; }

    @Override public long seed() { return seed; }

    @Override public void setSeed(long seed) { this.seed = seed; }

    @Override public boolean isCancelled() { return cancellation.getAsBoolean(); }

    /** Who may ask this run to stop between epochs (a service shutting down). */
    public void setCancellation(BooleanSupplier cancellation) { this.cancellation = cancellation; }

    @Override public List<StepTiming> timings() { return Collections.unmodifiableList(timings); }

    /** Records a finished step's timing. */
    public void recordTiming(StepTiming timing) { timings.add(timing); }

    @Override public Optional<Path> report() { return Optional.ofNullable(report); }

    /** Where the engine wrote the run's report. */
    public void setReport(Path report) { this.report = report; }

    @Override public Map<String, Object> attributes() { return attributes; }
}
