package dev.graft.metrics;

import java.util.List;

/**
 * The catalogue of Graft's meters: every name, tag key and tag value, in one place.
 *
 * <p>Names are dotted lowercase with the prefix {@code graft.}; the Prometheus registry writes them in snake
 * case, adding {@code _total} to counters, {@code _seconds} to timers and to gauges whose base unit is
 * seconds (so {@code graft.runs} is scraped as {@code graft_runs_total}). Tags are only {@link #ROUTE},
 * {@link #STEP}, {@link #OUTCOME} and {@link #MODEL}, all of low cardinality: never a run id, a file name
 * or a version number. {@code monitoring/README.md} documents each meter; keep the two in step.
 */
public final class GraftMeters {

    private GraftMeters() {
    }

    /** Tag: the Camel route id. */
    public static final String ROUTE = "route";
    /** Tag: the step name after {@code graft:}, e.g. {@code train}. */
    public static final String STEP = "step";
    /** Tag: how something ended; its values depend on the meter (see the constants below). */
    public static final String OUTCOME = "outcome";
    /** Tag: the model name in the registry, e.g. {@code fashion-5-9}. */
    public static final String MODEL = "model";

    /** Outcome of a step or run that ended normally. */
    public static final String SUCCESS = "success";
    /** Outcome of a step or run that threw. */
    public static final String FAILURE = "failure";
    /** Outcome of a featurize-cache lookup that found the features. */
    public static final String HIT = "hit";
    /** Outcome of a featurize-cache lookup that had to compute the features. */
    public static final String MISS = "miss";
    /** Outcome of a publish that moved the route's alias to the new version. */
    public static final String PROMOTED = "promoted";
    /** Outcome of a publish that left the alias where it was (the verdict failed, or no alias is configured). */
    public static final String HELD = "held";

    /** Timer {route, step, outcome}: wall time of each graft step. */
    public static final String STEP_DURATION = "graft.step.duration";
    /** Counter {route, outcome}: runs that ended, successfully or not. */
    public static final String RUNS = "graft.runs";
    /** Gauge {route}, seconds since the epoch: when the route's last successful run ended in this process. */
    public static final String RUN_LAST_SUCCESS = "graft.run.last.success";

    /** Gauge {route}: L-infinity distance of the latest validated data's class shares from the reference's. */
    public static final String DRIFT_CLASS_LINF = "graft.data.drift.class.linf";
    /** Gauge {route}: Jensen-Shannon distance of the latest validated data's class distribution from the reference's. */
    public static final String DRIFT_CLASS_JS = "graft.data.drift.class.js";
    /** Gauge {route}: population stability index of the latest validated data's raw values against the reference's. */
    public static final String DRIFT_PIXEL_PSI = "graft.data.drift.pixel.psi";
    /** Gauge {route}: squared MMD between features at the cut of the latest validated data and the reference's. */
    public static final String DRIFT_EMBEDDING_MMD = "graft.data.drift.embedding.mmd";
    /** Gauge {route}: p-value of the MMD permutation test (low means drift). */
    public static final String DRIFT_EMBEDDING_P = "graft.data.drift.embedding.p";
    /** Gauge {route}: checks the latest validated data failed (schema included); 0 from when the route loads. */
    public static final String DRIFT_FAILED_CHECKS = "graft.data.drift.failed.checks";

    /** Gauge {route}: unlabeled images in the folder {@code watch-drift} watches. */
    public static final String DRIFT_WATCH_IMAGES = "graft.drift.watch.images";
    /** Gauge {route}: squared MMD of the watched images' features at the cut from the reference's training data. */
    public static final String DRIFT_WATCH_MMD = "graft.drift.watch.mmd";
    /** Gauge {route}: p-value of the watched images' MMD permutation test (low means drift). */
    public static final String DRIFT_WATCH_P = "graft.drift.watch.p";
    /** Gauge {route}: 1 while the watched images have drifted (p-value below the step's alpha), else 0 (from load). */
    public static final String DRIFT_WATCH_DRIFTED = "graft.drift.watch.drifted";

    /** Gauge {route}: mean training loss of the latest epoch. */
    public static final String TRAIN_LOSS = "graft.train.loss";
    /** Gauge {route}: training accuracy of the latest epoch. */
    public static final String TRAIN_ACCURACY = "graft.train.accuracy";
    /** Gauge {route}: validation accuracy after the latest epoch (only for routes with a validation split). */
    public static final String TRAIN_VALIDATION_ACCURACY = "graft.train.validation.accuracy";
    /** Gauge {route}: training examples per second in the latest epoch. */
    public static final String TRAIN_SAMPLES_PER_SECOND = "graft.train.samples.per.second";
    /** Gauge {route}: number of the latest finished epoch within its train step, from 1. */
    public static final String TRAIN_EPOCH = "graft.train.epoch";
    /** Timer {route}: wall time of each epoch. */
    public static final String TRAIN_EPOCH_DURATION = "graft.train.epoch.duration";
    /** Counter {route}: epochs whose loss was not finite or more than {@link #DIVERGENCE_FACTOR} times the first. */
    public static final String TRAIN_DIVERGED = "graft.train.diverged";
    /** An epoch loss above this multiple of the train step's first epoch loss counts as diverged. */
    public static final double DIVERGENCE_FACTOR = 2.0;

