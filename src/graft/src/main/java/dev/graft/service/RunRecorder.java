package dev.graft.service;

import dev.graft.metrics.RouteMetrics;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.data.Sha256;
import dev.graft.engine.GraftComponent;
import dev.graft.engine.RunContexts;
import dev.graft.engine.RunState;
import dev.graft.spi.GraftException;
import dev.graft.spi.RunContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a run record when an exchange enters a route and completes it when the exchange is done; for a
 * failed file-drop run, writes {@code .failed/<file>.error.txt} beside the quarantined file.
 */
final class RunRecorder extends AlwaysOnRoutePolicy {

    private static final Logger LOG = LoggerFactory.getLogger(RunRecorder.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Exchange property naming the trigger when Graft itself starts a run (e.g. "http"). */
    static final String TRIGGER = "graft.trigger";
    /** Exchange property carrying a run id chosen before the run starts (the HTTP trigger answers with it). */
    static final String RUN_ID = "graft.runId";

    private final RunStore store;
    private final GraftComponent component;
    private final BooleanSupplier stopping;
    private final RunListener listener;

    /** Told about every finished run (metrics, model server refresh). */
    interface RunListener {
        void finished(RunContext context, RunRecord record);
    }

    RunRecorder(RunStore store, GraftComponent component, BooleanSupplier stopping, RunListener listener) {
        this.store = store;
        this.component = component;
        this.stopping = stopping;
        this.listener = listener;
    }

    @Override
    public void onExchangeBegin(Route route, Exchange exchange) {
        String routeId = GraftService.publicRouteId(route.getId());
        String filePath = exchange.getIn().getHeader(Exchange.FILE_PATH, String.class);
        Path trigger = filePath == null ? null : Path.of(filePath).toAbsolutePath();
        String kind = exchange.getProperty(TRIGGER, String.class);
        if (kind == null) {
            String from = route.getEndpoint().getEndpointUri();
            kind = trigger != null ? "file" : from.startsWith("quartz:") || from.startsWith("timer:")
                    || from.startsWith("cron:") || from.startsWith("scheduler:") ? "schedule" : "direct";
        }
        String runId = exchange.getProperty(RUN_ID, RunContexts.newRunId(), String.class);
        RunState context = component.newRun(runId, routeId, trigger);
        context.setCancellation(stopping);
        exchange.setProperty(RunContexts.PROPERTY, context);
        String sha = null;
        if (trigger != null && Files.isRegularFile(trigger)) {
            sha = Sha256.ofFile(trigger);
        }
        store.started(new RunRecord(context.runId(), routeId, kind, trigger == null ? null : trigger.toString(), sha,
                "running", Instant.now().toString(), null, null, null, null, null, null, null, null));
        LOG.info("run {} of route {} started by {}{}", context.runId(), routeId, kind,
                trigger == null ? "" : " (" + trigger.getFileName() + ")");
        // A unit-of-work synchronization, not onExchangeDone: Camel skips route-policy callbacks for runs
        // that end while the service is stopping, and those runs must be recorded too.
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                finish(done);
            }
        });
        // the engine's run end: the run's report and its graft.runs count
        exchange.getExchangeExtension().addOnCompletion(component.finisher().onCompletion(context));
    }

    private void finish(Exchange exchange) {
        RunContext context = exchange.getProperty(RunContexts.PROPERTY, RunContext.class);
        if (context == null) {
            return;
        }
        Throwable error = exchange.getException();
        String message = error == null ? null : describe(error);
        List<Map<String, Object>> steps = new ArrayList<>();
        context.timings().forEach(t -> steps.add(Map.of("step", t.step(), "seconds", t.seconds())));
        String stepsJson;
        try {
            stepsJson = JSON.writeValueAsString(steps);
        } catch (IOException e) {
            stepsJson = "[]";
        }
        RunRecord record = new RunRecord(context.runId(), context.routeId(), null, null, null,
                error == null ? "succeeded" : "failed", Instant.now().toString(), Instant.now().toString(),
                context.evaluation().map(e -> e.verdict().outcome().name()).orElse(null),
                context.evaluation().map(e -> e.verdict().reason()).orElse(null),
                context.evaluation().map(e -> e.accuracy()).orElse(null),
                context.published().map(p -> p.name()).orElse(null),
                context.published().map(p -> p.version()).orElse(null), message, stepsJson);
        store.finished(record);
        if (error != null) {
            LOG.warn("run {} of route {} failed: {}", context.runId(), context.routeId(), message);
            context.triggerFile().ifPresent(file -> {
                writeErrorFile(file, context, message, error);
                RouteMetrics.of(context).dropQuarantined();
            });
        } else {
            LOG.info("run {} of route {} succeeded{}", context.runId(), context.routeId(),
                    context.published().map(p -> ": published " + p.name() + " v" + p.version()).orElse(""));
        }
        if (listener != null) {
            listener.finished(context, store.get(context.runId()).orElse(record));
        }
    }

    static String describe(Throwable error) {
        Throwable t = error;
        while (t != null && !(t instanceof GraftException) && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        Throwable shown = t instanceof GraftException ? t : error;
        return shown.getMessage() == null ? shown.toString() : shown.getMessage();
    }

    private static void writeErrorFile(Path file, RunContext context, String message, Throwable error) {
        Path failed = file.getParent().resolve(".failed");
        boolean retryable = error instanceof GraftException g && g.retryable();
        String text = "file: " + file.getFileName() + "\nrun: " + context.runId() + "\nroute: " + context.routeId()
                + "\nerror: " + message + "\n"
                + (retryable ? "kind: transient; dropping the file again may succeed\n"
                        : "kind: not retryable; fix the file or the route, then drop it again\n");
        try {
            Files.createDirectories(failed);
            Files.writeString(failed.resolve(file.getFileName() + ".error.txt"), text);
        } catch (IOException e) {
            // the run record already holds the error; losing the side file must not hide the original failure
            LOG.warn("could not write {}.error.txt in {}; the reason is in run {} of the run history: {}",
                    file.getFileName(), failed, context.runId(), e.toString());
        }
    }
}
