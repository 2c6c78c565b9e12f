package dev.graft.cli;

import dev.graft.engine.StepRegistry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options shared by commands that load routes. */
final class RouteOptions {

    @Option(names = {"-p", "--property"}, paramLabel = "NAME=VALUE",
            description = "Sets a route property placeholder, e.g. -p graft.data=/usr/share/datasets/fashion-mnist")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(names = "--plugins", paramLabel = "DIR", defaultValue = "plugins",
            description = "Folder of plugin steps (jars, single-file sources, sub-folders); default: ${DEFAULT-VALUE}")
    Path plugins;

    /** The built-in steps plus the plugins, with plugin problems printed as warnings. */
    StepRegistry registry() {
        StepRegistry registry = StepRegistry.discover(plugins);
        for (String problem : registry.problems()) {
            System.err.println("graft: warning: plugin left out: " + problem);
        }
        return registry;
    }
}
