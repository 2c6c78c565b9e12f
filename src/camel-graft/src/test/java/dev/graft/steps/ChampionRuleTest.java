package dev.graft.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.TinyRoutes;
import dev.graft.engine.GraftEngine;
import dev.graft.engine.StepRegistry;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.RunContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The champion rule: strictly more accurate on the same test examples, or equally accurate and trained on
 * different data; the same data never takes the alias on a tie.
 */
class ChampionRuleTest {

    @Test
    void aTieMovesTheAliasOnlyWhenTheChallengerWasTrainedOnDifferentData() {
        assertThat(EvaluateStep.compare(90, 90, 100, 0, "aaa", "aaa").beats()).isFalse();
        assertThat(EvaluateStep.compare(90, 90, 100, 0, "aaa", "aaa").why())
                .contains("a tie on identical data does not move the alias");
        assertThat(EvaluateStep.compare(90, 90, 100, 0, "bbb", "aaa").beats()).isTrue();
        assertThat(EvaluateStep.compare(90, 90, 100, 0, "bbb", null).beats()).as("champion's data unknown").isTrue();
        assertThat(EvaluateStep.compare(91, 90, 100, 0, "aaa", "aaa").beats()).as("better on the same data").isTrue();
        assertThat(EvaluateStep.compare(89, 90, 100, 0, "bbb", "aaa").beats()).isFalse();
        assertThat(EvaluateStep.compare(91, 90, 100, 0.02, "bbb", "aaa").beats()).as("short of minImprovement").isFalse();
        assertThat(EvaluateStep.compare(92, 90, 100, 0.02, "bbb", "aaa").beats()).isTrue();
        assertThat(EvaluateStep.compare(90, 90, 100, 0.02, "bbb", "aaa").beats()).isFalse();
    }

    @Test
    void theSameBytesUnderAnotherFileNameDoNotDisplaceTheChampionWhileNewDataOnATieDoes(@TempDir Path dir)
            throws Exception {
        Path registry = dir.resolve("registry");
        Path original = TinyRoutes.csvData(dir, 120).resolve("train.csv");
        Path renamed = Files.copy(original, Files.createDirectories(dir.resolve("elsewhere")).resolve("renamed.csv"));
        Path fresh = TinyRoutes.csvData(Files.createDirectories(dir.resolve("more")), 160).resolve("train.csv");

        RunContext first = run(dir, registry, original);
        assertThat(first.published().orElseThrow().aliases()).containsExactly("champion");

        RunContext same = run(dir, registry, renamed);
        String reason = same.evaluation().orElseThrow().verdict().reason();
        assertThat(same.evaluation().orElseThrow().accuracy()).isEqualTo(first.evaluation().orElseThrow().accuracy());
        assertThat(reason).contains("challenger accuracy 1.0000 = champion toy v1's 1.0000")
                .contains("a tie on identical data does not move the alias");
        ModelRegistry models = new ModelRegistry(registry);
        assertThat(models.aliases("toy")).containsEntry("champion", 1);
        assertThat(models.metadata("toy", 2).get("verdict")).isEqualTo(Map.of("outcome", "FAILED", "reason", reason));

        RunContext other = run(dir, registry, fresh);
        assertThat(other.evaluation().orElseThrow().verdict().reason())
                .contains("= champion toy v1's").contains("a tie on new data moves the alias");
        assertThat(models.aliases("toy")).containsEntry("champion", 3);
    }

    private static RunContext run(Path dir, Path registry, Path data) throws Exception {
        Path route = Files.writeString(dir.resolve("tie.yaml"), """
                - route:
                    id: tie
                    from:
                      uri: direct:tie
                      steps:
                        - to: graft:fetch-dataset?source=%s&format=csv&testFraction=0.25
                        - to: graft:create-model?architecture=mlp&seed=1
                        - to: graft:train?epochs=15&batchSize=32&learningRate=0.01
                        - to: graft:evaluate?champion=toy&registry=%s
                        - to: graft:publish?registry=%s&name=toy&alias=champion
                """.formatted(data, registry, registry));
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of("graft.reports", "none"))) {
            engine.load(route);
            engine.prepareRunOnce();
            return engine.runOnce("tie");
        }
    }
}
