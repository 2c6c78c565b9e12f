package dev.graft.training.featurize;

import dev.graft.spi.LabeledSet;
import dev.graft.spi.RemoteFeaturization;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frontier features of a run's splits, from the feature cache when it has them, else computed once by the
 * plan (and stored); {@code fromCache} when every split's came from the cache.
 */
public record FrozenFeatures(INDArray[] train, INDArray[] validation, boolean fromCache) {

    private static final Logger LOG = LoggerFactory.getLogger(FrozenFeatures.class);

    public static FrozenFeatures of(FeaturizePlan p, ComputationGraph net, LabeledSet train, LabeledSet validation,
                                        FeatureCache cache, Consumer<String> note) {
        return of(p, net, train, validation, cache, note, (split, done, total) -> { });
    }

    /** As {@link #of(FeaturizePlan, ComputationGraph, LabeledSet, LabeledSet, FeatureCache, Consumer)}, telling {@code watch} how far each computed split has come. */
    public static FrozenFeatures of(FeaturizePlan p, ComputationGraph net, LabeledSet train, LabeledSet validation,
                                        FeatureCache cache, Consumer<String> note, Watch watch) {
        if (cache == null) {
            return new FrozenFeatures(compute(p, net, "train", train, watch),
                    validation == null ? null : compute(p, net, "validation", validation, watch), false);
        }
        // the frozen part is hashed on another thread while this one, helped by idle cores, hashes the inputs
        CompletableFuture<byte[]> frozen = CompletableFuture.supplyAsync(
                () -> digest(() -> CacheKey.modelDigest(net, p), cache));
        byte[] trainData = digest(() -> CacheKey.dataDigest(train.features()), cache);
        byte[] validationData = validation == null ? null
                : digest(() -> CacheKey.dataDigest(validation.features()), cache);
        byte[] model = frozen.join();
        Split t = split(p, net, "train", train, model, trainData, cache, note, watch);
        Split v = validation == null ? null
                : split(p, net, "validation", validation, model, validationData, cache, note, watch);
        return new FrozenFeatures(t.features(), v == null ? null : v.features(), t.hit() && (v == null || v.hit()));
    }

    /**
     * The features of streamed splits, computed batch by batch as their streams decode them, into {@code into}'s
     * mapped file in {@code dir}; the feature cache is not consulted (a streamed set has no in-memory digest yet).
     */
    public static FrozenFeatures streamed(FeaturizePlan p, ComputationGraph net, LabeledSet train,
                                          LabeledSet validation, StreamedFeatures into, java.nio.file.Path dir,
                                          Watch watch) {
        return streamed(p, net, train, validation, into, dir, watch, Optional.empty());
    }

    /**
     * As {@link #streamed(FeaturizePlan, ComputationGraph, LabeledSet, LabeledSet, StreamedFeatures,
     * java.nio.file.Path, Watch)}, on {@code remote}'s workers for each split whose records they can read (an
     * image folder's), in this JVM for the others.
     */
    public static FrozenFeatures streamed(FeaturizePlan p, ComputationGraph net, LabeledSet train,
                                          LabeledSet validation, StreamedFeatures into, java.nio.file.Path dir,
                                          Watch watch, Optional<RemoteFeaturization> remote) {
        FeaturizePlan.Featurizer[] local = new FeaturizePlan.Featurizer[1];
        java.util.function.BiFunction<String, LabeledSet, INDArray[]> one = (name, set) -> {
            java.util.function.IntConsumer done = n -> watch.featurizing(name, n, set.size());
            Optional<RemoteFeaturization.Records> records = remote.isPresent() ? set.stream().records()
                    : Optional.empty();
            if (records.isPresent()) {
                LOG.info("train: featurizing the {} split's {} records on the {} engine's workers", name, set.size(),
                        remote.get().getClass().getSimpleName());
                return into.featurize(remote.get(), records.get(), net, dir, done);
            }
            if (local[0] == null) {
                local[0] = p.featurizer(net);
            }
            return into.featurize(local[0], set.stream(), dir, done);
        };
        INDArray[] t = one.apply("train", train);
        INDArray[] v = validation == null ? null : one.apply("validation", validation);
        String export = System.getProperty(EXPORT_PROPERTY);
        if (export != null && !export.isBlank()) {
            StreamedFeatures.export(java.nio.file.Path.of(export), "train", t);
            if (v != null) {
                StreamedFeatures.export(java.nio.file.Path.of(export), "validation", v);
            }
        }
        return new FrozenFeatures(t, v, false);
    }

    /**
     * System property: a folder that the streamed features of each split are also written to, as raw little-endian
     * float32 files {@code <split>-<output>.f32}, for a script comparing two runs' features
     * (src/graft-spark/standalone-featurize.sh); unset, nothing is written.
     */
    public static final String EXPORT_PROPERTY = "graft.featurize.export";

    /** The digest, or null when it cannot be computed (an array the cache cannot read): no caching then. */
    private static <T> T digest(java.util.function.Supplier<T> digest, FeatureCache cache) {
        try {
            return digest.get();
        } catch (RuntimeException e) {
            LOG.warn("train: cannot compute a feature cache key ({}); ignoring the feature cache '{}' for this "
                    + "run", e.toString(), cache.dir());
            return null;
        }
    }

    /** Told, after each batch of a split whose features are computed, the examples done of all of that split's. */
    @FunctionalInterface
    public interface Watch {
        void featurizing(String split, int done, int total);
    }

    private record Split(INDArray[] features, boolean hit) {
    }

    private static INDArray[] compute(FeaturizePlan p, ComputationGraph net, String name, LabeledSet set, Watch watch) {
        int total = set.size();
        return p.featurize(net, set.features(), 256, done -> watch.featurizing(name, done, total));
    }

    private static Split split(FeaturizePlan p, ComputationGraph net, String name, LabeledSet set, byte[] model,
                               byte[] data, FeatureCache cache, Consumer<String> note, Watch watch) {
        long start = System.nanoTime();
        String key = model == null || data == null ? null : CacheKey.key(model, data);
        if (key == null) {
            return new Split(compute(p, net, name, set, watch), false);
        }
        Optional<INDArray[]> cached = cache.load(key).filter(a -> a.length == p.frontier().size()
                && a[0].size(0) == set.size());
        if (cached.isPresent()) {
            note.accept(String.format("%s features of %d examples came from the feature cache in %.2f s "
                    + "(entry %s)", name, set.size(), (System.nanoTime() - start) / 1e9, cache.entry(key)));
            return new Split(cached.get(), true);
        }
        INDArray[] features = compute(p, net, name, set, watch);
        cache.store(key, features);
        return new Split(features, false);
    }
}