    /** Counter {route, outcome=hit|miss}: featurize-once lookups; computing the frozen features is a miss. */
    public static final String FEATURIZE_CACHE = "graft.featurize.cache";
    /** Timer {route}: time spent computing frozen features once. */
    public static final String FEATURIZE_DURATION = "graft.featurize.duration";

    /** Counter {route}: examples decoded from the data files. */
    public static final String DATA_EXAMPLES_READ = "graft.data.examples.read";
    /** Counter {route}: examples decoded but left out of every split (class filter, train/test limits). */
    public static final String DATA_EXAMPLES_REJECTED = "graft.data.examples.rejected";
    /**
     * Gauge, untagged (process-wide): decoded batches waiting in the prefetch queues of the streamed passes now open;
     * near 0 while a pass runs means the decoders (the disk) cannot keep up with training.
     */
    public static final String DATA_PREFETCH_QUEUE_DEPTH = "graft.data.prefetch.queue.depth";
    /** Counter, untagged (process-wide), bytes: image files and zip entries read by fetch-dataset's readers. */
    public static final String DATA_READ = "graft.data.read";
    /** Gauge {route}: examples in the latest data set's train, validation and test splits together. */
    public static final String DATA_SIZE = "graft.data.size";
    /** Counter {route}: dropped input files moved to quarantine (incremented by the serve trigger). */
    public static final String DROPS_QUARANTINED = "graft.drops.quarantined";

    /** Gauge {route}: test accuracy of the route's latest evaluated model (the challenger). */
    public static final String EVALUATION_ACCURACY = "graft.evaluation.accuracy";
    /** Gauge {route}: macro precision of the latest challenger. */
    public static final String EVALUATION_PRECISION = "graft.evaluation.precision";
    /** Gauge {route}: macro recall of the latest challenger. */
    public static final String EVALUATION_RECALL = "graft.evaluation.recall";
    /** Gauge {route}: macro F1 of the latest challenger. */
    public static final String EVALUATION_F1 = "graft.evaluation.f1";
    /** Counter {route, outcome=passed|failed|no_gate}: verdicts of the evaluate step. */
    public static final String VERDICTS = "graft.verdicts";

    /** Counter {route, model, outcome=promoted|held}: versions published. */
    public static final String PUBLICATIONS = "graft.publications";
    /** Gauge {route, model}: test accuracy recorded in the champion's metadata. */
    public static final String CHAMPION_ACCURACY = "graft.champion.accuracy";
    /** Gauge {route, model}: macro precision of the champion. */
    public static final String CHAMPION_PRECISION = "graft.champion.precision";
    /** Gauge {route, model}: macro recall of the champion. */
    public static final String CHAMPION_RECALL = "graft.champion.recall";
    /** Gauge {route, model}: macro F1 of the champion. */
    public static final String CHAMPION_F1 = "graft.champion.f1";
    /** Gauge {route, model}: the registry version the champion alias points to. */
    public static final String CHAMPION_VERSION = "graft.champion.version";
    /** Gauge {route, model}, seconds since the epoch: when the champion version was published. */
    public static final String CHAMPION_PUBLISHED = "graft.champion.published";
    /** Gauge {model}: the highest version number of the model in the registry. */
    public static final String REGISTRY_LATEST_VERSION = "graft.registry.latest.version";

    /** Every Graft meter name, for documentation checks. */
    public static final List<String> ALL = List.of(STEP_DURATION, RUNS, RUN_LAST_SUCCESS, TRAIN_LOSS,
            TRAIN_ACCURACY, TRAIN_VALIDATION_ACCURACY, TRAIN_SAMPLES_PER_SECOND, TRAIN_EPOCH, TRAIN_EPOCH_DURATION,
            TRAIN_DIVERGED, FEATURIZE_CACHE, FEATURIZE_DURATION, DATA_EXAMPLES_READ, DATA_EXAMPLES_REJECTED, DATA_SIZE,
            DATA_PREFETCH_QUEUE_DEPTH, DATA_READ,
            DROPS_QUARANTINED, EVALUATION_ACCURACY, EVALUATION_PRECISION, EVALUATION_RECALL, EVALUATION_F1, VERDICTS,
            PUBLICATIONS, CHAMPION_ACCURACY, CHAMPION_PRECISION, CHAMPION_RECALL, CHAMPION_F1, CHAMPION_VERSION,
            CHAMPION_PUBLISHED, REGISTRY_LATEST_VERSION, DRIFT_CLASS_LINF, DRIFT_CLASS_JS, DRIFT_PIXEL_PSI,
            DRIFT_EMBEDDING_MMD, DRIFT_EMBEDDING_P, DRIFT_FAILED_CHECKS, DRIFT_WATCH_IMAGES, DRIFT_WATCH_MMD, DRIFT_WATCH_P,
            DRIFT_WATCH_DRIFTED);
}
