package dev.graft.training.featurize;

import dev.graft.training.fastpath.LocalTraining;
import dev.graft.io.ByteSize;
import dev.graft.nd4j.ArrayBytes;
import dev.graft.modelio.ModelFiles;
import dev.graft.testing.TinyNets;
import dev.graft.training.Trainer;
import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.HeadLayer;
import dev.graft.spi.EpochRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.DataSplits;
import dev.graft.spi.LabeledSet;
import dev.graft.engine.StepRegistry;
import dev.graft.spi.ConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;

class FeatureCacheTest {

    private static ComputationGraph frozenWithHead(List<String> frozen, List<String> from) {
        ComputationGraph graph = GraphSurgery.freeze(TinyNets.lenetLike(3), frozen);
        return GraphSurgery.withHead(graph, from, HeadLayer.parseAll("dense(16,relu), output(3,softmax)"),
                TinyNets.INPUT, 3, 11);
    }

    private static ComputationGraph frozenWithHead() {
        return frozenWithHead(List.of("conv1", "pool1", "conv2"), List.of("conv2"));
    }

    private static DataSplits data() {
        return TinyNets.splitsWithValidation(96, 40, 30, 3);
    }

    /** Records the console notes of a run. */
    private static final class Notes implements Trainer.Progress {
        final List<String> lines = new ArrayList<>();

        @Override
        public void epoch(EpochRecord record, int epochs) {
        }

        @Override
        public void note(String line) {
            lines.add(line);
        }

        @Override
        public void featurized(int examples, double seconds) {
            lines.add("[computed " + examples + "]");
        }

        @Override
        public void featuresLoaded(int examples, double seconds) {
            lines.add("[loaded " + examples + "]");
        }
    }

    private static Trainer.Result train(ComputationGraph model, DataSplits data, FeatureCache cache, Notes notes) {
        return LocalTraining.train(model, data, new Trainer.Settings(2, 16, new Adam(1e-2), 5, true).withFeatureCache(cache),
                notes);
    }

    private static Trainer.Result train(ComputationGraph model, DataSplits data, FeatureCache cache) {
        return train(model, data, cache, new Notes());
    }

