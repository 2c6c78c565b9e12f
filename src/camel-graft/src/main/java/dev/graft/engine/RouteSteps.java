package dev.graft.engine;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.camel.model.EndpointRequiredDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.util.URISupport;

/**
 * The graft steps a loaded route will run and the models its publish steps name, read from the route definition
 * (nested EIPs included) when the route loads, so its meters can start at zero before the first run.
 *
 * @param steps  the step names in route order, each once
 * @param models the {@code name} options of its {@code publish} steps, placeholders resolved, each once
 */
record RouteSteps(List<String> steps, List<String> models) {

    /** The built-in step that publishes, and its option naming the model. */
    private static final String PUBLISH = "publish";
    private static final String MODEL_OPTION = "name";

    RouteSteps {
        steps = List.copyOf(steps);
        models = List.copyOf(models);
    }

    /** Reads {@code route}; a URI that cannot be parsed is skipped (the route checker has reported it). */
    static RouteSteps of(RouteDefinition route, UnaryOperator<String> placeholders) {
        Set<String> steps = new LinkedHashSet<>();
        Set<String> models = new LinkedHashSet<>();
        walk(route.getOutputs(), placeholders, steps, models);
        return new RouteSteps(new ArrayList<>(steps), new ArrayList<>(models));
    }

    private static void walk(List<ProcessorDefinition<?>> outputs, UnaryOperator<String> placeholders,
                             Set<String> steps, Set<String> models) {
        for (ProcessorDefinition<?> p : outputs) {
            String uri = p instanceof ToDynamicDefinition d ? d.getUri()
                    : p instanceof EndpointRequiredDefinition e ? e.getEndpointUri() : null;
            if (uri != null && uri.trim().startsWith(GraftComponent.SCHEME + ":")) {
                add(uri.trim(), placeholders, steps, models);
            }
            walk(p.getOutputs(), placeholders, steps, models);
        }
    }

    private static void add(String uri, UnaryOperator<String> placeholders, Set<String> steps, Set<String> models) {
        try {
            String rest = placeholders.apply(uri).substring(GraftComponent.SCHEME.length() + 1);
            rest = rest.startsWith("//") ? rest.substring(2) : rest;
            int q = rest.indexOf('?');
            String step = q < 0 ? rest : rest.substring(0, q);
            steps.add(step);
            if (step.equals(PUBLISH) && q >= 0) {
                Map<String, Object> options = URISupport.parseQuery(rest.substring(q + 1), false, true);
                Object model = options.get(MODEL_OPTION);
                if (model != null && !model.toString().isBlank()) {
                    models.add(model.toString());
                }
            }
        } catch (Exception unreadable) {
            // deliberately skipped: the route checker refuses an unreadable graft URI before the route loads
        }
    }
}
