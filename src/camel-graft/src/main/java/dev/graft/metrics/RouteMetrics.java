package dev.graft.metrics;

import static dev.graft.metrics.GraftMeters.FAILURE;
import static dev.graft.metrics.GraftMeters.HELD;
import static dev.graft.metrics.GraftMeters.HIT;
import static dev.graft.metrics.GraftMeters.MISS;
import static dev.graft.metrics.GraftMeters.MODEL;
import static dev.graft.metrics.GraftMeters.OUTCOME;
import static dev.graft.metrics.GraftMeters.PROMOTED;
import static dev.graft.metrics.GraftMeters.ROUTE;
import static dev.graft.metrics.GraftMeters.STEP;
import static dev.graft.metrics.GraftMeters.SUCCESS;

import dev.graft.spi.EpochRecord;
import dev.graft.spi.EvaluationResult;
import dev.graft.training.Trainer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import dev.graft.spi.RunContext;
import dev.graft.spi.StepMeters;
import dev.graft.spi.Verdict;
import java.time.Duration;
import java.util.Locale;

/**
 * What a run of one route records: Graft's meter catalogue for the built-in steps ({@link #of}), and the
 * generic {@link StepMeters} plugins see through {@link RunContext#meters()}. Every meter it writes carries
 * this route's id; none carries a run id. Thread-safe.
 */
public final class RouteMetrics implements StepMeters {

    private final GraftMetrics metrics;
    private final MeterRegistry registry;
    private final String route;
    private final Tags tags;

    RouteMetrics(GraftMetrics metrics, String route) {
        this.metrics = metrics;
        this.registry = metrics.registry();
        this.route = route;
        this.tags = Tags.of(ROUTE, route);
    }

    /** A recorder whose meters go nowhere, for contexts built outside an engine (tests, tools). */
    public static RouteMetrics noop(String route) {
        return GraftMetrics.noop().route(route);
    }

    /** The route's recorder behind a run's meters; a no-op one when the run is not an engine's. */
    public static RouteMetrics of(RunContext context) {
        return context.meters() instanceof RouteMetrics m ? m : noop(context.routeId());
    }

    @Override
    public void count(String name, String description, double amount) {
        if (amount < 0 || !Double.isFinite(amount)) {
            throw new IllegalArgumentException("counter " + name + ": amount " + amount + "; expected a finite value >= 0");
        }
        Counter.builder(name).description(description).tags(tags).register(registry).increment(amount);
    }

    @Override
    public void gauge(String name, String description, double value) {
        metrics.gauge(name, tags, null, description, value);
    }

    @Override
    public void time(String name, String description, Duration duration) {
        Timer.builder(name).description(description).tags(tags).register(registry).record(duration);
    }

    /** Records where run {@code runId} of this route stands, for the service's run status. */
    public void progress(String runId, RunProgress progress) {
        metrics.progress().report(runId, progress);
    }

    /** The route id every meter of this recorder is tagged with. */
    public String route() {
        return route;
    }

    void registerZeroCounters() {
        runs(SUCCESS);
        runs(FAILURE);
        featurizeCache(HIT);
        featurizeCache(MISS);
        counter(GraftMeters.DROPS_QUARANTINED, tags, "Dropped input files moved to quarantine");
        diverged();
        featurizeTimer();
        for (Verdict.Outcome outcome : Verdict.Outcome.values()) {
            verdicts(outcome);
        }
        examplesRead();
        examplesRejected();
        // 0 until a validate-data or watch-drift step says otherwise, so that alerts on them see every route
        gauge(GraftMeters.DRIFT_FAILED_CHECKS, "Checks the latest validated data failed", 0);
        gauge(GraftMeters.DRIFT_WATCH_DRIFTED, "1 while the watched images have drifted from the reference's "
                + "training data, else 0", 0);
    }

    private Counter verdicts(Verdict.Outcome outcome) {
        return counter(GraftMeters.VERDICTS, tags.and(OUTCOME, outcome.name().toLowerCase(Locale.ROOT)),
                "Verdicts of the evaluate step");
    }

