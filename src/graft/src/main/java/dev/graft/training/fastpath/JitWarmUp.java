package dev.graft.training.fastpath;

import dev.graft.training.featurize.CacheKey;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets a JVM ready for featurize-once, on a background thread, at most once per part: has the JIT compile the
 * small head's training loop (0.6-0.9 s of one core) and, with a feature cache, the cache key's hashing and
 * configuration encoding (0.3-0.5 s), which otherwise run interpreted at first: a retrain from the cache took
 * 0.5-0.6 s instead of 0.25-0.3 s. Routes start it when they start, so it overlaps with fetching data rather
 * than with training. Only speed is at stake: a failure is logged at debug level and ignored. Thread-safe.
 */
public final class JitWarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(JitWarmUp.class);
    private static final JitWarmUp SHARED = new JitWarmUp(true);

    private final boolean enabled;
    private final AtomicBoolean kernelsWarm = new AtomicBoolean();
    private final AtomicBoolean cacheWarm = new AtomicBoolean();

    /** @param enabled false for no background work (the first epochs then run uncompiled code) */
    public JitWarmUp(boolean enabled) {
        this.enabled = enabled;
    }

    /** The JVM's warm-up: compiled code is per JVM, so one warm-up serves every run in it. */
    public static JitWarmUp shared() {
        return SHARED;
    }

    /** Starts what is not warm yet; returns at once. */
    public void start(boolean featureCache) {
        if (!enabled || !Boolean.parseBoolean(System.getProperty("graft.warmUp", "true"))) {
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
                    SmallHeadLoop.warmUp(HeadKernels.best());
                }
            } catch (RuntimeException | LinkageError e) {
                LOG.debug("warm-up stopped early ({}); training is only slower to reach full speed", e.toString());
            }
        }, "graft-warm-up");
        t.setDaemon(true);
        t.start();
    }
}
