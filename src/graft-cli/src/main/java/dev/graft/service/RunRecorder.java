package dev.graft.service;

import dev.graft.evaluation.DriftCheck;
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
import java.util.Objects;
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

    private final java.util.function.BiPredicate<String, String> publishedFrom;
    private final RunStore store;
    private final GraftComponent component;
    private final BooleanSupplier stopping;
    private final RunListener listener;
    private final java.util.function.Predicate<String> movesByTarget;

    /** Told about every finished run (metrics, model server refresh). */
    interface RunListener {
        void finished(RunContext context, RunRecord record);
    }

    /**
     * @param movesByTarget whether a route's file trigger moves drops to {@link Drops#TARGET} (unique names); for
     *                      other routes the error file is named after the drop, as their own {@code moveFailed} does
     * @param publishedFrom whether a route already published a version from a drop's bytes (route id, SHA-256): such
     *                      a drop is never quarantined as poison, since its next run adopts that version
     */
    RunRecorder(RunStore store, GraftComponent component, BooleanSupplier stopping, RunListener listener,
                java.util.function.Predicate<String> movesByTarget,
                java.util.function.BiPredicate<String, String> publishedFrom) {
        this.publishedFrom = publishedFrom;
        this.movesByTarget = movesByTarget;
        this.store = Objects.requireNonNull(store, "store");
        this.component = Objects.requireNonNull(component, "component");
        this.stopping = stopping;
        this.listener = listener;
    }

    @Override
    public void onExchangeBegin(Route route, Exchange exchange) {
        try {
            begin(route, exchange);
        } catch (RuntimeException | Error e) {
            // Camel ignores what a route policy throws and runs the route anyway: the drop gate fails the run instead
            LOG.error("route {}: could not start the run record of an exchange: {}", route.getId(), e.toString(), e);
            exchange.setProperty(Drops.VERDICT, new Drops.Reject("drop: the run could not start (" + e
                    + "); expected a drop whose run can be recorded"));
        }
    }

    private void begin(Route route, Exchange exchange) {
        String routeId = route.getId();
        String filePath = exchange.getIn().getHeader(Exchange.FILE_PATH, String.class);
        Path trigger = filePath == null ? null : Path.of(filePath).toAbsolutePath();
        if (trigger != null) {
            // until the run ends and says otherwise, a drop is quarantined: the safe place if the end is never told
            exchange.setProperty(Drops.TARGET, Drops.freeTarget(trigger.getParent(), ".failed",
                    trigger.getFileName().toString()).toString());
        }
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
        Drops.Verdict verdict = new Drops.Run();
        if (trigger != null && Files.isRegularFile(trigger)) {
            try {
                sha = Sha256.ofFile(trigger);
            } catch (RuntimeException e) {
                LOG.warn("run {}: cannot hash drop {}: {}", runId, trigger.getFileName(), e.toString());
            }
            verdict = Drops.check(trigger, sha, routeId, runId, store, publishedFrom);
            exchange.setProperty(Drops.VERDICT, verdict);
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
                try {
                    finish(done);
                } catch (RuntimeException | Error e) {
                    LOG.error("run {} of route {}: could not record its end: {}", runId, routeId, e.toString(), e);
                }
            }
        });
        if (!(verdict instanceof Drops.Duplicate)) {
            // the engine's run end: the run's report and its graft.runs count (a duplicate runs nothing)
            exchange.getExchangeExtension().addOnCompletion(component.finisher().onCompletion(context));
        }
    }

    private void finish(Exchange exchange) {
        RunContext context = exchange.getProperty(RunContexts.PROPERTY, RunContext.class);
        if (context == null) {
            return;
        }
        Throwable error = exchange.getException();
        String message = error == null ? null : describe(error);
        String duplicateOf = error == null && exchange.getProperty(Drops.VERDICT) instanceof Drops.Duplicate d
                ? d.earlierRunId() : null;
        List<Map<String, Object>> steps = new ArrayList<>();
        context.timings().forEach(t -> steps.add(Map.of("step", t.step(), "seconds", t.seconds())));
        String stepsJson;
        try {
            stepsJson = JSON.writeValueAsString(steps);
        } catch (IOException e) {
            stepsJson = "[]";
        }
        String checksJson = null;
        if (context.attributes().get(DriftCheck.ATTRIBUTE) instanceof List<?> checks && !checks.isEmpty()) {
            try {
                checksJson = JSON.writeValueAsString(checks.stream().map(c -> ((DriftCheck) c).toJson()).toList());
            } catch (IOException e) {
                LOG.warn("run {}: validate-data's checks are not recorded in the run history ({})", context.runId(),
                        e.toString());
            }
        }
        String status = error != null ? "failed" : duplicateOf != null ? "duplicate" : "succeeded";
        RunRecord record = new RunRecord(context.runId(), context.routeId(), null, null, null,
                status, Instant.now().toString(), Instant.now().toString(),
                context.evaluation().map(e -> e.verdict().outcome().name()).orElse(null),
                context.evaluation().map(e -> e.verdict().reason()).orElse(null),
                context.evaluation().map(e -> e.accuracy()).orElse(null),
                context.published().map(p -> p.name()).orElse(null),
                context.published().map(p -> p.version()).orElse(null), message, stepsJson, duplicateOf, checksJson,
                null);
        store.finished(record);
        component.metrics().progress().remove(context.runId());
        String folder = error != null ? ".failed" : duplicateOf != null ? ".duplicate" : ".done";
        boolean unique = movesByTarget.test(context.routeId());
        Path target = context.triggerFile().map(file -> unique
                ? Drops.freeTarget(file.getParent(), folder, file.getFileName().toString())
                : file.getParent().resolve(folder).resolve(file.getFileName()).toAbsolutePath()).orElse(null);
        if (target != null) {
            exchange.setProperty(Drops.TARGET, target.toString());
        }
        if (error != null) {
            LOG.warn("run {} of route {} failed: {}", context.runId(), context.routeId(), message);
            context.triggerFile().ifPresent(file -> {
                writeErrorFile(file, target, context, message, error);
                RouteMetrics.of(context).dropQuarantined();
            });
        } else if (duplicateOf != null) {
            LOG.info("run {} of route {}: {} repeats the bytes of the drop of run {} (SHA-256); nothing ran, moved to {}",
                    context.runId(), context.routeId(), context.triggerFile().map(Path::getFileName).orElse(null),
                    duplicateOf, target);
        } else {
            LOG.info("run {} of route {} succeeded{}", context.runId(), context.routeId(),
                    context.published().map(p -> ": published " + p.name() + " v" + p.version()).orElse(""));
        }
        if (listener != null) {
            listener.finished(context, store.get(context.runId()).orElse(record));
        }
    }

    static String describe(Throwable error) {
        Throwable shown = GraftException.in(error).<Throwable>map(g -> g).orElse(error);
        return shown.getMessage() == null ? shown.toString() : shown.getMessage();
    }

    private static void writeErrorFile(Path file, Path target, RunContext context, String message, Throwable error) {
        Path failed = target.getParent();
        boolean retryable = error instanceof GraftException g && g.retryable();
        String text = "file: " + file.getFileName() + "\nrun: " + context.runId() + "\nroute: " + context.routeId()
                + "\nerror: " + message + "\n"
                + (retryable ? "kind: transient; dropping the file again may succeed\n"
                        : "kind: not retryable; fix the file or the route, then drop it again\n");
        try {
            Files.createDirectories(failed);
            Files.writeString(failed.resolve(target.getFileName() + ".error.txt"), text);
        } catch (IOException e) {
            // the run record already holds the error; losing the side file must not hide the original failure
            LOG.warn("could not write {}.error.txt in {}; the reason is in run {} of the run history: {}",
                    target.getFileName(), failed, context.runId(), e.toString());
        }
    }
}
