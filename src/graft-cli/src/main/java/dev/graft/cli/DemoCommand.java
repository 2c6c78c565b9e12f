package dev.graft.cli;

import dev.graft.registry.ModelRegistry;
import dev.graft.spi.RunContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code graft demo}: pretrains the backbone when absent, then runs the transfer route. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Runs routes/pretrain-backbone.yaml (when the registry has no backbone yet) "
        + "and then routes/fashion-transfer.yaml on the embedded Fashion-MNIST sample.")
final class DemoCommand implements Callable<Integer> {

    static final String BACKBONE = "lenet-fashion-0-4";

    @Option(names = "--routes", description = "Folder holding the demo routes (default: routes)")
    Path routes = Path.of("routes");

    @Mixin
    RunOptions options;

    @Override
    public Integer call() {
        Map<String, String> props = options.routes.properties;
        Path registry = Path.of(props.getOrDefault("graft.registry", "registry"));
        List<Path> files = new ArrayList<>();
        if (new ModelRegistry(registry).resolve(BACKBONE, "champion").isEmpty()) {
            files.add(routes.resolve("pretrain-backbone.yaml"));
        } else {
            System.out.println("graft: backbone " + BACKBONE + " already in " + registry.toAbsolutePath()
                    + "; skipping pretraining");
        }
        files.add(routes.resolve("fashion-transfer.yaml"));
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new dev.graft.spi.ConfigurationException("demo: route file '" + f + "' not found; expected to run "
                        + "from the Graft checkout (or give --routes)");
            }
        }
        List<RunContext> runs = RunCommand.runAll(files, options);
        RunContext transfer = runs.get(runs.size() - 1);
        transfer.evaluation().ifPresent(e -> System.out.printf(Locale.ROOT,
                "%ndemo: transfer to classes 5-9 reached test accuracy %.4f on %d test images%n", e.accuracy(), e.examples()));
        transfer.published().ifPresent(p -> System.out.println("demo: model published as " + p.name() + " version "
                + p.version() + " in " + p.directory() + " (metadata.json beside model.zip)"));
        return 0;
    }
}
