package dev.graft.cli;

import static dev.graft.cli.CliRunner.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.cli.CliRunner.Result;
import dev.graft.registry.ModelRegistry;
import dev.graft.service.RunRecord;
import dev.graft.service.RunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What every command does alike: --help, --json that parses, tables within 100 columns; the registry edits. */
class CliConventionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** Every command and subcommand, as the words that name it after 'graft'. */
    private static List<List<String>> commands(CommandLine cli, List<String> words) {
        List<List<String>> out = new ArrayList<>();
        out.add(words);
        cli.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                List<String> more = new ArrayList<>(words);
                more.add(name);
                out.addAll(commands(sub, more));
            }
        });
        return out;
    }

    @Test
    void everyCommandAnswersHelpWithExitZero() {
        List<List<String>> all = commands(GraftCli.commandLine(), List.of());
        assertThat(all).extracting(w -> String.join(" ", w)).contains("serve", "run", "models search", "models delete",
                "completion", "steps");
        for (List<String> words : all) {
            List<String> args = new ArrayList<>(words);
            args.add("--help");
            Result r = run(args.toArray(String[]::new));
            assertThat(r.code()).as("graft " + String.join(" ", args) + ": " + r.err()).isZero();
            assertThat(r.out()).as("graft " + String.join(" ", args)).contains("Usage:");
        }
    }

    @Test
    void stepsFitOneHundredColumnsAndItsJsonParses() throws Exception {
        Result r = run("steps");
        assertThat(r.code()).isZero();
        assertThat(r.out().lines().filter(l -> l.length() > 100).toList()).isEmpty();
        JsonNode steps = JSON.readTree(run("steps", "--json").out());
        assertThat(steps.size()).isGreaterThan(9);
        assertThat(steps.findValuesAsText("name")).contains("train", "publish");
        Result one = run("steps", "graft:train");
        assertThat(one.out()).startsWith("graft:train").doesNotContain("graft:publish");
        assertThat(JSON.readTree(run("steps", "publish", "--json").out()).get(0).get("options").findValuesAsText("name"))
                .contains("tags", "description");
        Result none = run("steps", "nope");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("no step 'nope'; expected one of [");
    }

    @Test
    void completionPrintsABashScript() {
        Result r = run("completion");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("complete -F").contains("models");
    }

    @Test
    void runsAndModelsPrintJsonThatParses() throws Exception {
        RunStore store = new RunStore(dir.resolve("state/runs.db"));
        store.started(new RunRecord("r1", "csv-drop", "file", "/in/a.csv", "ab", "running", "2026-01-01T00:00:00Z",
                null, null, null, null, null, null, null, null));
        store.finished(new RunRecord("r1", "csv-drop", "file", "/in/a.csv", "ab", "succeeded", "2026-01-01T00:00:00Z",
                "2026-01-01T00:00:05Z", "PASSED", "ok", 0.9, "toy", 1, null, "[{\"step\":\"train\",\"seconds\":1.5}]"));
        assertThat(run("runs", "--state", dir.resolve("state").toString()).out().lines())
                .hasSize(2).allMatch(l -> l.length() <= 100);
        JsonNode runs = JSON.readTree(run("runs", "--state", dir.resolve("state").toString(), "--json").out());
        assertThat(runs.get(0).get("steps").get(0).get("seconds").asDouble()).isEqualTo(1.5);
        assertThat(JSON.readTree(run("runs", "r1", "--state", dir.resolve("state").toString(), "--json").out())
                .get("accuracy").asDouble()).isEqualTo(0.9);
        Path registry = dir.resolve("registry");
        new ModelRegistry(registry).publish("toy", f -> Files.writeString(f, "1"), Map.of(), List.of("champion"));
        JsonNode models = JSON.readTree(run("models", "list", "--registry", registry.toString(), "--json").out());
        assertThat(models.get(0).get("aliases").get("champion").asInt()).isEqualTo(1);
    }

    @Test
    void inspectTakesARegistryReferenceAndPrintsJson(@TempDir Path registry) throws Exception {
        GraftCliTest.publishBackbone(registry);
        Result table = run("inspect", "registry:lenet-fashion-0-4@champion", "--registry", registry.toString());
        assertThat(table.code()).as(table.err()).isZero();
        assertThat(table.out()).contains("conv1").contains("total params");
        JsonNode rows = JSON.readTree(run("inspect", "registry:lenet-fashion-0-4@1", "--registry", registry.toString(),
                "--json").out());
        assertThat(rows.findValuesAsText("name")).contains("conv1", "output");
        Result missing = run("inspect", "registry:lenet-fashion-0-4@staging", "--registry", registry.toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("no 'lenet-fashion-0-4@staging'");
    }

    @Test
    void tagsDescriptionsArchiveDeleteAndSearchFromTheCommandLine() throws Exception {
        Path registry = dir.resolve("registry");
        ModelRegistry models = new ModelRegistry(registry);
        models.publish("toy", f -> Files.writeString(f, "1"), Map.of("metrics", Map.of("accuracy", 0.7)), List.of());
        models.publish("toy", f -> Files.writeString(f, "2"), Map.of("metrics", Map.of("accuracy", 0.9)),
                List.of("champion"));
        String reg = registry.toString();
        assertThat(run("models", "tag", "toy", "1", "old", "csv", "--registry", reg).code()).isZero();
        assertThat(run("models", "tag", "toy", "1", "csv", "--remove", "--registry", reg).out()).contains("tags [old]");
        assertThat(run("models", "describe", "toy", "2", "the good one", "--registry", reg).code()).isZero();
        Result search = run("models", "search", "--metric", "accuracy>=0.8", "--registry", reg);
        assertThat(search.out()).contains("the good one").doesNotContain("old");
        assertThat(search.out().lines()).allMatch(l -> l.length() <= 100);
        assertThat(JSON.readTree(run("models", "search", "--tag", "old", "--json", "--registry", reg).out()).size())
                .isEqualTo(1);
        Result champion = run("models", "delete", "toy", "2", "--registry", reg);
        assertThat(champion.code()).isEqualTo(2);
        assertThat(champion.err()).contains("cannot delete version 2 of 'toy': aliases [champion] point to it");
        assertThat(run("models", "archive", "toy", "1", "--registry", reg).code()).isZero();
        assertThat(JSON.readTree(run("models", "search", "--json", "--registry", reg).out()).size()).isEqualTo(1);
        assertThat(run("models", "delete", "toy", "1", "--registry", reg).code()).isZero();
        assertThat(models.versions("toy")).containsExactly(2);
    }
}
