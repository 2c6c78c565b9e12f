package dev.graft.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.DataSplits;
import dev.graft.engine.GraftEngine;
import dev.graft.engine.StepRegistry;
import dev.graft.spi.RunContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The plugins shipped in plugins/, loaded the way Graft loads them. */
class ShippedPluginsTest {

    private static final StepRegistry REGISTRY = StepRegistry.discover(Path.of("plugins"));

    @TempDir
    Path dir;

    private RunContext run(String... steps) throws IOException {
        StringBuilder yaml = new StringBuilder("- route:\n    id: s\n    from:\n      uri: direct:s\n      steps:\n");
        for (String s : steps) {
            yaml.append("        - to: ").append(s).append('\n');
        }
        Path route = Files.writeString(dir.resolve("s.yaml"), yaml);
        try (GraftEngine engine = new GraftEngine(REGISTRY, Map.of("graft.reports", dir.resolve("reports").toString()))) {
            engine.load(route);
            engine.prepareRunOnce();
            return engine.runOnce("s");
        }
    }

    @Test
    void shippedPluginsLoadWithTheirOrigin() {
        assertThat(REGISTRY.problems()).isEmpty();
        assertThat(REGISTRY.origin("augment-images")).startsWith("plugin ").contains("augment-images");
        assertThat(REGISTRY.origin("notify-webhook")).startsWith("plugin ").contains("notify-webhook");
    }

    @Test
    void augmentImagesAppendsSeededCopiesToTrainingOnly() throws IOException {
        String fetch = "graft:fetch-dataset?classes=5-9&trainLimit=50&testLimit=20";
        RunContext a = run(fetch, "graft:augment-images?copies=2&seed=7");
        RunContext b = run(fetch, "graft:augment-images?copies=2&seed=7");
        RunContext plain = run(fetch);
        DataSplits augmented = a.data().orElseThrow();
        DataSplits original = plain.data().orElseThrow();
        assertThat(augmented.train().size()).isEqualTo(150);
        assertThat(augmented.test().size()).isEqualTo(20);
        assertThat(augmented.test().features()).isEqualTo(original.test().features());
        assertThat(augmented.train().features().get(NDArrayIndex.interval(0, 50))).isEqualTo(original.train().features());
        assertThat(augmented.train().labels().get(NDArrayIndex.interval(50, 100), NDArrayIndex.all()))
                .isEqualTo(original.train().labels());
        var copies = augmented.train().features().get(NDArrayIndex.interval(50, 150));
        assertThat(copies).isEqualTo(b.data().orElseThrow().train().features().get(NDArrayIndex.interval(50, 150)));
        assertThat(copies.get(NDArrayIndex.interval(0, 50))).isNotEqualTo(original.train().features());
        assertThat(copies.minNumber().doubleValue()).isGreaterThanOrEqualTo(0);
        assertThat(copies.maxNumber().doubleValue()).isLessThanOrEqualTo(1);
    }

    @Test
    void augmentImagesRejectsBadOptionsWhenTheRouteLoads() {
        assertThatThrownBy(() -> run("graft:fetch-dataset", "graft:augment-images?flip=2"))
                .hasMessageContaining("augment-images: option 'flip' has a bad value '2'; expected a probability in [0,1]");
    }
}
