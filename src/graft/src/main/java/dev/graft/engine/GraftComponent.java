package dev.graft.engine;

import dev.graft.metrics.GraftMetrics;
import dev.graft.spi.Console;
import dev.graft.training.Tuning;
import dev.graft.training.fastpath.JitWarmUp;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code graft:} Camel component: {@code graft:<step>?<options>} runs one Graft step.
 *
 * <p>Options are checked against the step's specs when the endpoint is created, that is when the route
 * starts, before any exchange flows.
 */
public final class GraftComponent extends DefaultComponent {

    /** The scheme the component is registered under. */
    public static final String SCHEME = "graft";

    private final StepRegistry registry;
    private final GraftMetrics metrics;
    private final RunFinisher finisher;
    private final JitWarmUp warmUp;
    private final Map<String, Path> routeFiles = new ConcurrentHashMap<>();
    private volatile Console console = StandardConsole.INSTANCE;

    /** A component whose runs record no meters and write no reports. */
    public GraftComponent(StepRegistry registry) {
        this(registry, GraftMetrics.noop(), RunFinisher.metricsOnly(), new JitWarmUp(Tuning.fromSystemProperties()));
    }

    /**
     * @param registry the steps routes may use
     * @param metrics  where steps and runs record meters
     * @param finisher what happens when a run ends (run meters, report)
     * @param warmUp   the JIT warm-up that routes whose train step may featurize start when they start
     */
    public GraftComponent(StepRegistry registry, GraftMetrics metrics, RunFinisher finisher, JitWarmUp warmUp) {
        this.registry = registry;
        this.metrics = metrics;
        this.finisher = finisher;
        this.warmUp = warmUp;
    }

    /** Where runs show their progress lines; standard output unless set (a service may keep runs quiet). */
    public void setConsole(Console console) {
        this.console = console;
    }

    /** The meters of this component's runs. */
    public GraftMetrics metrics() {
        return metrics;
    }

    /** What happens when a run ends. */
    public RunFinisher finisher() {
        return finisher;
    }

    /** A new run context for a route, recording into that route's meters. */
    public RunState newRun(String routeId, Path triggerFile) {
        return newRun(RunContexts.newRunId(), routeId, triggerFile);
    }

    /** A new run context with a run id chosen by the caller (a service that announced it before the run). */
    public RunState newRun(String runId, String routeId, Path triggerFile) {
        return new RunState(runId, routeId, routeFile(routeId), triggerFile, metrics.route(routeId), console);
    }

    public StepRegistry registry() {
        return registry;
    }

    /** Remembers which YAML file a route came from, so runs and errors can name it. */
    public void recordRouteFile(String routeId, Path file) {
        routeFiles.put(routeId, file);
    }

    /** The YAML file of a route, or null when it was not loaded from a file. */
    public Path routeFile(String routeId) {
        return routeId == null ? null : routeFiles.get(routeId);
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        Map<String, String> options = new LinkedHashMap<>();
        parameters.forEach((k, v) -> options.put(k, v == null ? "" : v.toString()));
        // Every option is consumed here: Graft reports unknown ones itself, with the step's valid names.
        parameters.clear();
        StepRegistry.Configured configured = registry.configureStep(remaining, options);
        if (configured.action() instanceof JitWarmUp.Wanted wanted) {
            warmUp.start(wanted.featureCache()); // the route is starting: warm up while it fetches its data
        }
        return new GraftEndpoint(uri, this, configured);
    }
}