    private Counter examplesRead() {
        return counter(GraftMeters.DATA_EXAMPLES_READ, tags, "Examples decoded from the data files");
    }

    private Counter examplesRejected() {
        return counter(GraftMeters.DATA_EXAMPLES_REJECTED, tags,
                "Examples decoded but left out of every split by the class filter or the limits");
    }

    private Timer featurizeTimer() {
        return Timer.builder(GraftMeters.FEATURIZE_DURATION).description("Time spent computing frozen features once")
                .tags(tags).register(registry);
    }

    private Counter diverged() {
        return counter(GraftMeters.TRAIN_DIVERGED, tags,
                "Epochs whose loss was not finite or over twice the first epoch's");
    }

    /** One graft step ended, normally ({@code success}) or by throwing. */
    public void stepFinished(String step, boolean success, Duration duration) {
        stepTimer(step, success).record(duration);
    }

    /** Registers the step's timers of both outcomes at zero. */
    void registerStep(String step) {
        stepTimer(step, true);
        stepTimer(step, false);
    }

    /** Registers the publication counters of {@code model} (promoted and held) at zero. */
    void registerModel(String model) {
        publications(model, true);
        publications(model, false);
    }

    private Timer stepTimer(String step, boolean success) {
        return Timer.builder(GraftMeters.STEP_DURATION).description("Wall time of each graft step")
                .tags(tags.and(STEP, step, OUTCOME, success ? SUCCESS : FAILURE)).register(registry);
    }

    private Counter publications(String model, boolean promoted) {
        return counter(GraftMeters.PUBLICATIONS, tags.and(MODEL, model, OUTCOME, promoted ? PROMOTED : HELD),
                "Versions published");
    }

    /** A run of the route ended; a success also sets the last-success time to now. */
    public void runFinished(boolean success) {
        runs(success ? SUCCESS : FAILURE).increment();
        if (success) {
            metrics.gauge(GraftMeters.RUN_LAST_SUCCESS, tags, "seconds",
                    "When the route's last successful run ended, seconds since the epoch",
                    System.currentTimeMillis() / 1000.0);
        }
    }

    /** The data set of a run: how many examples the files held and how many the splits kept. */
    public void dataset(long examplesRead, long examplesUsed) {
        examplesRead().increment(examplesRead);
        examplesRejected().increment(Math.max(0, examplesRead - examplesUsed));
        metrics.gauge(GraftMeters.DATA_SIZE, tags, null, "Examples in the latest data set's splits", examplesUsed);
    }

    /**
     * A fresh progress listener for one train step: it sets the latest-epoch gauges after each epoch and counts
     * diverged epochs; combine it with a console listener through {@link Trainer.Progress#and}.
     */
    public Trainer.Progress trainingProgress() {
        Counter diverged = diverged();
        return new Trainer.Progress() {
            private double firstLoss = Double.NaN;

            @Override
            public void epoch(EpochRecord r, int epochs) {
                epochFinished(r);
                if (diverged(r.loss(), firstLoss)) {
                    diverged.increment();
                }
                if (r.epoch() == 1 || Double.isNaN(firstLoss)) {
                    firstLoss = r.loss();
                }
            }

            @Override
            public void featurized(int examples, double seconds) {
                featurizeComputed(Duration.ofNanos((long) (seconds * 1e9)));
            }

            @Override
            public void featuresLoaded(int examples, double seconds) {
                featurizeCacheHit();
            }
        };
    }

    private void epochFinished(EpochRecord r) {
        metrics.gauge(GraftMeters.TRAIN_LOSS, tags, null, "Mean training loss of the latest epoch", r.loss());
        metrics.gauge(GraftMeters.TRAIN_ACCURACY, tags, null, "Training accuracy of the latest epoch",
                r.trainAccuracy());
        if (!Double.isNaN(r.validationAccuracy())) {
            metrics.gauge(GraftMeters.TRAIN_VALIDATION_ACCURACY, tags, null,
                    "Validation accuracy after the latest epoch", r.validationAccuracy());
        }
        metrics.gauge(GraftMeters.TRAIN_SAMPLES_PER_SECOND, tags, null,
                "Training examples per second in the latest epoch", r.samplesPerSecond());
        metrics.gauge(GraftMeters.TRAIN_EPOCH, tags, null, "Number of the latest finished epoch", r.epoch());
        Timer.builder(GraftMeters.TRAIN_EPOCH_DURATION).description("Wall time of each training epoch").tags(tags)
                .register(registry).record(Duration.ofNanos((long) (r.seconds() * 1e9)));
    }

