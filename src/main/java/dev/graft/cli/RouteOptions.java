package dev.graft.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options shared by commands that load routes. */
final class RouteOptions {

    @Option(names = {"-p", "--property"}, paramLabel = "NAME=VALUE",
            description = "Sets a route property placeholder, e.g. -p graft.data=/usr/share/datasets/fashion-mnist")
    Map<String, String> properties = new LinkedHashMap<>();
}
