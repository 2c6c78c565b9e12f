package dev.graft.engine;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.GraftException;
import dev.graft.spi.RunContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
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
 */
public final class GraftEngine implements AutoCloseable {

    private static final String RUN_ENDPOINT = "direct:graft-run-";

    private final DefaultCamelContext camel;
    private final GraftComponent component;
    private final RouteFileChecker checker;
    private final List<String> routeIds = new ArrayList<>();

    /**
     * @param registry   the steps routes may use
     * @param properties values for property placeholders in routes ({@code {{name:default}}}), overriding defaults
     */
    public GraftEngine(StepRegistry registry, Map<String, String> properties) {
        this.camel = new DefaultCamelContext();
        this.component = new GraftComponent(registry);
        camel.addComponent(GraftComponent.SCHEME, component);
        Properties overrides = new Properties();
        overrides.putAll(properties);
        camel.getPropertiesComponent().setOverrideProperties(overrides);
        this.checker = new RouteFileChecker(registry, camel::resolvePropertyPlaceholders);
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
     * @return the ids of the routes the file defined (routes without an id get the file's base name)
     */
    public List<String> load(Path file) {
        checker.check(file);
        return loadResource(file, ResourceHelper.resolveResource(camel, "file:" + file.toAbsolutePath()));
    }

    /**
     * Loads routes from YAML text that was derived from a checked route file (e.g. a copy with another
     * trigger); errors and run records name {@code file}.
     */
    public List<String> loadDerived(Path file, String yaml) {
        String name = "derived-" + file.getFileName().toString().replaceFirst("\\.ya?ml$", "").replace('.', '-') + ".yaml";
        return loadResource(file, ResourceHelper.fromString(name, yaml));
    }

    private List<String> loadResource(Path file, org.apache.camel.spi.Resource resource) {
        Set<String> before = new HashSet<>();
        camel.getRouteDefinitions().forEach(r -> before.add(r.getId()));
        try {
            PluginHelper.getRoutesLoader(camel).loadRoutes(resource);
        } catch (Exception e) {
            throw new ConfigurationException(file + ": Camel could not load the route: " + rootMessage(e), e);
        }
        List<String> added = new ArrayList<>();
        String base = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        int unnamed = 0;
        for (RouteDefinition def : camel.getRouteDefinitions()) {
            if (def.getId() == null) {
                def.setId(unnamed++ == 0 ? base : base + "-" + unnamed);
            }
            if (!before.contains(def.getId())) {
                added.add(def.getId());
                component.recordRouteFile(def.getId(), file);
            }
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
     * Runs one route to completion on the calling thread.
     *
     * @return the run's context, with what every step made
     * @throws GraftException (or another runtime exception) with the cause when a step fails
     */
    public RunContext runOnce(String routeId) {
        RunContext context = new RunContext(RunContexts.newRunId(), routeId, component.routeFile(routeId), null);
        try (ProducerTemplate template = camel.createProducerTemplate()) {
            Exchange result = template.send(RUN_ENDPOINT + routeId,
                    exchange -> exchange.setProperty(RunContexts.PROPERTY, context));
            if (result.getException() != null) {
                throw unwrap(result.getException());
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return context;
    }

    private static RuntimeException unwrap(Throwable e) {
        Throwable t = e;
        while (t != null) {
            if (t instanceof GraftException g) {
                return g;
            }
            t = t.getCause();
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
        camel.stop();
    }
}
