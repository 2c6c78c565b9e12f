package dev.graft.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.TinyRoutes;
import dev.graft.data.DataProfile;
import dev.graft.engine.GraftEngine;
import dev.graft.engine.StepRegistry;
import dev.graft.evaluation.DriftCheck;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import dev.graft.spi.RunContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** validate-data through real routes on the embedded Fashion-MNIST sample (the full-data checks are in DataDriftIT). */
class ValidateDataStepTest {

    @TempDir
    Path dir;

    @Test
    void theSampleAgainstItsOwnChampionPassesAndAnotherClassSetFailsTheSchemaEvenWithWarn() throws Exception {
        Path registry = dir.resolve("registry");
        Path champion = TinyRoutes.sampleRoute(dir, "champion", registry, "sample", 1);
        Path same = TinyRoutes.directRoute(dir, "same", """
                - to: graft:fetch-dataset?classes=0-2&trainLimit=300&testLimit=150&seed=99
                - to: graft:validate-data?reference=sample&registry=%s
                """.formatted(registry));
        Path other = TinyRoutes.directRoute(dir, "other", """
                - to: graft:fetch-dataset?classes=0-1&trainLimit=300
                - to: graft:validate-data?reference=sample@1&registry=%s&onDrift=warn
                """.formatted(registry));
        Path skewed = TinyRoutes.directRoute(dir, "skewed", """
                - to: graft:fetch-dataset?classes=0-2&trainLimit=300&limitSample=first
                - to: graft:validate-data?reference=sample&registry=%s&maxClassLinf=0.001&onDrift=warn
                """.formatted(registry));
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of("graft.registry", registry.toString()))) {
            for (Path route : List.of(champion, same, other, skewed)) {
                engine.load(route);
            }
            engine.prepareRunOnce();
            engine.runOnce("champion");
            Path version = new ModelRegistry(registry).resolve("sample", "champion").orElseThrow().directory();
            assertThat(version.resolve(DataProfile.FILE)).exists();
            assertThat(Files.readString(version.resolve("metadata.json"))).contains("\"profile\"");

            RunContext run = engine.runOnce("same");
            List<DriftCheck> checks = checks(run);
            assertThat(checks).extracting(DriftCheck::name).containsExactly("schema", "class-linf", "class-js",
                    "pixel-psi", "embedding-mmd");
            assertThat(checks).allMatch(DriftCheck::passed);
            assertThat(checks.get(4).reason()).startsWith("skipped: sample@1's profile has no feature sample");
            assertThat(checks.get(1).reason()).matches("largest class share difference \\(L-infinity\\) from sample@1 "
                    + "0\\.\\d{4} <= 0\\.1000");

            RunContext warned = engine.runOnce("skewed"); // a 0.001 limit: any sample differs by more
            assertThat(checks(warned).get(1).passed()).isFalse();
            assertThat(checks(warned).get(1).reason()).contains("> 0.001000");

            assertThatThrownBy(() -> engine.runOnce("other")).isInstanceOf(DataException.class)
                    .hasMessageContaining("schema: classes [T-shirt/top, Trouser] are not the reference's [T-shirt/top, Trouser, Pullover]; missing [Pullover]");
        }
    }

    @Test
    void withoutAReferenceVersionNothingIsComparedAndBadOptionsFailWhenTheRouteLoads() throws Exception {
        Path route = TinyRoutes.directRoute(dir, "first", """
                - to: graft:fetch-dataset?classes=0-2&trainLimit=100
                - to: graft:validate-data?reference=nothing-yet&registry=%s
                """.formatted(dir.resolve("registry")));
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of())) {
            engine.load(route);
            engine.prepareRunOnce();
            assertThat(checks(engine.runOnce("first"))).isEmpty();
        }
        assertThatThrownBy(() -> StepRegistry.discover().configure("validate-data", Map.of("reference", "a/b")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("option 'reference' has a bad value 'a/b'");
        assertThatThrownBy(() -> StepRegistry.discover().configure("validate-data", Map.of("reference", "m",
                "maxClassJs", "2"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("expected a number above 0 and at most 1");
        assertThatThrownBy(() -> StepRegistry.discover().configure("validate-data", Map.of("reference", "m",
                "onDrift", "ignore"))).isInstanceOf(ConfigurationException.class).hasMessageContaining("onDrift");
    }

    @SuppressWarnings("unchecked")
    private static List<DriftCheck> checks(RunContext run) {
        return (List<DriftCheck>) run.attributes().get(DriftCheck.ATTRIBUTE);
    }
}
