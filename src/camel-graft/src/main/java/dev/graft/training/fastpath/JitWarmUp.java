package dev.graft.training.fastpath;

import dev.graft.training.Tuning;
import dev.graft.training.featurize.CacheKey;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets a JVM ready for featurize-once, on a background thread, at most once per part: has the JIT compile the
 * small head's training loop (0.6-0.9 s of one core) and, with a feature cache, the cache key's hashing and
 * configuration encoding (0.3-0.5 s), which otherwise run interpreted at first: a retrain from the cache took
 * 0.5-0.6 s instead of 0.25-0.3 s. The engine owns one (compiled code serves every run of the JVM, and a process
 * runs one engine) and starts it when a route whose train step may featurize starts, so it overlaps with fetching
 * data rather than with training. Only speed is at stake: a failure is logged at debug level and ignored.
 * Thread-safe.
 */
public final class JitWarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(JitWarmUp.class);

    private final Tuning tuning;
    private final AtomicBoolean kernelsWarm = new AtomicBoolean();
    private final AtomicBoolean cacheWarm = new AtomicBoolean();

    /** A warm-up of the code paths {@code tuning} chooses; none at all when its {@code warmUp} is off. */
    public JitWarmUp(Tuning tuning) {
        this.tuning = tuning;
    }

    /** A configured step that trains on this JVM's fast path: its route warms up when it starts. */
    public interface Wanted {
        /** True when the step keeps features in a feature cache (its key's code is warmed up too). */
        boolean featureCache();
    }

    /** Starts what is not warm yet; returns at once. */
    public void start(boolean featureCache) {
        if (!tuning.warmUp()) {
            return; // -Dgraft.warmUp=false
        }
        boolean kernels = kernelsWarm.compareAndSet(false, true);
        boolean cache = featureCache && cacheWarm.compareAndSet(false, true);
        if (!kernels && !cache) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                if (cache) { // first: a run needs the cache key before it trains
                    CacheKey.warmUp();
                }
                if (kernels) {
                    SmallHeadLoop.warmUp(HeadKernels.of(tuning));
                }
            } catch (RuntimeException | LinkageError e) {
                LOG.debug("warm-up stopped early ({}); training is only slower to reach full speed", e.toString());
            }
        }, "graft-warm-up");
        t.setDaemon(true);
        t.start();
    }
}
