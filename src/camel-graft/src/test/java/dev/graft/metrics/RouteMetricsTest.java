package dev.graft.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.graft.spi.EpochRecord;
import dev.graft.spi.EvaluationResult;
import dev.graft.training.Trainer;
import dev.graft.spi.Verdict;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final GraftMetrics metrics = GraftMetrics.of(registry);
    private final RouteMetrics route = metrics.route("fashion-transfer");

    private double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    private double counter(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    @Test
    void stepDurationsAreTimedByRouteStepAndOutcome() {
        route.stepFinished("train", true, Duration.ofMillis(1500));
        route.stepFinished("train", true, Duration.ofMillis(500));
        route.stepFinished("train", false, Duration.ofMillis(200));

        var ok = registry.get(GraftMeters.STEP_DURATION)
                .tags("route", "fashion-transfer", "step", "train", "outcome", "success").timer();
        assertThat(ok.count()).isEqualTo(2);
        assertThat(ok.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(2000);
        assertThat(registry.get(GraftMeters.STEP_DURATION).tags("step", "train", "outcome", "failure").timer().count())
                .isEqualTo(1);
    }

    @Test
    void aLoadedRouteStartsWithItsRunDropAndCacheCountersAtZero() {
        metrics.routeLoaded("fashion-transfer", java.util.List.of("fetch-dataset", "train"), java.util.List.of("fashion-5-9"));

        assertThat(counter(GraftMeters.RUNS, "route", "fashion-transfer", "outcome", "success")).isZero();
        assertThat(counter(GraftMeters.RUNS, "route", "fashion-transfer", "outcome", "failure")).isZero();
        assertThat(counter(GraftMeters.DROPS_QUARANTINED, "route", "fashion-transfer")).isZero();
        assertThat(counter(GraftMeters.FEATURIZE_CACHE, "outcome", "hit")).isZero();
        assertThat(counter(GraftMeters.FEATURIZE_CACHE, "outcome", "miss")).isZero();
        assertThat(counter(GraftMeters.TRAIN_DIVERGED, "route", "fashion-transfer")).isZero();
        for (String outcome : java.util.List.of("passed", "failed", "no_gate")) {
            assertThat(counter(GraftMeters.VERDICTS, "route", "fashion-transfer", "outcome", outcome)).isZero();
        }
        assertThat(counter(GraftMeters.DATA_EXAMPLES_READ, "route", "fashion-transfer")).isZero();
        assertThat(counter(GraftMeters.DATA_EXAMPLES_REJECTED, "route", "fashion-transfer")).isZero();
        for (String step : java.util.List.of("fetch-dataset", "train")) {
            for (String outcome : java.util.List.of("success", "failure")) {
                assertThat(registry.get(GraftMeters.STEP_DURATION).tags("route", "fashion-transfer", "step", step,
                        "outcome", outcome).timer().count()).isZero();
            }
        }
        for (String outcome : java.util.List.of("promoted", "held")) {
            assertThat(counter(GraftMeters.PUBLICATIONS, "route", "fashion-transfer", "model", "fashion-5-9",
                    "outcome", outcome)).isZero();
        }
    }

    @Test
    void runsAreCountedByOutcomeAndOnlySuccessMovesTheLastSuccessTime() {
        route.runFinished(false);
        assertThat(registry.find(GraftMeters.RUN_LAST_SUCCESS).gauge()).isNull();
        double before = System.currentTimeMillis() / 1000.0;
        route.runFinished(true);

        assertThat(counter(GraftMeters.RUNS, "outcome", "failure")).isEqualTo(1);
        assertThat(counter(GraftMeters.RUNS, "outcome", "success")).isEqualTo(1);
        assertThat(gauge(GraftMeters.RUN_LAST_SUCCESS, "route", "fashion-transfer")).isBetween(before - 1, before + 5);
        assertThat(registry.get(GraftMeters.RUN_LAST_SUCCESS).gauge().getId().getBaseUnit()).isEqualTo("seconds");
    }

    @Test
    void epochGaugesHoldTheLatestEpochAndEpochsAreTimed() {
        Trainer.Progress progress = route.trainingProgress();
        progress.epoch(new EpochRecord(1, 0.9, 0.6, 0.55, Double.NaN, 2.0, 1000, 1e-3), 2);
        progress.epoch(new EpochRecord(2, 0.4, 0.8, 0.75, Double.NaN, 1.0, 2000, 1e-3), 2);

        assertThat(gauge(GraftMeters.TRAIN_LOSS, "route", "fashion-transfer")).isEqualTo(0.4);
        assertThat(gauge(GraftMeters.TRAIN_ACCURACY)).isEqualTo(0.8);
        assertThat(gauge(GraftMeters.TRAIN_VALIDATION_ACCURACY)).isEqualTo(0.75);
        assertThat(gauge(GraftMeters.TRAIN_SAMPLES_PER_SECOND)).isEqualTo(2000);
        assertThat(gauge(GraftMeters.TRAIN_EPOCH)).isEqualTo(2);
        var epochs = registry.get(GraftMeters.TRAIN_EPOCH_DURATION).timer();
        assertThat(epochs.count()).isEqualTo(2);
        assertThat(epochs.totalTime(java.util.concurrent.TimeUnit.SECONDS)).isCloseTo(3.0, within(1e-6));
        assertThat(counter(GraftMeters.TRAIN_DIVERGED)).isZero();
    }

    @Test
    void aRouteWithoutValidationHasNoValidationGauge() {
        route.trainingProgress().epoch(new EpochRecord(1, 0.9, 0.6, Double.NaN, Double.NaN, 2.0, 1000, 1e-3), 1);

        assertThat(registry.find(GraftMeters.TRAIN_VALIDATION_ACCURACY).gauge()).isNull();
        assertThat(gauge(GraftMeters.TRAIN_LOSS)).isEqualTo(0.9);
    }

    @Test
    void aNanLossOrOneOverTwiceTheFirstCountsAsDiverged() {
        Trainer.Progress progress = route.trainingProgress();
        progress.epoch(new EpochRecord(1, 1.0, 0.5, Double.NaN, Double.NaN, 1, 1, 1e-3), 4);
        progress.epoch(new EpochRecord(2, 1.9, 0.5, Double.NaN, Double.NaN, 1, 1, 1e-3), 4);
        assertThat(counter(GraftMeters.TRAIN_DIVERGED)).isZero();
        progress.epoch(new EpochRecord(3, 2.5, 0.5, Double.NaN, Double.NaN, 1, 1, 1e-3), 4);
        progress.epoch(new EpochRecord(4, Double.NaN, 0.5, Double.NaN, Double.NaN, 1, 1, 1e-3), 4);

        assertThat(counter(GraftMeters.TRAIN_DIVERGED, "route", "fashion-transfer")).isEqualTo(2);
        assertThat(gauge(GraftMeters.TRAIN_LOSS)).isNaN();
    }

    @Test
    void computedFeaturesCountAsACacheMissAndAreTimed() {
        route.trainingProgress().featurized(2000, 1.5);

        assertThat(counter(GraftMeters.FEATURIZE_CACHE, "route", "fashion-transfer", "outcome", "miss")).isEqualTo(1);
        assertThat(registry.get(GraftMeters.FEATURIZE_DURATION).timer()
                .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(1500);
    }

    @Test
    void featuresLoadedFromTheFeatureCacheCountAsAHitAndAreNotTimedAsComputing() {
        route.trainingProgress().featuresLoaded(2000, 0.2);

        assertThat(counter(GraftMeters.FEATURIZE_CACHE, "route", "fashion-transfer", "outcome", "hit")).isEqualTo(1);
        assertThat(registry.find(GraftMeters.FEATURIZE_CACHE).tags("outcome", "miss").counter()).isNull();
        assertThat(registry.find(GraftMeters.FEATURIZE_DURATION).timer()).isNull();
    }

    @Test
    void theDataSetCountsReadAndRejectedExamplesAndGaugesItsSize() {
        route.dataset(8000, 2600);
        route.dataset(8000, 2600);

        assertThat(counter(GraftMeters.DATA_EXAMPLES_READ)).isEqualTo(16000);
        assertThat(counter(GraftMeters.DATA_EXAMPLES_REJECTED)).isEqualTo(10800);
        assertThat(gauge(GraftMeters.DATA_SIZE)).isEqualTo(2600);
    }

    @Test
    void evaluationSetsTheChallengerGaugesAndCountsTheVerdict() {
        route.evaluated(new EvaluationResult(0.91, 0.9, 0.89, 0.895, new int[][] {{1}}, 100,
                new Verdict(Verdict.Outcome.NO_GATE, "no gate"), null));
        route.evaluated(new EvaluationResult(0.7, 0.72, 0.69, 0.7, new int[][] {{1}}, 100,
                new Verdict(Verdict.Outcome.FAILED, "accuracy 0.7 < 0.8"), null));

        assertThat(gauge(GraftMeters.EVALUATION_ACCURACY, "route", "fashion-transfer")).isEqualTo(0.7);
        assertThat(gauge(GraftMeters.EVALUATION_PRECISION)).isEqualTo(0.72);
        assertThat(gauge(GraftMeters.EVALUATION_RECALL)).isEqualTo(0.69);
        assertThat(gauge(GraftMeters.EVALUATION_F1)).isEqualTo(0.7);
        assertThat(counter(GraftMeters.VERDICTS, "outcome", "failed")).isEqualTo(1);
        assertThat(counter(GraftMeters.VERDICTS, "outcome", "no_gate")).isEqualTo(1);
    }

    @Test
    void theChampionIsReadFromItsMetadataAndTaggedWithModelAndRoute() {
        Instant published = Instant.parse("2026-11-20T10:15:30Z");
        route.champion(Champion.fromMetadata("fashion-5-9", 3, Map.of("publishedAt", published.toString(),
                "metrics", Map.of("accuracy", 0.93, "precision", 0.92, "recall", 0.91, "f1", 0.915))));
        route.published("fashion-5-9", false, 4);

        String[] tags = {"route", "fashion-transfer", "model", "fashion-5-9"};
        assertThat(gauge(GraftMeters.CHAMPION_ACCURACY, tags)).isEqualTo(0.93);
        assertThat(gauge(GraftMeters.CHAMPION_F1, tags)).isEqualTo(0.915);
        assertThat(gauge(GraftMeters.CHAMPION_VERSION, tags)).isEqualTo(3);
        assertThat(gauge(GraftMeters.CHAMPION_PUBLISHED, tags)).isEqualTo(published.getEpochSecond());
        assertThat(gauge(GraftMeters.REGISTRY_LATEST_VERSION, "model", "fashion-5-9")).isEqualTo(4);
        assertThat(counter(GraftMeters.PUBLICATIONS, "model", "fashion-5-9", "outcome", "held")).isEqualTo(1);
    }

    @Test
    void aChampionPublishedWithoutEvaluationHasNanFigures() {
        Champion c = Champion.fromMetadata("lenet", 1, Map.of("publishedAt", "not a time"));

        assertThat(c.accuracy()).isNaN();
        assertThat(c.publishedAt()).isNull();
        assertThat(c.version()).isEqualTo(1);
    }

    @Test
    void everyMeterFollowsTheNamingAndTagRules() {
        metrics.routeLoaded("fashion-transfer", List.of("train"), List.of("m"));
        route.stepFinished("train", true, Duration.ofSeconds(1));
        route.runFinished(true);
        route.trainingProgress().epoch(new EpochRecord(1, 0.9, 0.6, 0.5, Double.NaN, 2.0, 1000, 1e-3), 1);
        route.trainingProgress().featurized(10, 0.1);
        route.dataset(10, 8);
        route.evaluated(new EvaluationResult(0.9, 0.9, 0.9, 0.9, new int[][] {{1}}, 1,
                new Verdict(Verdict.Outcome.PASSED, "ok"), null));
        route.published("m", true, 1);
        route.champion(new Champion("m", 1, Instant.now(), 0.9, 0.9, 0.9, 0.9));
        route.dropQuarantined();
        // what validate-data and watch-drift set through StepMeters
        for (String drift : List.of(GraftMeters.DRIFT_CLASS_LINF, GraftMeters.DRIFT_CLASS_JS, GraftMeters.DRIFT_PIXEL_PSI,
                GraftMeters.DRIFT_EMBEDDING_MMD, GraftMeters.DRIFT_EMBEDDING_P, GraftMeters.DRIFT_WATCH_IMAGES,
                GraftMeters.DRIFT_WATCH_MMD, GraftMeters.DRIFT_WATCH_P)) {
            route.gauge(drift, "a drift statistic", 0.5);
        }

        List<Meter> meters = registry.getMeters();
        assertThat(meters).extracting(m -> m.getId().getName()).containsExactlyInAnyOrderElementsOf(
                meters.stream().map(m -> m.getId().getName()).filter(GraftMeters.ALL::contains).toList());
        assertThat(meters.stream().map(m -> m.getId().getName()).distinct().sorted().toList())
                .containsExactlyElementsOf(GraftMeters.ALL.stream().sorted().toList());
        for (Meter m : meters) {
            assertThat(m.getId().getName()).matches("graft(\\.[a-z0-9]+)+");
            assertThat(m.getId().getTags()).allSatisfy(t -> assertThat(t.getKey()).isIn("route", "step", "outcome",
                    "model"));
        }
    }
}