    /** True when a loss is not finite, or exceeds {@link GraftMeters#DIVERGENCE_FACTOR} times the first epoch's. */
    static boolean diverged(double loss, double firstLoss) {
        return !Double.isFinite(loss)
                || (Double.isFinite(firstLoss) && loss > GraftMeters.DIVERGENCE_FACTOR * firstLoss);
    }

    /** Featurize-once computed the frozen features (a cache miss) in the given time. */
    public void featurizeComputed(Duration duration) {
        featurizeCache(MISS).increment();
        featurizeTimer().record(duration);
    }

    /** Featurize-once found the frozen features already computed (a cache hit). */
    public void featurizeCacheHit() {
        featurizeCache(HIT).increment();
    }

    /** The evaluate step measured the route's new model (the challenger) and gave a verdict. */
    public void evaluated(EvaluationResult e) {
        metrics.gauge(GraftMeters.EVALUATION_ACCURACY, tags, null, "Test accuracy of the latest challenger",
                e.accuracy());
        metrics.gauge(GraftMeters.EVALUATION_PRECISION, tags, null, "Macro precision of the latest challenger",
                e.precision());
        metrics.gauge(GraftMeters.EVALUATION_RECALL, tags, null, "Macro recall of the latest challenger",
                e.recall());
        metrics.gauge(GraftMeters.EVALUATION_F1, tags, null, "Macro F1 of the latest challenger", e.f1());
        verdicts(e.verdict().outcome()).increment();
    }

    /**
     * A version was published.
     *
     * @param model         the model name
     * @param promoted      whether the route's alias moved to it
     * @param latestVersion the highest version of the model now in the registry
     */
    public void published(String model, boolean promoted, int latestVersion) {
        publications(model, promoted).increment();
        metrics.gauge(GraftMeters.REGISTRY_LATEST_VERSION, Tags.of(MODEL, model), null,
                "Highest version of the model in the registry", latestVersion);
    }

    /** The champion of a model after a publish moved or held its alias, as its metadata records it. */
    public void champion(Champion c) {
        Tags t = tags.and(MODEL, c.model());
        metrics.gauge(GraftMeters.CHAMPION_ACCURACY, t, null, "Test accuracy of the champion", c.accuracy());
        metrics.gauge(GraftMeters.CHAMPION_PRECISION, t, null, "Macro precision of the champion", c.precision());
        metrics.gauge(GraftMeters.CHAMPION_RECALL, t, null, "Macro recall of the champion", c.recall());
        metrics.gauge(GraftMeters.CHAMPION_F1, t, null, "Macro F1 of the champion", c.f1());
        metrics.gauge(GraftMeters.CHAMPION_VERSION, t, null, "Registry version the champion alias points to",
                c.version());
        metrics.gauge(GraftMeters.CHAMPION_PUBLISHED, t, "seconds",
                "When the champion version was published, seconds since the epoch",
                c.publishedAt() == null ? Double.NaN : c.publishedAt().toEpochMilli() / 1000.0);
    }

    /** A dropped input file was moved to quarantine (bad data); for the serve trigger. */
    public void dropQuarantined() {
        counter(GraftMeters.DROPS_QUARANTINED, tags, "Dropped input files moved to quarantine").increment();
    }

    private Counter runs(String outcome) {
        return counter(GraftMeters.RUNS, tags.and(OUTCOME, outcome), "Runs that ended, by outcome");
    }

    private Counter featurizeCache(String outcome) {
        return counter(GraftMeters.FEATURIZE_CACHE, tags.and(OUTCOME, outcome),
                "Featurize-once lookups; computing the frozen features is a miss");
    }

    private Counter counter(String name, Tags t, String description) {
        return Counter.builder(name).description(description).tags(t).register(registry);
    }
}