    private static float[] bits(ComputationGraph model) {
        return model.params().data().asFloat();
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(FeatureCache.SUFFIX)).sorted().toList();
        }
    }

    private static long folderBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static DataSplits withTrain(DataSplits d, LabeledSet train) {
        return new DataSplits(train, d.validation(), d.test(), d.classNames(), d.exampleShape(), d.sha256(),
                d.source(), d.examplesRead());
    }

    @Test
    void aSecondTrainOnTheSameFrozenPartAndDataLoadsTheFeaturesAndTrainsBitIdentically(@TempDir Path dir)
            throws IOException {
        FeatureCache cache = new FeatureCache(dir, FeatureCache.DEFAULT_MAX_BYTES);
        ComputationGraph model = frozenWithHead();
        Trainer.Result none = train(model, data(), null);
        Notes coldNotes = new Notes();
        Trainer.Result cold = train(model, data(), cache, coldNotes);
        assertThat(entries(dir)).hasSize(2); // the train and the validation split
        Notes warmNotes = new Notes();
        Trainer.Result warm = train(frozenWithHead(), data(), cache, warmNotes);

        assertThat(cold.history().featuresFromCache()).isFalse();
        assertThat(none.history().featuresFromCache()).isFalse();
        assertThat(warm.history().featurized()).isTrue();
        assertThat(warm.history().featuresFromCache()).isTrue();
        assertThat(bits(cold.model())).containsExactly(bits(none.model()));
        assertThat(bits(warm.model())).containsExactly(bits(cold.model()));
        assertThat(coldNotes.lines).noneMatch(l -> l.contains("feature cache")).contains("[computed 136]")
                .doesNotContain("[loaded 136]");
        assertThat(warmNotes.lines).contains("[loaded 136]").doesNotContain("[computed 136]");
        String trainEntry = dir.resolve(CacheKey.key(CacheKey.modelDigest(GraphSurgery.withTraining(model,
                new Adam(1e-2), List.of()), FeaturizePlan.of(model).orElseThrow()), data().train().features())
                + FeatureCache.SUFFIX).toString();
        assertThat(warmNotes.lines).anyMatch(l -> l.startsWith("train features of 96 examples came from the feature "
                + "cache in ") && l.endsWith("(entry " + trainEntry + ")"));
        assertThat(warmNotes.lines).anyMatch(l -> l.startsWith("validation features of 40 examples came from the "
                + "feature cache"));
        assertThat(warmNotes.lines).anyMatch(l -> l.startsWith("loaded the features of 96 examples at [conv2-flat] "
                + "from the feature cache in "));
    }

    @Test
    void aChangedValidationSplitStillLoadsTheTrainFeatures(@TempDir Path dir) throws IOException {
        FeatureCache cache = new FeatureCache(dir, FeatureCache.DEFAULT_MAX_BYTES);
        train(frozenWithHead(), data(), cache);
        DataSplits other = TinyNets.splitsWithValidation(96, 41, 30, 3);
        Notes notes = new Notes();
        Trainer.Result r = train(frozenWithHead(), other, cache, notes);
        assertThat(notes.lines).anyMatch(l -> l.startsWith("train features of 96 examples came from the feature cache"));
        assertThat(notes.lines).noneMatch(l -> l.startsWith("validation features"));
        assertThat(r.history().featuresFromCache()).isFalse();
        assertThat(notes.lines).contains("[computed 137]"); // some features were computed: a miss for the metrics
        assertThat(entries(dir)).hasSize(3);
        assertThat(bits(r.model())).containsExactly(bits(train(frozenWithHead(), other, null).model()));
    }

    @Test
    void changingAFrozenParameterTheCutOrOneInputValueMisses(@TempDir Path dir) throws IOException {
        FeatureCache cache = new FeatureCache(dir, FeatureCache.DEFAULT_MAX_BYTES);
        train(frozenWithHead(), data(), cache);
        assertThat(train(frozenWithHead(), data(), cache).history().featuresFromCache()).isTrue();

        ComputationGraph nudged = frozenWithHead();
        INDArray w = nudged.getLayer("conv1").getParam("W");
        w.putScalar(0, w.getFloat(0) + 1e-6f);
        assertThat(train(nudged, data(), cache).history().featuresFromCache()).isFalse();

        // same frozen layers, cut one layer earlier: the frontier is pool1 and conv2 trains
        ComputationGraph earlier = GraphSurgery.withHead(GraphSurgery.freeze(TinyNets.lenetLike(3),
                        List.of("conv1", "pool1")), List.of("conv2"), HeadLayer.parseAll("dense(16,relu), output(3,softmax)"),
                TinyNets.INPUT, 3, 11);
        assertThat(FeaturizePlan.of(earlier).orElseThrow().frontier()).containsExactly("pool1");
        assertThat(train(earlier, data(), cache).history().featuresFromCache()).isFalse();

        DataSplits d = data();
        INDArray x = d.train().features().dup();
        x.putScalar(new long[] {50, 0, 3, 4}, x.getFloat(new long[] {50, 0, 3, 4}) + 1e-6f);
        Notes notes = new Notes();
        train(frozenWithHead(), withTrain(d, new LabeledSet(x, d.train().labels())), cache, notes);
        assertThat(notes.lines).noneMatch(l -> l.startsWith("train features"));
        assertThat(notes.lines).anyMatch(l -> l.startsWith("validation features of 40 examples came from the "
                + "feature cache"));
        assertThat(entries(dir)).hasSize(2 + 4 + 1);
    }

    @Test
    void theKeyIgnoresTheOptimiserAndSurvivesASaveAndLoadOfTheModel(@TempDir Path dir) throws IOException {
        ComputationGraph model = frozenWithHead();
        Path file = dir.resolve("model.zip");
        ModelFiles.save(model, file);
        ComputationGraph loaded = ModelFiles.load(file);
        FeaturizePlan plan = FeaturizePlan.of(model).orElseThrow();
        byte[] before = CacheKey.modelDigest(GraphSurgery.withTraining(model, new Adam(1e-2), List.of()), plan);
        byte[] after = CacheKey.modelDigest(GraphSurgery.withTraining(loaded, new Sgd(0.5), List.of()),
                FeaturizePlan.of(loaded).orElseThrow());
        assertThat(after).isEqualTo(before);
        // a trained model's frozen part is unchanged, and so is the key
        Trainer.Result trained = train(model, data(), null);
        assertThat(CacheKey.modelDigest(trained.model(), FeaturizePlan.of(trained.model()).orElseThrow()))
                .isEqualTo(before);
    }

    @Test
    void arraysOfAnyLayoutAreKeyedByTheirValuesAndStoredExactly(@TempDir Path dir) {
        FeatureCache cache = new FeatureCache(dir, FeatureCache.DEFAULT_MAX_BYTES);
        INDArray whole = Nd4j.rand(DataType.FLOAT, 10, 6);
        INDArray view = whole.get(NDArrayIndex.interval(2, 7), NDArrayIndex.all());
        INDArray fOrder = view.dup('f');
        byte[] model = new byte[32];
        assertThat(CacheKey.key(model, view)).isEqualTo(CacheKey.key(model, view.dup('c')))
                .isEqualTo(CacheKey.key(model, fOrder))
                .isNotEqualTo(CacheKey.key(model, whole))
                .isNotEqualTo(CacheKey.key(model, view.reshape(6, 5)));
        String key = CacheKey.key(model, view);
        INDArray other = Nd4j.rand(DataType.FLOAT, 3, 2, 2);
        assertThat(cache.store(key, new INDArray[] {fOrder, other})).isTrue();
        INDArray[] back = cache.load(key).orElseThrow();
        assertThat(back).hasSize(2);
        assertThat(back[0].shape()).containsExactly(5, 6);
        assertThat(back[0].data().asFloat()).containsExactly(view.dup('c').data().asFloat());
        assertThat(back[1].data().asFloat()).containsExactly(other.data().asFloat());
        assertThat(cache.load(CacheKey.key(model, whole))).isEmpty();
        INDArray columns = whole.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 4));
        assertThat(CacheKey.key(model, columns)).isEqualTo(CacheKey.key(model, columns.dup('c')));
    }

    @Test
    void arraysAreHashedAndStoredInWindowsOfAtMostAPieceWithTheSameBytes() throws Exception {
        INDArray x = Nd4j.rand(DataType.FLOAT, 10, 6);
        for (INDArray a : List.of(x, x.dup('f'), x.get(NDArrayIndex.interval(3, 10), NDArrayIndex.all()))) {
            List<Integer> sizes = new java.util.ArrayList<>();
            java.security.MessageDigest pieces = java.security.MessageDigest.getInstance("SHA-256");
            ArrayBytes.windows(a, 50, b -> {
                sizes.add(b.remaining());
                pieces.update(b);
            });
            assertThat(sizes).hasSize((int) Math.ceil(a.length() * 4 / 50.0)).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(50));
            byte[] inPieces = pieces.digest();
            assertThat(inPieces).isEqualTo(digest(a, ArrayBytes.PIECE)).isEqualTo(digest(a.dup('c'), ArrayBytes.PIECE));
            java.nio.ByteBuffer expected = java.nio.ByteBuffer.allocate((int) a.length() * 4)
                    .order(java.nio.ByteOrder.nativeOrder());
            expected.asFloatBuffer().put(a.dup('c').data().asFloat());
            assertThat(inPieces).isEqualTo(digest(List.of(expected)));
        }
    }

    @Test
    void windowsOnACopyStayValidThroughACollection() throws Exception {
        // an 'f'-order input is hashed through a C-order copy that nothing else references: once the windows held
        // only its address, a collection during hashing freed it (a JVM crash when training ran beside the hash)
        INDArray x = Nd4j.rand(DataType.FLOAT, 400, 300).dup('f');
        float[] expected = x.dup('c').data().asFloat();
        java.nio.FloatBuffer seen = java.nio.FloatBuffer.allocate(expected.length);
        ArrayBytes.windows(x, ArrayBytes.PIECE, b -> {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.onSpinWait();
            }
            seen.put(b.asFloatBuffer());
        });
        assertThat(seen.array()).containsExactly(expected);
    }

    private static byte[] digest(INDArray a, long piece) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        ArrayBytes.windows(a, piece, md::update);
        return md.digest();
    }

    private static byte[] digest(List<java.nio.ByteBuffer> pieces) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        pieces.forEach(b -> md.update(b.duplicate()));
        return md.digest();
    }

    @Test
    void aCorruptOrTruncatedEntryIsRecomputedAndOverwrittenWithoutFailingTheRun(@TempDir Path dir) throws IOException {
        FeatureCache cache = new FeatureCache(dir, FeatureCache.DEFAULT_MAX_BYTES);
        Trainer.Result cold = train(frozenWithHead(), data(), cache);
        List<Path> entries = entries(dir);
        byte[] first = Files.readAllBytes(entries.get(0));
        byte[] flipped = first.clone();
        flipped[flipped.length / 2] ^= 0x10;
        Files.write(entries.get(0), flipped);
        byte[] second = Files.readAllBytes(entries.get(1));
        Files.write(entries.get(1), java.util.Arrays.copyOf(second, second.length - 100));

        Trainer.Result recomputed = train(frozenWithHead(), data(), cache);
        assertThat(recomputed.history().featuresFromCache()).isFalse();
        assertThat(bits(recomputed.model())).containsExactly(bits(cold.model()));
        assertThat(Files.readAllBytes(entries.get(0))).isEqualTo(first);
        assertThat(Files.readAllBytes(entries.get(1))).isEqualTo(second);
        assertThat(train(frozenWithHead(), data(), cache).history().featuresFromCache()).isTrue();

        Files.write(entries.get(0), new byte[] {1, 2, 3});
        assertThat(cache.load(entries.get(0).getFileName().toString().replace(FeatureCache.SUFFIX, ""))).isEmpty();
    }

    @Test
    void anUnwritableCacheFolderOnlyWarnsAndTrainingGoesOn(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        FeatureCache cache = new FeatureCache(file.resolve("cache"), FeatureCache.DEFAULT_MAX_BYTES);
        Trainer.Result r = train(frozenWithHead(), data(), cache);
        assertThat(r.history().featurized()).isTrue();
        assertThat(bits(r.model())).containsExactly(bits(train(frozenWithHead(), data(), null).model()));
    }

    @Test
    void evictionDeletesTheLeastRecentlyUsedEntriesUntilTheFolderIsWithinTheCap(@TempDir Path dir)
            throws IOException {
        INDArray features = Nd4j.rand(DataType.FLOAT, 100, 10); // 4000 bytes of data, a little more with the header
        FeatureCache cache = new FeatureCache(dir, 3 * 4200);
        byte[] model = new byte[32];
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            keys.add(CacheKey.key(model, Nd4j.scalar((float) i)));
        }
        Instant now = Instant.now();
        for (int i = 0; i < 3; i++) {
            assertThat(cache.store(keys.get(i), new INDArray[] {features})).isTrue();
            Files.setLastModifiedTime(cache.entry(keys.get(i)), FileTime.from(now.minusSeconds(300 - 60 * i)));
        }
        assertThat(cache.load(keys.get(0))).isPresent(); // a hit makes the oldest entry the most recently used
        Files.writeString(dir.resolve("crashed-1234.tmp"), "half an entry");
        Files.setLastModifiedTime(dir.resolve("crashed-1234.tmp"), FileTime.from(now.minusSeconds(7200)));
        Path crashed = Files.writeString(dir.resolve("." + keys.get(1) + ".features" + dev.graft.io.DurableFiles.TEMP_MARK
                + "0f4c"), "half an entry");
        Files.setLastModifiedTime(crashed, FileTime.from(now.minusSeconds(7200)));

        assertThat(cache.store(keys.get(3), new INDArray[] {features})).isTrue();

        assertThat(entries(dir)).containsExactlyInAnyOrder(cache.entry(keys.get(0)), cache.entry(keys.get(2)),
                cache.entry(keys.get(3)));
        assertThat(folderBytes(dir)).isLessThanOrEqualTo(cache.maxBytes());
        assertThat(dir.resolve("crashed-1234.tmp")).doesNotExist();
        assertThat(crashed).doesNotExist();
    }

    @Test
    void featuresLargerThanTheCapAreNotStored(@TempDir Path dir) throws IOException {
        FeatureCache cache = new FeatureCache(dir, 1000);
        String key = CacheKey.key(new byte[32], Nd4j.scalar(1f));
        assertThat(cache.store(key, new INDArray[] {Nd4j.rand(DataType.FLOAT, 100, 10)})).isFalse();
        assertThat(cache.load(key)).isEmpty();
    }

    @Test
    void sizesTakeBinarySuffixes() {
        assertThat(ByteSize.parse("2g")).isEqualTo(2L << 30);
        assertThat(ByteSize.parse("500M")).isEqualTo(500L << 20);
        assertThat(ByteSize.parse("64kb")).isEqualTo(64L << 10);
        assertThat(ByteSize.parse("12345")).isEqualTo(12345L);
        for (String bad : List.of("", "0", "-1g", "2x", "1.5g", "99999999999999999999")) {
            assertThatThrownBy(() -> ByteSize.parse(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theTrainStepRejectsABadCacheSizeOrAFileAsTheFolderWhenTheRouteLoads(@TempDir Path dir) throws IOException {
        StepRegistry registry = StepRegistry.discover();
        assertThatThrownBy(() -> registry.configure("train", Map.of("featureCache", dir.toString(),
                "featureCacheSize", "lots")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("train: option 'featureCacheSize' has a bad value 'lots'; expected a positive byte count "
                        + "with an optional k, m, g or t suffix, such as 500m or 2g");
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> registry.configure("train", Map.of("featureCache", file.toString())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("train: option 'featureCache' has a bad value '" + file + "'; expected a folder (it is a "
                        + "file)");
        assertThat(registry.configure("train", Map.of("featureCache", dir.resolve("new").toString(),
                "featureCacheSize", "500m"))).isNotNull();
    }
}
