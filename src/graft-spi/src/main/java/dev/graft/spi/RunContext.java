package dev.graft.spi;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;

/**
 * Everything one run of a route has made so far, carried through the Camel exchange.
 *
 * <p>Steps read what earlier steps stored and store new artifacts; they replace an artifact rather than
 * change it in place. The {@code require...} accessors fail with a {@link MissingInputException} naming
 * the step that should have run first. One context belongs to one run and is not shared between threads.
 */
public interface RunContext {

    /**
     * The time and outcome of one step in this run, for metadata and reports.
     *
     * @param step    the step name
     * @param uri     the endpoint URI as Camel resolved it
     * @param seconds wall time of the step
     * @param failed  true when the step threw (it is then the run's last step)
     */
    record StepTiming(String step, String uri, double seconds, boolean failed) {

        /** A step that ended normally. */
        public StepTiming(String step, String uri, double seconds) {
            this(step, uri, seconds, false);
        }
    }

    /** Unique id of the run, e.g. {@code 20261128-101500-3f2a9c}. */
    String runId();

    /** The Camel route id. */
    String routeId();

    /** The YAML file the route came from, when known. */
    Optional<Path> routeFile();

    /** The file that started the run (a file-drop trigger), if any. */
    Optional<Path> triggerFile();

    /** When the run started. */
    Instant startedAt();

    /** Where steps record meters for this run's route; records nothing outside an engine. Never null. */
    StepMeters meters();

    /** What a person at the terminal sees of this run. Never null. */
    Console console();

    /** A logger for a step of this run; its lines carry the run and route ids. */
    Logger logger(String step);

    /** The data set fetched by {@code fetch-dataset}. */
    default DataSplits requireData(String step) {
        return data().orElseThrow(() -> new MissingInputException(step, "data set", "fetch-dataset"));
    }

    /** The data set, once {@code fetch-dataset} (or a plugin) has stored one. */
    Optional<DataSplits> data();

    /** Stores the data set for the steps after this one. */
    void setData(DataSplits data);

    /** The backbone loaded by {@code load-backbone}. */
    default Backbone requireBackbone(String step) {
        return backbone().orElseThrow(() -> new MissingInputException(step, "backbone", "load-backbone"));
    }

    /** The backbone, once {@code load-backbone} (or {@code create-model}) has stored one. */
    Optional<Backbone> backbone();

    /** Stores the backbone and makes its graph the model under construction. */
    void setBackbone(Backbone backbone);

    /** The model under construction: the backbone as changed by freeze, head and train steps. */
    default ComputationGraph requireModel(String step) {
        return model().orElseThrow(() -> new MissingInputException(step, "model", "load-backbone"));
    }

    /** The model under construction, if any step has made one yet. */
    Optional<ComputationGraph> model();

    /** Replaces the model under construction with a new one (steps never change the old one in place). */
    void setModel(ComputationGraph model);

    /** The history recorded by the latest {@code train}. */
    default TrainingHistory requireHistory(String step) {
        return history().orElseThrow(() -> new MissingInputException(step, "training history", "train"));
    }

    /** The history of the latest {@code train} step. */
    default Optional<TrainingHistory> history() {
        List<TrainingHistory> all = histories();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** The histories of every {@code train} step so far, in order (one per phase of a multi-phase fine-tune). */
    List<TrainingHistory> histories();

    /** Records the history of a {@code train} step after those of earlier ones. */
    void addHistory(TrainingHistory history);

    /** The evaluation made by {@code evaluate}. */
    default EvaluationResult requireEvaluation(String step) {
        return evaluation().orElseThrow(() -> new MissingInputException(step, "evaluation", "evaluate"));
    }

    /** The evaluation, once {@code evaluate} has stored one. */
    Optional<EvaluationResult> evaluation();

    /** Stores the evaluation and its verdict, which {@code publish} reads. */
    void setEvaluation(EvaluationResult evaluation);

    /** The version {@code publish} wrote, if any. */
    Optional<PublishedVersion> published();

    /** Records the version a publish wrote. */
    void setPublished(PublishedVersion published);

    /** The random seed of the run (default 12345); {@code train} sets it from its option. */
    long seed();

    /** Sets the run's random seed. */
    void setSeed(long seed);

    /** True when whoever runs this route asks it to stop (a service shutting down); long steps check it between epochs. */
    boolean isCancelled();

    /** Steps run so far with their wall times, in order. */
    List<StepTiming> timings();

    /** The run's HTML report, once the engine has written it at the end of the run. */
    Optional<Path> report();

    /** Free-form artifacts for plugin steps, keyed by a name the plugin owns. */
    Map<String, Object> attributes();
}
