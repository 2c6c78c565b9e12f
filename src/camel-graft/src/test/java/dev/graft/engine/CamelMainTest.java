package dev.graft.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.metrics.GraftMeters;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.RunContext;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's two routes from routes/ under plain {@link Main}, configured only as any Camel user configures it
 * (routes include pattern, a property), against the same routes run the way {@code graft run} runs them: the same
 * test accuracy, the same metadata.json fields (route file included), a report, and Graft's meters in the context's
 * registry. Camel finds the {@code graft:} component by its scheme; nothing of Graft's is called to set it up.
 */
class CamelMainTest {

    private static final Path PRETRAIN = Path.of("routes/pretrain-backbone.yaml");
    private static final Path TRANSFER = Path.of("routes/fashion-transfer.yaml");

    @Test
    void plainCamelMainRunsTheDemoRoutesWithTheSameResultsAsGraftRun(@TempDir Path dir) throws Exception {
        Path viaRun = dir.resolve("graft-run");
        Path viaMain = dir.resolve("camel-main");

        RunContext expected;
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(Path.of("plugins")),
                Map.of("graft.registry", viaRun.toString()))) {
            engine.load(PRETRAIN);
            engine.load(TRANSFER);
            engine.prepareRunOnce();
            engine.runOnce("pretrain-backbone");
            expected = engine.runOnce("fashion-transfer");
        }

        Main main = new Main();
        main.configure().withRoutesIncludePattern("file:" + PRETRAIN + ",file:" + TRANSFER);
        main.addOverrideProperty("graft.registry", viaMain.toString());
        main.start();
        RunContext actual;
        MeterRegistry meters;
        try {
            CamelContext camel = main.getCamelContext();
            try (ProducerTemplate template = camel.createProducerTemplate()) {
                Exchange pretrain = template.send("direct:pretrain-backbone", e -> { });
                assertThat(pretrain.getException()).isNull();
                Exchange transfer = template.send("direct:fashion-transfer", e -> { });
                assertThat(transfer.getException()).isNull();
                actual = transfer.getProperty(RunContexts.PROPERTY, RunContext.class);
            }
            meters = camel.getRegistry().lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                    MeterRegistry.class);
            assertThat(meters).as("the component bound its Prometheus registry for camel-micrometer").isNotNull();
            assertThat(meters.get(GraftMeters.RUNS).tags("route", "fashion-transfer", "outcome", "success").counter()
                    .count()).isEqualTo(1);
            assertThat(meters.get(GraftMeters.RUNS).tags("route", "fashion-transfer", "outcome", "failure").counter()
                    .count()).as("registered at zero").isZero();
        } finally {
            main.stop();
        }

        assertThat(actual.evaluation().orElseThrow().accuracy())
                .isEqualTo(expected.evaluation().orElseThrow().accuracy());
        assertThat(actual.routeFile()).contains(TRANSFER);

        Map<String, Object> runMeta = metadata(viaRun);
        Map<String, Object> mainMeta = metadata(viaMain);
        assertThat(mainMeta.keySet()).containsExactlyElementsOf(runMeta.keySet());
        assertThat(mainMeta.get("routeFile")).isEqualTo(runMeta.get("routeFile")).isEqualTo(TRANSFER.toString());
        assertThat(mainMeta.get("routeId")).isEqualTo("fashion-transfer");
        assertThat(((Map<?, ?>) mainMeta.get("metrics")).get("accuracy"))
                .isEqualTo(((Map<?, ?>) runMeta.get("metrics")).get("accuracy"));
        assertThat(((Map<?, ?>) mainMeta.get("dataset")).get("sha256"))
                .isEqualTo(((Map<?, ?>) runMeta.get("dataset")).get("sha256"));
        Path report = new ModelRegistry(viaMain).resolve("fashion-5-9", "champion").orElseThrow().directory()
                .resolve("report.html");
        assertThat(actual.report()).contains(report);
        assertThat(Files.readString(report)).contains(actual.runId());
        System.out.println("camel-main: fashion-transfer test accuracy " + actual.evaluation().orElseThrow().accuracy()
                + " (graft run's way: " + expected.evaluation().orElseThrow().accuracy() + ")");
    }

    @Test
    void aRunUnderCamelMainKnowsItsRouteFileAndAConfigurationErrorStopsTheRouteFromStarting(@TempDir Path dir)
            throws Exception {
        Path route = Files.writeString(dir.resolve("small.yaml"), """
                - route:
                    id: small
                    from:
                      uri: direct:small
                      steps:
                        - to: graft:fetch-dataset?classes=5-9&trainLimit=50&testLimit=50
                """);
        Main main = new Main();
        main.configure().withRoutesIncludePattern("file:" + route);
        main.addOverrideProperty("graft.reports", "none");
        main.start();
        try (ProducerTemplate template = main.getCamelContext().createProducerTemplate()) {
            Exchange run = template.send("direct:small", e -> { });
            assertThat(run.getException()).isNull();
            RunContext context = run.getProperty(RunContexts.PROPERTY, RunContext.class);
            assertThat(context.routeFile()).contains(route);
            assertThat(context.data().orElseThrow().train().size()).isEqualTo(50);
        } finally {
            main.stop();
        }

        Path typo = Files.writeString(dir.resolve("typo.yaml"), """
                - route:
                    from:
                      uri: direct:typo
                      steps:
                        - to: graft:train?epoch=5
                """);
        Main broken = new Main();
        broken.configure().withRoutesIncludePattern("file:" + typo);
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(broken::start)
                    .hasStackTraceContaining("train: unknown option 'epoch'; expected one of [")
                    .hasStackTraceContaining("did you mean 'epochs'?");
        } finally {
            broken.stop();
        }
    }

    private static Map<String, Object> metadata(Path registry) throws java.io.IOException {
        ModelRegistry models = new ModelRegistry(registry);
        return models.metadata("fashion-5-9", models.resolve("fashion-5-9", "champion").orElseThrow().version());
    }
}
