package dev.graft.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.data.image.Preprocessing;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import dev.graft.spi.DataSplits;
import dev.graft.spi.ExampleStream;
import dev.graft.spi.LabeledSet;
import dev.graft.testing.ColourImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class StreamingTest {

    @TempDir
    Path dir;

    static FetchSpec spec(Path folder, StreamSettings.Mode mode) {
        return spec(folder.toString(), mode);
    }

    static FetchSpec spec(String source, StreamSettings.Mode mode) {
        return new FetchSpec(source, DataFormat.AUTO, 0.25, 0.2, List.of(), false, 0, 0, 255, 7, 0, 0,
                null, LimitSample.STRATIFIED, ReadBudget.defaults(), new InputSpec(3, 12, 12, true, null, null),
                List.of(), new StreamSettings(mode, 3, 2, Duration.ofSeconds(60)));
    }

    /** Every example of a streamed split, in order, read in batches of {@code batch}. */
    static INDArray all(LabeledSet set, int batch) {
        List<INDArray> parts = new ArrayList<>();
        try (ExampleStream.Pass pass = set.stream().open(batch)) {
            for (INDArray x = pass.next(); x != null; x = pass.next()) {
                assertThat(x.size(0)).isLessThanOrEqualTo(batch);
                parts.add(x);
            }
        }
        return Nd4j.concat(0, parts.toArray(INDArray[]::new));
    }

    @Test
    void streamedSplitsHoldTheInMemorySplitsExamplesBitForBitAndTheSameProfile() throws IOException {
        Path folder = ColourImages.write(dir.resolve("colours"), 25, 3);
        DatasetLoader.Profiled memory = DatasetLoader.loadProfiled(spec(folder, StreamSettings.Mode.FALSE), null);
        DatasetLoader.Profiled streamed = DatasetLoader.loadProfiled(spec(folder, StreamSettings.Mode.TRUE), null);
        DataSplits m = memory.data();
        DataSplits s = streamed.data();
        assertThat(m.train().streamed()).isFalse();
        assertThat(s.train().streamed()).isTrue();
        assertThat(s.sha256()).isEqualTo(m.sha256());
        assertThat(s.exampleShape()).containsExactly(3, 12, 12);
        assertThat(s.input()).isEqualTo(m.input());
        DataProfile[] built = new DataProfile[1];
        streamed.streamed().onBuilt(p -> built[0] = p);
        assertThat(streamed.streamed().pending()).containsExactlyInAnyOrder("train", "validation", "test");
        assertThat(all(s.train(), 7)).isEqualTo(m.train().features());
        assertThat(s.train().labels()).isEqualTo(m.train().labels());
        assertThat(all(s.validation(), 64)).isEqualTo(m.validation().features());
        assertThat(s.validation().labels()).isEqualTo(m.validation().labels());
        assertThat(built[0]).isNull();
        assertThat(all(s.test(), 5)).isEqualTo(m.test().features());
        assertThat(s.test().labels()).isEqualTo(m.test().labels());
        assertThat(built[0]).isNotNull();
        assertThat(built[0].splits()).usingRecursiveComparison().isEqualTo(memory.profile().splits());
        assertThat(built[0].splits().get("train").examples()).isEqualTo(m.train().size());
        assertThat(all(s.train(), 16)).isEqualTo(m.train().features()); // a second pass reads the same again
    }

    @Test
    void autoStreamsOnlyWhatExceedsTheMemoryBudget() throws IOException {
        Path folder = ColourImages.write(dir.resolve("colours"), 10, 4);
        FetchSpec auto = spec(folder, StreamSettings.Mode.AUTO);
        assertThat(DatasetLoader.load(auto, null).train().streamed()).isFalse();
        // 30 examples of 3x12x12 floats take 51,840 bytes
        FetchSpec tight = auto.withBudget(ReadBudget.defaults().withMemoryBytes(50_000));
        assertThat(DatasetLoader.load(tight, null).train().streamed()).isTrue();
    }

    /** The splits' examples and labels, each split read in batches of {@code batch}. */
    static void assertSameExamples(DataSplits streamed, DataSplits memory, int batch) {
        assertThat(streamed.train().streamed()).isTrue();
        assertThat(memory.train().streamed()).isFalse();
        assertThat(streamed.classNames()).isEqualTo(memory.classNames());
        assertThat(all(streamed.train(), batch)).isEqualTo(memory.train().features());
        assertThat(streamed.train().labels()).isEqualTo(memory.train().labels());
        if (memory.validation() != null) {
            assertThat(all(streamed.validation(), batch)).isEqualTo(memory.validation().features());
            assertThat(streamed.validation().labels()).isEqualTo(memory.validation().labels());
        }
        assertThat(all(streamed.test(), batch)).isEqualTo(memory.test().features());
        assertThat(streamed.test().labels()).isEqualTo(memory.test().labels());
    }

    @Test
    void aZipStreamsFromItsEntriesWithTheExtractedZipsExamplesAndChecksum() throws IOException {
        Path folder = ColourImages.write(dir.resolve("colours"), 6, 5);
        Path zip = TestData.zipFolder(dir.resolve("colours.zip"), folder, "colours/");
        long before = StreamCounters.bytesRead();
        DataSplits memory = DatasetLoader.load(spec(zip, StreamSettings.Mode.FALSE), null);
        DataSplits streamed = DatasetLoader.load(spec(zip, StreamSettings.Mode.TRUE), null);
        assertThat(streamed.sha256()).isEqualTo(memory.sha256()).isEqualTo(Sha256.ofFile(zip));
        assertSameExamples(streamed, memory, 4);
        assertThat(StreamCounters.bytesRead()).isGreaterThan(before);
        // auto keeps a zip that fits in memory in memory, as before
        assertThat(DatasetLoader.load(spec(zip, StreamSettings.Mode.AUTO), null).train().streamed()).isFalse();
    }

    @Test
    void aStreamedZipsCorruptEntryFailsTheReadNamingTheEntry() throws IOException {
        Path folder = ColourImages.write(dir.resolve("colours"), 3, 5);
        Files.write(folder.resolve("green/001.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2, 3});
        Path zip = TestData.zipFolder(dir.resolve("colours.zip"), folder, "");
        DataSplits streamed = DatasetLoader.load(spec(zip, StreamSettings.Mode.TRUE), null);
        assertThatThrownBy(() -> {
            all(streamed.train(), 2);
            all(streamed.validation(), 2);
            all(streamed.test(), 2);
        }).isInstanceOf(DataException.class).hasMessageContaining("colours.zip!/green/001.png");
    }

    @Test
    void aHostileZipIsRefusedBeforeItStreams() {
        Path zip = TestData.zipEntries(dir.resolve("evil.zip"), java.util.Map.of("../outside/red/1.png", new byte[] {1}));
        assertThatThrownBy(() -> DatasetLoader.load(spec(zip, StreamSettings.Mode.TRUE), null))
                .isInstanceOf(DataException.class).hasMessageContaining("escapes");
    }

    /** A spec for CSV and IDX files: their own shape, default input handling. */
    private static FetchSpec rows(Path source, StreamSettings.Mode mode) {
        return new FetchSpec(source.toString(), DataFormat.AUTO, 0.25, 0.2, List.of(), false, 0, 0, 255, 7, 0, 0,
                "label", LimitSample.STRATIFIED, ReadBudget.defaults(), null, List.of(),
                new StreamSettings(mode, 2, 2, Duration.ofSeconds(60)));
    }

    /** A CSV file of {@code n} rows of 3 features, the label in the middle, quoted fields, CRLF and blank lines. */
    private Path csv(String name, int n, int seed) throws IOException {
        java.util.Random random = new java.util.Random(seed);
        StringBuilder text = new StringBuilder("\uFEFFa,label,\"b\",c\r\n");
        for (int i = 0; i < n; i++) {
            text.append(random.nextInt(256)).append(',').append(i % 3).append(", \"").append(random.nextFloat())
                    .append("\" ,").append(-i).append(i % 7 == 0 ? "\r\n\n" : "\n");
        }
        return Files.writeString(dir.resolve(name), text.toString());
    }

    @Test
    void csvRowsStreamFromTheirOffsetsWithTheInMemoryExamples() throws IOException {
        csv("train.csv", 40, 1);
        csv("test.csv", 9, 2);
        DataSplits memory = DatasetLoader.load(rows(dir, StreamSettings.Mode.FALSE), null);
        DataSplits streamed = DatasetLoader.load(rows(dir, StreamSettings.Mode.TRUE), null);
        assertSameExamples(streamed, memory, 6);
        assertThat(streamed.sha256()).isEqualTo(memory.sha256());
        assertThat(streamed.exampleShape()).containsExactly(3);
        assertThat(streamed.test().size()).isEqualTo(9);
        Path single = csv("one.csv", 30, 3);
        assertSameExamples(DatasetLoader.load(rows(single, StreamSettings.Mode.TRUE), null),
                DatasetLoader.load(rows(single, StreamSettings.Mode.FALSE), null), 4);
    }

    @Test
    void autoStreamsACsvOnlyPastTheMemoryBudget() throws IOException {
        StringBuilder text = new StringBuilder("label");
        for (int f = 0; f < 20; f++) {
            text.append(",f").append(f);
        }
        for (int i = 0; i < 200; i++) {
            text.append('\n').append(i % 2);
            for (int f = 0; f < 20; f++) {
                text.append(',').append((i * 31 + f * 7) % 256);
            }
        }
        Path file = Files.writeString(dir.resolve("wide.csv"), text + "\n");
        FetchSpec auto = rows(file, StreamSettings.Mode.AUTO);
        assertThat(DatasetLoader.load(auto, null).train().streamed()).isFalse();
        // 200 rows of 20 floats take 16,000 bytes decoded, the index of their offsets 5,120
        DataSplits tight = DatasetLoader.load(auto.withBudget(ReadBudget.defaults().withMemoryBytes(10_000)), null);
        assertThat(tight.train().streamed()).isTrue();
        assertSameExamples(tight, DatasetLoader.load(rows(file, StreamSettings.Mode.FALSE), null), 50);
    }

    @Test
    void aStreamedCsvReportsABadRowAsTheInMemoryReaderDoes() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.csv"), "label,a\n0,1\n1,x\n");
        assertThatThrownBy(() -> DatasetLoader.load(rows(file, StreamSettings.Mode.TRUE), null))
                .isInstanceOf(DataException.class).hasMessageContaining("non-numeric value 'x'")
                .hasMessageContaining("line 3");
        assertThatThrownBy(() -> DatasetLoader.load(rows(file, StreamSettings.Mode.FALSE), null))
                .isInstanceOf(DataException.class).hasMessageContaining("non-numeric value 'x'")
                .hasMessageContaining("line 3");
    }

    @Test
    void aCsvRecordSpanningLinesCannotStreamAndSaysSo() throws IOException {
        Path file = Files.writeString(dir.resolve("multi.csv"), "label,a,note\n0,1,\"two\nlines\"\n1,2,x\n"
                + "0,3,y\n1,4,z\n");
        assertThatThrownBy(() -> DatasetLoader.load(rows(file, StreamSettings.Mode.TRUE), null))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("one record a line")
                .hasMessageContaining("stream=false");
    }

    @Test
    void rawIdxImagesStreamFromTheirOffsetsWithTheInMemoryExamples() {
        Path idx = TestData.idxFolder(dir.resolve("idx"), TestData.cyclicLabels(30, 3), TestData.cyclicLabels(8, 3),
                false);
        DataSplits memory = DatasetLoader.load(rows(idx, StreamSettings.Mode.FALSE), null);
        DataSplits streamed = DatasetLoader.load(rows(idx, StreamSettings.Mode.TRUE), null);
        assertSameExamples(streamed, memory, 4);
        assertThat(streamed.sha256()).isEqualTo(memory.sha256());
        assertThat(streamed.exampleShape()).containsExactly(1, TestData.ROWS, TestData.COLS);
        assertThat(streamed.test().size()).isEqualTo(8);
    }

    @Test
    void gzippedIdxRefusesStreamTrueNamingTheFixAndAutoReadsItIntoMemory() {
        Path idx = TestData.idxFolder(dir.resolve("idx"), TestData.cyclicLabels(30, 3), null, true);
        assertThatThrownBy(() -> DatasetLoader.load(rows(idx, StreamSettings.Mode.TRUE), null))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("gunzip");
        FetchSpec tight = rows(idx, StreamSettings.Mode.AUTO);
        assertThat(DatasetLoader.load(tight, null).train().streamed()).isFalse();
    }

    @Test
    void aTruncatedRawIdxFileIsRefusedBeforeItStreams() throws IOException {
        Path idx = TestData.idxFolder(dir.resolve("idx"), TestData.cyclicLabels(30, 3), null, false);
        Path images = idx.resolve("train-images-idx3-ubyte");
        byte[] bytes = Files.readAllBytes(images);
        Files.write(images, java.util.Arrays.copyOf(bytes, bytes.length - 5));
        assertThatThrownBy(() -> DatasetLoader.load(rows(idx, StreamSettings.Mode.TRUE), null))
                .isInstanceOf(DataException.class).hasMessageContaining("truncated IDX file");
    }

    @Test
    void aStreamedSetRefusesItsFeaturesNamingTheFix() throws IOException {
        Path folder = ColourImages.write(dir.resolve("colours"), 4, 6);
        LabeledSet train = DatasetLoader.load(spec(folder, StreamSettings.Mode.TRUE), null).train();
        assertThatThrownBy(train::features).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("stream=false");
    }

    /** A stream over {@code n} records whose value is the record's index, decoded by {@code decoder}. */
    private static PrefetchStream stream(int[] rows, SourceData.RecordSource decoder, Duration timeout) {
        int[] labels = new int[rows.length];
        return new PrefetchStream(decoder, (test, index) -> "'record-" + index + ".png'", false, rows, labels,
                new long[] {2}, Preprocessing.divide(1), new StreamSettings(StreamSettings.Mode.TRUE, 2, 3, timeout),
                null, "train");
    }

    @Test
    void everyRecordComesOnceAPassInTheSplitsOrder() {
        int[] rows = {9, 3, 0, 7, 1, 8, 2, 6, 4, 5, 11, 10};
        PrefetchStream s = stream(rows, (test, i) -> new float[] {i, -i}, Duration.ofSeconds(30));
        for (int batch : new int[] {1, 5, 12, 100}) {
            INDArray x = all(LabeledSet.streamed(s, Nd4j.zeros(rows.length, 1)), batch);
            for (int k = 0; k < rows.length; k++) {
                assertThat(x.getFloat(k, 0)).isEqualTo(rows[k]);
                assertThat(x.getFloat(k, 1)).isEqualTo(-rows[k]);
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS) // a guard against a hang, not a measurement
    void aDecoderThatThrowsMidPassFailsTheReadWithTheTypedErrorNamingTheFile() {
        int[] rows = java.util.stream.IntStream.range(0, 200).toArray();
        PrefetchStream s = stream(rows, (test, i) -> {
            if (i == 137) {
                throw new DataException("fetch-dataset: corrupt image 'record-137.png'; expected a readable PNG");
            }
            return new float[] {i, i};
        }, Duration.ofSeconds(60));
        int[] read = {0};
        assertThatThrownBy(() -> {
            try (ExampleStream.Pass pass = s.open(10)) {
                for (INDArray x = pass.next(); x != null; x = pass.next()) {
                    read[0] += (int) x.size(0);
                }
            }
        }).isInstanceOf(DataException.class).hasMessageContaining("record-137.png")
                .hasMessageContaining("train split");
        assertThat(read[0]).isEqualTo(130); // every batch before the failing one arrived
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS) // a guard against a hang, not a measurement
    void aDecoderThatBlocksTripsTheTimeoutAsATypedError() {
        CountDownLatch never = new CountDownLatch(1);
        int[] rows = java.util.stream.IntStream.range(0, 50).toArray();
        PrefetchStream s = stream(rows, (test, i) -> {
            if (i == 23) {
                try {
                    never.await(); // a read on stalled storage
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new float[] {i, i};
        }, Duration.ofSeconds(1));
        assertThatThrownBy(() -> {
            try (ExampleStream.Pass pass = s.open(10)) {
                while (pass.next() != null) {
                    // reads until the blocked batch
                }
            }
        }).isInstanceOf(DataException.class).hasMessageContaining("decodeTimeout")
                .hasMessageContaining("within 1 s");
    }
}
