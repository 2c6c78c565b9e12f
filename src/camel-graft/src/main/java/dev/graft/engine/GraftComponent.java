package dev.graft.engine;

import dev.graft.metrics.GraftMetrics;
import dev.graft.nd4j.NativeHelpers;
import dev.graft.spi.Console;
import dev.graft.training.Tuning;
import dev.graft.training.fastpath.JitWarmUp;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.DefaultComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code graft:} Camel component: {@code graft:<step>?<options>} runs one Graft step.
 *
 * <p>Camel finds it by its scheme ({@code META-INF/services/org/apache/camel/component/graft}) and creates it with
 * the no-argument constructor; it then configures itself from the Camel context when it initialises: the built-in
 * steps plus the plugins of {@link #setPlugins plugins}, Graft's meters in the context's Micrometer registry (a
 * Prometheus one of its own, bound as {@value MicrometerConstants#METRICS_REGISTRY_NAME}, when there is none), and
 * reports beside the published versions. {@code graft run} and {@code graft serve} pass all of that in instead.
 *
 * <p>Options are checked against the step's specs when the endpoint is created, that is when the route
 * starts, before any exchange flows.
 */
public final class GraftComponent extends DefaultComponent {

    /** The scheme the component is registered under. */
    public static final String SCHEME = "graft";
    /** Property naming the plugin folder when the component configures itself; default {@code plugins}. */
    public static final String PLUGINS_PROPERTY = "graft.plugins";

    private static final Logger LOG = LoggerFactory.getLogger(GraftComponent.class);

    private StepRegistry registry;
    private GraftMetrics metrics;
    private boolean ownsMetrics;
    private RunFinisher finisher;
    private JitWarmUp warmUp;
    private final Map<String, Path> routeFiles = new ConcurrentHashMap<>();
    private volatile Console console = StandardConsole.INSTANCE;

    @Metadata(description = "Folder of plugin steps (jars, single-file sources, sub-folders) loaded beside the built-in"
            + " steps; default the property graft.plugins, else plugins (a missing folder means none)")
    private String plugins;

    @Metadata(description = "Folder for the reports of runs that publish nothing, or none for no reports; default the"
            + " property graft.reports, else graft.registry, else registry")
    private String reports;

    /**
     * The component as Camel creates it from its scheme: it finds its steps, meters and report folder itself when
     * the Camel context initialises it.
     */
    public GraftComponent() {
    }

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

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        if (registry != null) {
            return; // configured by its creator (graft run, graft serve)
        }
        Tuning tuning = Tuning.fromSystemProperties();
        NativeHelpers.install(tuning.nativeHelpers()); // a no-op when the CLI's main already did it
        warmUp = new JitWarmUp(tuning);
        registry = StepRegistry.discover(pluginFolder());
        registry.problems().forEach(p -> LOG.warn("graft: plugin left out: {}", p));
        metrics = contextMetrics();
        finisher = RunFinisher.fromProperties(reports != null ? reports : property(GraftEngine.REPORTS_PROPERTY),
                property(GraftEngine.REGISTRY_PROPERTY));
        LOG.info("graft component: {} steps {}, reports {}", registry.names().size(), registry.names(),
                finisher.reportsRoot().map(Path::toString).orElse("off"));
    }

    @Override
    protected void doShutdown() throws Exception {
        if (ownsMetrics) {
            metrics.close();
        }
        super.doShutdown();
    }

    private Path pluginFolder() {
        String folder = plugins != null ? plugins : property(PLUGINS_PROPERTY);
        try {
            Path path = Path.of(folder == null || folder.isBlank() ? "plugins" : folder);
            return Files.isDirectory(path) ? path : null;
        } catch (InvalidPathException e) {
            throw new dev.graft.spi.ConfigurationException("graft component: plugin folder is not a valid path '"
                    + folder + "'; expected a folder path (property " + PLUGINS_PROPERTY + ")", e);
        }
    }

    /** The context's Micrometer registry, else a Prometheus one of the component's own, bound for camel-micrometer. */
    private GraftMetrics contextMetrics() {
        var camelRegistry = getCamelContext().getRegistry();
        MeterRegistry found = camelRegistry.lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                MeterRegistry.class);
        if (found == null) {
            found = camelRegistry.findSingleByType(MeterRegistry.class);
        }
        if (found != null) {
            return GraftMetrics.of(found);
        }
        GraftMetrics own = GraftMetrics.prometheus();
        ownsMetrics = true;
        camelRegistry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class, own.registry());
        return own;
    }

    private String property(String name) {
        return getCamelContext().getPropertiesComponent().resolveProperty(name).orElse(null);
    }

    /** The plugin folder when the component configures itself; see the class comment. */
    public void setPlugins(String plugins) {
        this.plugins = plugins;
    }

    public String getPlugins() {
        return plugins;
    }

    /** The folder for reports of runs that publish nothing when the component configures itself, or {@code none}. */
    public void setReports(String reports) {
        this.reports = reports;
    }

    public String getReports() {
        return reports;
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
        if (!routeFiles.containsKey(routeId)) {
            // the engine did it when it loaded the route; under another runtime, here
            RouteSteps steps = routeSteps(routeId);
            metrics.routeLoaded(routeId, steps.steps(), steps.models());
        }
        return new RunState(runId, routeId, routeFile(routeId), triggerFile, metrics.route(routeId), console);
    }

    public StepRegistry registry() {
        return registry;
    }

    /** Remembers which YAML file a route came from, so runs and errors can name it. */
    public void recordRouteFile(String routeId, Path file) {
        routeFiles.put(routeId, file);
    }

    /**
     * The YAML file of a route: the one the engine recorded, else the {@code file:} resource Camel loaded the route
     * from (under Camel Main, JBang or Spring Boot); null when it was not loaded from a file.
     */
    public Path routeFile(String routeId) {
        if (routeId == null) {
            return null;
        }
        Path recorded = routeFiles.get(routeId);
        if (recorded != null || getCamelContext() == null) {
            return recorded;
        }
        String location = sourceLocation(routeId);
        if (location == null || !location.startsWith("file:")) {
            return null;
        }
        try {
            return Path.of(location.substring("file:".length()));
        } catch (InvalidPathException e) {
            return null; // a location Camel accepted but the file system does not: lineage names no file
        }
    }

    /** The graft steps and published models of a route Camel holds the definition of; none when it holds none. */
    private RouteSteps routeSteps(String routeId) {
        Model model = getCamelContext() == null ? null
                : getCamelContext().getCamelContextExtension().getContextPlugin(Model.class);
        RouteDefinition definition = model == null ? null : model.getRouteDefinition(routeId);
        return definition == null ? new RouteSteps(List.of(), List.of())
                : RouteSteps.of(definition, getCamelContext()::resolvePropertyPlaceholders);
    }

    /** Where Camel loaded a route from: the route's resource, else its definition's (the model keeps it). */
    private String sourceLocation(String routeId) {
        Route route = getCamelContext().getRoute(routeId);
        Resource resource = route == null ? null : route.getSourceResource();
        if (resource == null) {
            Model model = getCamelContext().getCamelContextExtension().getContextPlugin(Model.class);
            RouteDefinition definition = model == null ? null : model.getRouteDefinition(routeId);
            resource = definition == null ? null : definition.getResource();
        }
        if (resource != null && resource.getLocation() != null) {
            return resource.getLocation();
        }
        LOG.debug("route {}: Camel knows no file it came from; its runs' lineage names none", routeId);
        return null;
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
        return new GraftEndpoint(uri, this, remaining, configured);
    }
}
