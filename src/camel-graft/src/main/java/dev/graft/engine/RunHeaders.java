package dev.graft.engine;

import dev.graft.spi.RunContext;
import org.apache.camel.Message;

/**
 * Message headers that expose a run's results to ordinary Camel EIPs in the same route, e.g.
 * {@code choice: when: simple: "${header.GraftVerdict} == 'PASSED'"}. Set after every graft step.
 */
public final class RunHeaders {

    /** The run id. */
    public static final String RUN_ID = "GraftRunId";
    /** PASSED, FAILED or NO_GATE once {@code evaluate} ran. */
    public static final String VERDICT = "GraftVerdict";
    /** The verdict's reason. */
    public static final String VERDICT_REASON = "GraftVerdictReason";
    /** Test accuracy (a Double) once {@code evaluate} ran. */
    public static final String ACCURACY = "GraftAccuracy";
    /** "name" of the published model once {@code publish} ran. */
    public static final String MODEL = "GraftModel";
    /** Published version number (an Integer) once {@code publish} ran. */
    public static final String VERSION = "GraftVersion";
    /** Folder of the published version once {@code publish} ran. */
    public static final String VERSION_PATH = "GraftVersionPath";

    /**
     * True (a Boolean) when {@code watch-drift} found drift and asks for a retraining; also the key of the run
     * attribute the step sets.
     */
    public static final String DRIFT_TRIGGER = "GraftDriftTrigger";

    private RunHeaders() {
    }

    static void set(Message message, RunContext context) {
        message.setHeader(RUN_ID, context.runId());
        context.evaluation().ifPresent(e -> {
            message.setHeader(VERDICT, e.verdict().outcome().name());
            message.setHeader(VERDICT_REASON, e.verdict().reason());
            message.setHeader(ACCURACY, e.accuracy());
        });
        if (context.attributes().get(DRIFT_TRIGGER) instanceof Boolean trigger) {
            message.setHeader(DRIFT_TRIGGER, trigger);
        }
        context.published().ifPresent(p -> {
            message.setHeader(MODEL, p.name());
            message.setHeader(VERSION, p.version());
            message.setHeader(VERSION_PATH, p.directory().toString());
        });
    }
}
