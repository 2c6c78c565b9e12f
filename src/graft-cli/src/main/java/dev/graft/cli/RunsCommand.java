package dev.graft.cli;

import dev.graft.service.RunRecord;
import dev.graft.service.RunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft runs}: the run history of a service. */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "Lists the runs recorded by 'graft serve' (newest first), or shows one.")
final class RunsCommand implements Callable<Integer> {

    @Option(names = "--state", defaultValue = ".graft", description = "The service's state folder (default: ${DEFAULT-VALUE})")
    Path state;

    @Option(names = "--limit", defaultValue = "50", description = "How many runs to list (default: ${DEFAULT-VALUE})")
    int limit;

    @Parameters(arity = "0..1", paramLabel = "RUN-ID", description = "Show this run in full")
    String runId;

    @picocli.CommandLine.Mixin
    JsonOutput output;

    @Override
    public Integer call() {
        Path db = state.resolve("runs.db");
        if (!Files.exists(db)) {
            throw new dev.graft.spi.ConfigurationException("runs: no run history at '" + db + "'; expected the --state "
                    + "folder of a 'graft serve'");
        }
        RunStore store = new RunStore(db);
        if (runId != null) {
            RunRecord r = store.get(runId).orElseThrow(() -> new dev.graft.spi.ConfigurationException(
                    "runs: no run '" + runId + "'; 'graft runs' lists them"));
            if (output.json) {
                JsonOutput.print(r);
                return 0;
            }
            System.out.println(r.toString().replace(", ", "\n  ").replace("RunRecord[", "run\n  ").replaceAll("]$", ""));
            return 0;
        }
        List<RunRecord> runs = store.list(limit);
        if (output.json) {
            JsonOutput.print(runs);
            return 0;
        }
        String row = "%-22s %-16s %-8s %-11s %-7s %-8s %-14s %s";
        System.out.println(StepsCommand.fit(String.format(row, "run", "route", "trigger", "status", "verdict",
                "accuracy", "published", "input / error")));
        for (RunRecord r : runs) {
            System.out.println(StepsCommand.fit(String.format(row, r.id(), r.route(), r.trigger(), r.status(),
                    r.verdict() == null ? "-" : r.verdict(), r.accuracy() == null ? "-" : String.format("%.4f", r.accuracy()),
                    r.model() == null ? "-" : r.model() + " v" + r.version(),
                    r.error() != null ? r.error().lines().findFirst().orElse("") : r.inputFile() == null ? ""
                            : Path.of(r.inputFile()).getFileName())));
        }
        return 0;
    }
}
