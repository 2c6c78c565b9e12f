package dev.graft.engine;

import dev.graft.spi.ConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.EndpointRequiredDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.util.URISupport;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/**
 * Reads a route file with Camel's own YAML loader (into a scratch context that is never started), finds every
 * {@code graft:} step in Camel's route definitions with the file and line Camel's source locations give, and
 * checks each against the step registry, so that errors name the file and line and all of them show at once.
 * Not thread-safe: one checker checks one file at a time.
 */
public final class RouteFileChecker {

    /**
     * One {@code graft:} step as written in a route file, placeholders resolved.
     *
     * @param line  the line of the step in the file (for {@code to: {uri:, parameters:}}, the line of {@code to:})
     * @param route the id of the route it belongs to, named as the engine names it ({@link RouteNames})
     */
    public record StepUse(Path file, int line, String step, Map<String, String> options, String uri, String route) {

        /** {@code routes/x.yaml:12}, the prefix of every error about this use. */
        public String where() {
            return file + ":" + line;
        }
    }

    private final StepRegistry registry;
    private final UnaryOperator<String> placeholders;

    /**
     * @param registry     the steps to check against
     * @param placeholders resolves Camel property placeholders such as {@code {{graft.data:default}}}
     */
    public RouteFileChecker(StepRegistry registry, UnaryOperator<String> placeholders) {
        this.registry = registry;
        this.placeholders = placeholders;
    }

    /**
     * Parses and checks one route file.
     *
     * @return every graft step use in file order
     * @throws ConfigurationException listing every problem, each prefixed with {@code file:line}
     */
    public List<StepUse> check(Path file) {
        List<String> problems = new ArrayList<>();
        List<StepUse> uses = new ArrayList<>();
        List<RouteDefinition> routes = definitions(file);
        RouteNames.assign(file, routes);
        for (RouteDefinition route : routes) {
            String from = route.getInput() == null ? null : route.getInput().getEndpointUri();
            if (from != null && isGraft(from)) {
                problems.add(file + ":" + route.getInput().getLineNumber() + ": cannot start a route from '" + from
                        + "'; expected a trigger such as direct:, file: or timer: under 'from:', with graft steps "
                        + "under 'steps:'");
            }
            walk(file, route.getId(), route.getOutputs(), uses, problems);
        }
        for (StepUse use : uses) {
            try {
                registry.configure(use.step(), use.options());
            } catch (ConfigurationException e) {
                for (String message : e.getMessage().split("\n")) {
                    problems.add(use.where() + ": " + message);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(String.join("\n", problems));
        }
        return uses;
    }

    /** The file's route definitions as Camel's YAML DSL reads them, with source locations. */
    static List<RouteDefinition> definitions(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigurationException("route file '" + file + "' does not exist; expected a YAML file "
                    + "such as routes/fashion-transfer.yaml");
        }
        try (DefaultCamelContext scratch = new DefaultCamelContext()) {
            scratch.setSourceLocationEnabled(true);
            PluginHelper.getRoutesLoader(scratch).loadRoutes(ResourceHelper.resolveResource(scratch,
                    "file:" + file.toAbsolutePath()));
            List<RouteDefinition> routes = List.copyOf(scratch.getRouteDefinitions());
            if (routes.isEmpty()) {
                throw new ConfigurationException(file + ": no route found; expected a YAML list of '- route:' entries "
                        + "(see routes/fashion-transfer.yaml)");
            }
            return routes;
        } catch (ConfigurationException e) {
            throw e;
        } catch (Exception e) {
            throw unreadable(file, e);
        }
    }

    private static ConfigurationException unreadable(Path file, Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYamlEngineException yaml) {
                int line = yaml.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
                return new ConfigurationException(file + ":" + line + ": malformed YAML: " + yaml.getProblem()
                        + "; check indentation and quoting near that line", e);
            }
            if (t instanceof IOException io && String.valueOf(io.getMessage()).startsWith("Resource is empty")) {
                return new ConfigurationException(file + ": the route file is empty; expected a YAML list of "
                        + "'- route:' entries (see routes/fashion-transfer.yaml)", e);
            }
        }
        return new ConfigurationException(file + ": Camel could not read the route file: " + e.getMessage(), e);
    }

    private void walk(Path file, String route, List<ProcessorDefinition<?>> outputs, List<StepUse> uses,
                      List<String> problems) {
        for (ProcessorDefinition<?> p : outputs) {
            String uri = p instanceof ToDynamicDefinition d ? d.getUri()
                    : p instanceof EndpointRequiredDefinition e ? e.getEndpointUri() : null;
            if (uri != null && isGraft(uri)) {
                addUse(file, p.getLineNumber(), uri.trim(), route, uses, problems);
            }
            walk(file, route, p.getOutputs(), uses, problems);
        }
    }

    private void addUse(Path file, int line, String uri, String route, List<StepUse> uses, List<String> problems) {
        try {
            String resolved = placeholders.apply(uri);
            String rest = resolved.substring(GraftComponent.SCHEME.length() + 1);
            if (rest.startsWith("//")) {
                rest = rest.substring(2);
            }
            int q = rest.indexOf('?');
            String step = q < 0 ? rest : rest.substring(0, q);
            Map<String, String> options = new LinkedHashMap<>();
            if (q >= 0) {
                URISupport.parseQuery(rest.substring(q + 1), false, true)
                        .forEach((k, v) -> options.put(k, v == null ? "" : v.toString()));
            }
            uses.add(new StepUse(file, line, step, options, uri, route));
        } catch (Exception e) {
            problems.add(file + ":" + line + ": cannot read step URI '" + uri + "': " + e.getMessage());
        }
    }

    private static boolean isGraft(String value) {
        return value.trim().startsWith(GraftComponent.SCHEME + ":");
    }
}
