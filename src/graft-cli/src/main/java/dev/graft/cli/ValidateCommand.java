package dev.graft.cli;

import dev.graft.engine.GraftEngine;
import dev.graft.engine.ModelCheck;
import dev.graft.engine.RouteFileChecker;
import dev.graft.engine.StepRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft validate}: checks route files without training. */
@Command(name = "validate", mixinStandardHelpOptions = true, description = "Checks route files (YAML, steps, options), loads them into Camel, and checks "
        + "layer names, slices and heads against the real backbone when it can be reached; never trains.")
final class ValidateCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "ROUTE.yaml", description = "Route files.")
    List<Path> files = new ArrayList<>();

    @Option(names = "--no-model-check", description = "Skip loading backbones and data to check the model surgery.")
    boolean noModelCheck;

    @Mixin
    RouteOptions options;

    @Override
    public Integer call() {
        StepRegistry registry = options.registry();
        try (GraftEngine engine = new GraftEngine(registry, options.properties)) {
            for (Path file : files) {
                List<RouteFileChecker.StepUse> uses = engine.check(file);
                List<String> routes = engine.load(file);
                System.out.println(file + ": OK, routes " + routes + ", " + uses.size() + " graft steps");
                for (RouteFileChecker.StepUse use : uses) {
                    System.out.println("  line " + use.line() + ": " + use.step() + " " + use.options());
                }
                if (!noModelCheck) {
                    for (ModelCheck.RouteReport report : new ModelCheck(registry).check(uses)) {
                        System.out.println("  route " + report.route() + ": model check");
                        report.notes().forEach(n -> System.out.println("    " + n));
                        if (report.summary() != null) {
                            System.out.println("    layers, slices and head fit the model; the model the route trains:");
                            report.summary().lines().forEach(l -> System.out.println("      " + l));
                        }
                    }
                }
            }
            engine.prepareRunOnce();
        }
        return 0;
    }
}
