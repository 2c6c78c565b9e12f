package dev.graft.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.metrics.GraftMeters;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteStepsTest {

    @Test
    void loadingTheFashionRouteRegistersItsStepTimersAndPublicationCountersAtZero() throws Exception {
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of())) {
            engine.load(Path.of("routes/fashion-transfer.yaml"));
            var registry = engine.metrics().registry();

            List<String> steps = List.of("fetch-dataset", "load-backbone", "freeze-layers", "build-head", "train",
                    "evaluate", "publish");
            for (String step : steps) {
                for (String outcome : List.of("success", "failure")) {
                    assertThat(registry.get(GraftMeters.STEP_DURATION).tags("route", "fashion-transfer", "step", step,
                            "outcome", outcome).timer().count()).as(step + " " + outcome).isZero();
                }
            }
            assertThat(registry.find(GraftMeters.STEP_DURATION).timers()).hasSize(2 * steps.size());
            for (String outcome : List.of("promoted", "held")) {
                assertThat(registry.get(GraftMeters.PUBLICATIONS).tags("route", "fashion-transfer",
                        "model", "fashion-5-9", "outcome", outcome).counter().count()).isZero();
            }
        }
    }
}
