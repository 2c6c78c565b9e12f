package dev.graft.engine;

import dev.graft.metrics.GraftMetrics;
import dev.graft.nd4j.NativeHelpers;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.GraftException;
import dev.graft.spi.RunContext;
import dev.graft.training.Tuning;
import dev.graft.training.fastpath.JitWarmUp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.eventnotifier.MicrometerRouteEventNotifier;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * A Camel context with the {@code graft:} component, loading YAML route files after checking them.
 *
 * <p>Use: {@link #load} each route file, then either {@link #runOnce} (the {@code run} command: every
 * route's trigger is replaced by a direct endpoint and each route runs exactly once) or {@link #start}
 * (the routes' own triggers fire). Not thread-safe for loading; runs may be concurrent.
 *
 * <p>The engine owns the meter registry ({@link #metrics()}): Graft's own meters, Camel's route meters
 * (camel-micrometer's route policy and route events) and the JVM's. Every run, however started, ends in the
 * {@link RunFinisher}, which counts it and writes its report.
 */
public final class GraftEngine implements AutoCloseable {

    private static final String RUN_ENDPOINT = "direct:graft-run-";

    /** Property naming the folder for reports of runs that publish nothing; {@code none} turns reports off. */
    public static final String REPORTS_PROPERTY = "graft.reports";
    /** Property naming the registry folder; reports default to it. */
    public static final String REGISTRY_PROPERTY = "graft.registry";

    private final DefaultCamelContext camel;
    private final GraftComponent component;
    private final RouteFileChecker checker;
    private final List<String> routeIds = new ArrayList<>();
    private final GraftMetrics metrics;

    /**
     * An engine with its own Prometheus meter registry (see {@link #metrics()}).
     *
     * @param registry   the steps routes may use
     * @param properties values for property placeholders in routes ({@code {{name:default}}}), overriding defaults;
     *                   {@value #REPORTS_PROPERTY} sets where reports of runs that publish nothing go (default
     *                   the {@value #REGISTRY_PROPERTY} folder, else {@code registry}; {@code none}: no reports)
     */
    public GraftEngine(StepRegistry registry, Map<String, String> properties) {
        this(registry, properties, GraftMetrics.prometheus());
    }

    /**
     * An engine recording into the given metrics, which it closes with itself; it owns a JIT warm-up (one a
     * process, which runs one engine), started by each route whose train step may featurize when the route starts.
     *
     * @see #GraftEngine(StepRegistry, Map)
     */
    public GraftEngine(StepRegistry registry, Map<String, String> properties, GraftMetrics metrics) {
        Tuning tuning = Tuning.fromSystemProperties(); // the process's; the train step's local engine reads the same
        // a no-op after the CLI's main; for Graft embedded elsewhere this is its start, before any route runs
        NativeHelpers.install(tuning.nativeHelpers());
        this.camel = new DefaultCamelContext();
        camel.setSourceLocationEnabled(true); // route and step definitions carry their file and line
        this.metrics = metrics;
        Properties overrides = new Properties();
        overrides.putAll(properties);
        camel.getPropertiesComponent().setOverrideProperties(overrides);
        this.component = new GraftComponent(registry, metrics, finisher(properties), new JitWarmUp(tuning));
        camel.addComponent(GraftComponent.SCHEME, component);
        camel.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, metrics.registry());
        MicrometerRoutePolicyFactory routePolicy = new MicrometerRoutePolicyFactory();
        routePolicy.setMeterRegistry(metrics.registry());
        camel.addRoutePolicyFactory(routePolicy);
        MicrometerRouteEventNotifier routeEvents = new MicrometerRouteEventNotifier();
        routeEvents.setMeterRegistry(metrics.registry());
        camel.getManagementStrategy().addEventNotifier(routeEvents);
        this.checker = new RouteFileChecker(registry, camel::resolvePropertyPlaceholders);
    }

    private static RunFinisher finisher(Map<String, String> properties) {
        return RunFinisher.fromProperties(properties.get(REPORTS_PROPERTY), properties.get(REGISTRY_PROPERTY));
    }

    /** The engine's meters: Graft's, Camel's and the JVM's. */
    public GraftMetrics metrics() {
        return metrics;
    }

    public GraftComponent component() {
        return component;
    }

    public DefaultCamelContext camel() {
        return camel;
    }

    /** Checks a route file without loading it into Camel. */
    public List<RouteFileChecker.StepUse> check(Path file) {
        return checker.check(file);
    }

    /**
     * Checks a route file and loads its routes into Camel (not started).
     *
     * @return the ids of the routes the file defined, in file order, named by {@link RouteNames}
     */
    public List<String> load(Path file) {
        checker.check(file);
        return loadResource(file, ResourceHelper.resolveResource(camel, "file:" + file.toAbsolutePath()));
    }

    private List<String> loadResource(Path file, org.apache.camel.spi.Resource resource) {
        Set<RouteDefinition> before = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        before.addAll(camel.getRouteDefinitions());
        try {
            PluginHelper.getRoutesLoader(camel).loadRoutes(resource);
        } catch (Exception e) {
            throw new ConfigurationException(file + ": Camel could not load the route: " + rootMessage(e), e);
        }
        List<RouteDefinition> loaded = camel.getRouteDefinitions().stream().filter(d -> !before.contains(d)).toList();
        RouteNames.assign(file, loaded);
        List<String> added = new ArrayList<>();
        for (RouteDefinition def : loaded) {
            added.add(def.getId());
            component.recordRouteFile(def.getId(), file);
            RouteSteps steps = RouteSteps.of(def, camel::resolvePropertyPlaceholders);
            metrics.routeLoaded(def.getId(), steps.steps(), steps.models());
        }
        if (added.isEmpty()) {
            throw new ConfigurationException(file + ": no route found; expected at least one '- route:' entry");
        }
        routeIds.addAll(added);
        return added;
    }

    /** Ids of every loaded route, in load order. */
    public List<String> routeIds() {
        return List.copyOf(routeIds);
    }

    /** Starts Camel with the routes' own triggers. */
    public void start() {
        camel.start();
    }

    /**
     * Replaces every route's trigger with a direct endpoint and starts Camel; then {@link #runOnce} runs
     * a route once. Call once, after loading.
     */
    public void prepareRunOnce() {
        for (String id : routeIds) {
            try {
                AdviceWith.adviceWith(camel, id, a -> a.replaceFromWith(RUN_ENDPOINT + id));
            } catch (Exception e) {
                throw new ConfigurationException("route '" + id + "': cannot prepare a one-off run: " + rootMessage(e), e);
            }
        }
        try {
            camel.start();
        } catch (RuntimeException e) {
            throw unwrap(e);
        }
    }

    /**
     * Runs one route to completion on the calling thread; when it returns or throws, the run has been counted
     * and its report written.
     *
     * @return the run's context, with what every step made
     * @throws GraftException (or another runtime exception) with the cause when a step fails
     */
    public RunContext runOnce(String routeId) {
        RunState context = component.newRun(routeId, null);
        try (ProducerTemplate template = camel.createProducerTemplate()) {
            Exchange result = template.send(RUN_ENDPOINT + routeId, exchange -> {
                exchange.setProperty(RunContexts.PROPERTY, context);
                exchange.getExchangeExtension().addOnCompletion(component.finisher().onCompletion(context));
            });
            if (result.getException() != null) {
                throw unwrap(result.getException());
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return context;
    }

    private static RuntimeException unwrap(Throwable e) {
        Optional<GraftException> graft = GraftException.in(e);
        if (graft.isPresent()) {
            return graft.get();
        }
        if (e instanceof CamelExecutionException && e.getCause() instanceof RuntimeException r) {
            return r;
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (cause: " + t.getMessage() + ")";
    }

    @Override
    public void close() {
        try {
            camel.stop();
        } finally {
            metrics.close();
        }
    }
}
