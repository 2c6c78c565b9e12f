package dev.graft.spi;

import dev.graft.data.DataSplits;
import dev.graft.metrics.RouteMetrics;
import dev.graft.model.Backbone;
import dev.graft.model.EvaluationResult;
import dev.graft.model.TrainingHistory;
import dev.graft.registry.PublishedVersion;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Everything one run of a route has made so far, carried through the Camel exchange.
 *
 * <p>Steps read what earlier steps stored and store new artifacts; they replace an artifact rather than
 * change it in place. The {@code require...} accessors fail with a {@link MissingInputException} naming
 * the step that should have run first. One context belongs to one run and is not shared between threads.
 */
public final class RunContext {

    /**
     * The time and outcome of one step in this run, for metadata and reports.
     *
     * @param step    the step name
     * @param uri     the endpoint URI as Camel resolved it
     * @param seconds wall time of the step
     * @param failed  true when the step threw (it is then the run's last step)
     */
    public record StepTiming(String step, String uri, double seconds, boolean failed) {

        /** A step that ended normally. */
        public StepTiming(String step, String uri, double seconds) {
            this(step, uri, seconds, false);
        }
    }

    private final String runId;
    private final String routeId;
    private final Path routeFile;
    private final Path triggerFile;
    private final Instant startedAt = Instant.now();
    private final List<StepTiming> timings = new ArrayList<>();
    private final Map<String, Object> attributes = new LinkedHashMap<>();
    private final RouteMetrics metrics;
    private DataSplits data;
    private Backbone backbone;
    private ComputationGraph model;
    private final List<TrainingHistory> histories = new ArrayList<>();
    private EvaluationResult evaluation;
    private PublishedVersion published;
    private long seed = 12345;
    private Path report;
    private java.util.function.BooleanSupplier cancellation = () -> false;

    /**
     * @param runId       unique id of the run
     * @param routeId     the Camel route id
     * @param routeFile   the YAML file the route came from; null when unknown
     * @param triggerFile the file that started the run (file-drop trigger); null otherwise
     */
    public RunContext(String runId, String routeId, Path routeFile, Path triggerFile) {
        this(runId, routeId, routeFile, triggerFile, RouteMetrics.noop(routeId));
    }

    /**
     * @param metrics where the run's steps record meters; the engine passes its route's recorder
     */
    public RunContext(String runId, String routeId, Path routeFile, Path triggerFile, RouteMetrics metrics) {
        this.runId = runId;
        this.routeId = routeId;
        this.routeFile = routeFile;
        this.triggerFile = triggerFile;
        this.metrics = metrics;
    }

    /** Where steps record meters for this run's route; a no-op recorder outside an engine. Never null. */
    public RouteMetrics metrics() { return metrics; }

    public String runId() { return runId; }

    public String routeId() { return routeId; }

    public Optional<Path> routeFile() { return Optional.ofNullable(routeFile); }

    public Optional<Path> triggerFile() { return Optional.ofNullable(triggerFile); }

    public Instant startedAt() { return startedAt; }

    /** The data set fetched by {@code fetch-dataset}. */
    public DataSplits requireData(String step) {
        if (data == null) throw new MissingInputException(step, "data set", "fetch-dataset");
        return data;
    }

    public Optional<DataSplits> data() { return Optional.ofNullable(data); }

    public void setData(DataSplits data) { this.data = data; }

    /** The backbone loaded by {@code load-backbone}. */
    public Backbone requireBackbone(String step) {
        if (backbone == null) throw new MissingInputException(step, "backbone", "load-backbone");
        return backbone;
    }

    public Optional<Backbone> backbone() { return Optional.ofNullable(backbone); }

    /** Stores the backbone and makes its graph the model under construction. */
    public void setBackbone(Backbone backbone) {
        this.backbone = backbone;
        this.model = backbone.graph();
    }

    /** The model under construction: the backbone as changed by freeze, head and train steps. */
    public ComputationGraph requireModel(String step) {
        if (model == null) throw new MissingInputException(step, "model", "load-backbone");
        return model;
    }

    public Optional<ComputationGraph> model() { return Optional.ofNullable(model); }

    public void setModel(ComputationGraph model) { this.model = model; }

    /** The history recorded by the latest {@code train}. */
    public TrainingHistory requireHistory(String step) {
        return history().orElseThrow(() -> new MissingInputException(step, "training history", "train"));
    }

    /** The history of the latest {@code train} step. */
    public Optional<TrainingHistory> history() {
        return histories.isEmpty() ? Optional.empty() : Optional.of(histories.get(histories.size() - 1));
    }

    /** The histories of every {@code train} step so far, in order (one per phase of a multi-phase fine-tune). */
    public List<TrainingHistory> histories() { return Collections.unmodifiableList(histories); }

    /** Records the history of a {@code train} step after those of earlier ones. */
    public void addHistory(TrainingHistory history) { histories.add(history); }

    /** The evaluation made by {@code evaluate}. */
    public EvaluationResult requireEvaluation(String step) {
        if (evaluation == null) throw new MissingInputException(step, "evaluation", "evaluate");
        return evaluation;
    }

    public Optional<EvaluationResult> evaluation() { return Optional.ofNullable(evaluation); }

    public void setEvaluation(EvaluationResult evaluation) { this.evaluation = evaluation; }

    public Optional<PublishedVersion> published() { return Optional.ofNullable(published); }

    public void setPublished(PublishedVersion published) { this.published = published; }

    /** The random seed of the run (default 12345); {@code train} sets it from its option. */
    public long seed() { return seed; }

    public void setSeed(long seed) { this.seed = seed; }

    /** True when whoever runs this route asks it to stop (a service shutting down); long steps check it between epochs. */
    public boolean isCancelled() { return cancellation.getAsBoolean(); }

    public void setCancellation(java.util.function.BooleanSupplier cancellation) { this.cancellation = cancellation; }

    /** Steps run so far with their wall times, in order. */
    public List<StepTiming> timings() { return Collections.unmodifiableList(timings); }

    public void recordTiming(StepTiming timing) { timings.add(timing); }

    /** The run's HTML report, once the engine has written it at the end of the run. */
    public Optional<Path> report() { return Optional.ofNullable(report); }

    public void setReport(Path report) { this.report = report; }

    /** Free-form artifacts for plugin steps, keyed by a name the plugin owns. */
    public Map<String, Object> attributes() { return attributes; }
}
