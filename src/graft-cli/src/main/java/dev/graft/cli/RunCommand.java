package dev.graft.cli;

import dev.graft.engine.GraftEngine;
import dev.graft.metrics.MetricsServer;
import dev.graft.spi.RunContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code graft run}: runs every route of the given files once, in order. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Runs each route in the given YAML files once, in order; exits non-zero on failure.")
final class RunCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "ROUTE.yaml", description = "Route files.")
    List<Path> files = new ArrayList<>();

    @Mixin
    RunOptions options;

    @Override
    public Integer call() {
        runAll(files, options);
        return 0;
    }

    /**
     * Loads, checks and runs the files' routes once each, serving metrics meanwhile when asked; returns their
     * contexts. With {@code --linger}, metrics stay served after the last run, whether it succeeded or failed.
     */
    static List<RunContext> runAll(List<Path> files, RunOptions settings) {
        RouteOptions options = settings.routes;
        MetricsOptions metrics = settings.metrics;
        metrics.check();
        List<RunContext> runs = new ArrayList<>();
        try (GraftEngine engine = new GraftEngine(options.registry(), options.properties)) {
            MetricsServer server = metrics.start(engine).orElse(null);
            try {
                for (Path file : files) {
                    engine.load(file);
                }
                engine.prepareRunOnce();
                for (String route : engine.routeIds()) {
                    System.out.printf(Locale.ROOT, "graft: route %s (%s) starts, %.1f s after the JVM started%n", route,
                            engine.component().routeFile(route),
                            java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);
                    long start = System.nanoTime();
                    RunContext run = engine.runOnce(route);
                    runs.add(run);
                    System.out.printf(Locale.ROOT, "graft: route %s finished in %.1f s (run %s)%s%n", route,
                            (System.nanoTime() - start) / 1e9, run.runId(), summary(run));
                }
            } finally {
                if (server != null) {
                    metrics.lingerAndStop(server);
                }
            }
        }
        return runs;
    }

    static String summary(RunContext run) {
        StringBuilder s = new StringBuilder();
        run.evaluation().ifPresent(e -> s.append(String.format(Locale.ROOT, "; test accuracy %.4f (%s)", e.accuracy(),
                e.verdict().outcome())));
        run.published().ifPresent(p -> s.append("; published ").append(p.name()).append(" v").append(p.version())
                .append(" at ").append(p.directory()));
        run.report().ifPresent(r -> s.append("; report ").append(r));
        return s.toString();
    }
}
