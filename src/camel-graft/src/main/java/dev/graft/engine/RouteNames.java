package dev.graft.engine;

import java.nio.file.Path;
import java.util.List;
import org.apache.camel.model.RouteDefinition;

/**
 * The one naming of routes: a route keeps the id its file gives it; the unnamed routes of a file take the
 * file's base name, then {@code <base>-1}, {@code <base>-2}, ... in file order. The engine, the route checker
 * and the service's HTTP twins all name routes here, from Camel's own route definitions.
 */
final class RouteNames {

    private RouteNames() {
    }

    /** Gives every unnamed definition of one file its id; definitions with an id keep it. */
    static void assign(Path file, List<RouteDefinition> definitions) {
        String base = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        int unnamed = 0;
        for (RouteDefinition def : definitions) {
            if (def.getId() == null) {
                def.setId(unnamed++ == 0 ? base : base + "-" + (unnamed - 1));
            }
        }
    }
}
