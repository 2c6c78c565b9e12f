package dev.graft.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.TinyRoutes;
import dev.graft.metrics.GraftMeters;
import dev.graft.spi.DataException;
import dev.graft.spi.RunContext;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a run's end is recorded, through a real CamelContext: run and step meters, Camel's meters, the report. */
class RunEndTest {

    @TempDir
    Path dir;

    private Path csvRoute(String id, String from, Path data, String extraSteps) throws IOException {
        return Files.writeString(dir.resolve(id + ".yaml"), """
                - route:
                    id: %s
                    from:
                      uri: %s
                      steps:
                        - to: graft:fetch-dataset?source=%s&scale=1
                %s
                """.formatted(id, from, data, extraSteps));
    }

    private static double count(MeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    @Test
    void aSuccessfulRunIsCountedTimedStepByStepAndReportedBesideItsVersion() throws IOException {
        Path registry = dir.resolve("registry");
        Path route = TinyRoutes.sampleRoute(dir, "tiny", registry, "tiny", 2);
        RunContext run;
        MeterRegistry meters;
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of("graft.registry", registry.toString()))) {
            engine.load(route);
            engine.prepareRunOnce();
            run = engine.runOnce("tiny");
            meters = engine.metrics().registry();

            assertThat(count(meters, GraftMeters.RUNS, "route", "tiny", "outcome", "success")).isEqualTo(1);
            assertThat(count(meters, GraftMeters.RUNS, "route", "tiny", "outcome", "failure")).isZero();
            for (String step : List.of("fetch-dataset", "create-model", "train", "evaluate", "publish")) {
                assertThat(meters.get(GraftMeters.STEP_DURATION).tags("route", "tiny", "step", step, "outcome", "success")
                        .timer().count()).as(step).isEqualTo(1);
            }
            assertThat(meters.get(GraftMeters.TRAIN_EPOCH).tags("route", "tiny").gauge().value()).isEqualTo(2);
            assertThat(meters.get(GraftMeters.CHAMPION_VERSION).tags("route", "tiny", "model", "tiny").gauge().value())
                    .isEqualTo(1);
            assertThat(meters.get("camel.exchanges.succeeded").tags("routeId", "tiny").counter().count()).isEqualTo(1);
            assertThat(meters.find("jvm.memory.used").gauges()).isNotEmpty();
        }
        Path report = run.published().orElseThrow().directory().resolve("report.html");
        assertThat(run.report()).contains(report.toAbsolutePath());
        assertThat(Files.readString(report)).contains("<span class=\"status succeeded\">succeeded</span>")
                .contains("id=\"loss-chart\" data-points=\"2\"");
        assertThat(registry.resolve("runs")).doesNotExist();
    }

    @Test
    void aFailedRunIsCountedItsStepTimedAsFailureAndReportedUnderRuns() throws IOException {
        Path route = csvRoute("corrupt", "direct:corrupt", TinyRoutes.corruptCsvData(dir), "");
        Path reports = dir.resolve("reports");
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of("graft.reports", reports.toString()))) {
            engine.load(route);
            engine.prepareRunOnce();
            assertThatThrownBy(() -> engine.runOnce("corrupt")).isInstanceOf(DataException.class);
            MeterRegistry meters = engine.metrics().registry();

            assertThat(count(meters, GraftMeters.RUNS, "route", "corrupt", "outcome", "failure")).isEqualTo(1);
            assertThat(count(meters, GraftMeters.RUNS, "route", "corrupt", "outcome", "success")).isZero();
            assertThat(meters.get(GraftMeters.STEP_DURATION).tags("step", "fetch-dataset", "outcome", "failure")
                    .timer().count()).isEqualTo(1);
            // every step's timers start at 0 when the route loads; none of the success ones moved
            assertThat(meters.find(GraftMeters.STEP_DURATION).tags("outcome", "success").timers()).isNotEmpty()
                    .allSatisfy(t -> assertThat(t.count()).isZero());
            assertThat(meters.find(GraftMeters.RUN_LAST_SUCCESS).gauge()).isNull();
        }
        List<Path> written;
        try (Stream<Path> files = Files.walk(reports)) {
            written = files.filter(p -> p.getFileName().toString().equals("report.html")).toList();
        }
        assertThat(written).hasSize(1);
        assertThat(written.get(0).getParent().getParent()).isEqualTo(reports.resolve("runs"));
        assertThat(Files.readString(written.get(0))).contains("status failed")
                .contains("wrong number of fields").contains("<tr class=\"failed\">");
    }

    @Test
    void aRunStartedByTheRoutesOwnTriggerEndsTheSameWay() throws Exception {
        Path route = csvRoute("timed", "timer:timed?repeatCount=1&delay=10", TinyRoutes.csvData(dir, 60), """
                        - to: graft:create-model?architecture=mlp
                        - to: graft:train?epochs=1&batchSize=16
                        - to: graft:evaluate
                """);
        Path reports = dir.resolve("reports");
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of("graft.reports", reports.toString()))) {
            engine.load(route);
            engine.start();
            MeterRegistry meters = engine.metrics().registry();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (count(meters, GraftMeters.RUNS, "route", "timed", "outcome", "success") < 1
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(count(meters, GraftMeters.RUNS, "route", "timed", "outcome", "success")).isEqualTo(1);
            assertThat(meters.get(GraftMeters.EVALUATION_ACCURACY).tags("route", "timed").gauge().value())
                    .isBetween(0.0, 1.0);
        }
        try (Stream<Path> runs = Files.list(reports.resolve("runs"))) {
            assertThat(runs.map(p -> p.resolve("report.html"))).singleElement()
                    .satisfies(p -> assertThat(Files.readString(p)).contains("Route <code>timed</code>"));
        }
    }

    @Test
    void reportsCanBeTurnedOff() throws IOException {
        Path route = csvRoute("quiet", "direct:quiet", TinyRoutes.corruptCsvData(dir), "");
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of("graft.reports", "none",
                "graft.registry", dir.resolve("registry").toString()))) {
            engine.load(route);
            engine.prepareRunOnce();
            assertThatThrownBy(() -> engine.runOnce("quiet")).isInstanceOf(DataException.class);
            assertThat(count(engine.metrics().registry(), GraftMeters.RUNS, "route", "quiet", "outcome", "failure"))
                    .isEqualTo(1);
        }
        assertThat(dir.resolve("registry")).doesNotExist();
    }
}
