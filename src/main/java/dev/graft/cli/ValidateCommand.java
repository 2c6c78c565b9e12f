package dev.graft.cli;

import dev.graft.engine.GraftEngine;
import dev.graft.engine.RouteFileChecker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code graft validate}: checks route files without training. */
@Command(name = "validate", description = "Checks route files (YAML, steps, options) and loads them into Camel without running.")
final class ValidateCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "ROUTE.yaml", description = "Route files.")
    List<Path> files = new ArrayList<>();

    @Mixin
    RouteOptions options;

    @Override
    public Integer call() {
        try (GraftEngine engine = new GraftEngine(options.registry(), options.properties)) {
            for (Path file : files) {
                List<RouteFileChecker.StepUse> uses = engine.check(file);
                List<String> routes = engine.load(file);
                System.out.println(file + ": OK, routes " + routes + ", " + uses.size() + " graft steps");
                for (RouteFileChecker.StepUse use : uses) {
                    System.out.println("  line " + use.line() + ": " + use.step() + " " + use.options());
                }
            }
            engine.prepareRunOnce();
        }
        return 0;
    }
}
