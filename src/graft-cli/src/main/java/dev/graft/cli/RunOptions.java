package dev.graft.cli;

import picocli.CommandLine.Mixin;

/** Options of the commands that run routes once (run, demo): route properties and plugins, and the metrics export. */
final class RunOptions {

    @Mixin
    RouteOptions routes;

    @Mixin
    MetricsOptions metrics;
}
