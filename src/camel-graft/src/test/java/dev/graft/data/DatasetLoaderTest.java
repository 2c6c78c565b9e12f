package dev.graft.data;

import dev.graft.spi.LabeledSet;
import dev.graft.spi.DataSplits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLoaderTest {

    @TempDir
    Path dir;

    /** 100 training examples labelled 0..9 in turn and 40 test examples; the first pixel is the example index. */
    private Path tenClasses() {
        return TestData.idxFolder(dir.resolve("ten"), TestData.cyclicLabels(100, 10), TestData.cyclicLabels(40, 10),
                true);
    }

    @Test
    void keepsAndRemapsClassesFiveToNineToZeroToFour() {
        DataSplits data = DatasetLoader.load(TestData.spec(tenClasses().toString(), 0.2, 0, List.of(5, 6, 7, 8, 9),
                true, 0, 0, 1, 1), null);

        assertThat(data.classNames()).containsExactly("5", "6", "7", "8", "9");
        assertThat(data.numClasses()).isEqualTo(5);
        assertThat(data.train().size()).isEqualTo(50);
        assertThat(data.test().size()).isEqualTo(20);
        assertThat(data.train().labels().shape()).containsExactly(50, 5);
        for (LabeledSet set : List.of(data.train(), data.test())) {
            int[] labels = TestData.labels(set.labels());
            int[] index = TestData.firstFeatures(set.features());
            for (int i = 0; i < set.size(); i++) {
                assertThat(labels[i]).isEqualTo(index[i] % 10 - 5);
            }
        }
    }

    @Test
    void remapsInTheOrderTheClassesAreGiven() {
        DataSplits data = DatasetLoader.load(TestData.spec(tenClasses().toString(), 0.2, 0, List.of(9, 5), true, 0,
                0, 1, 1), null);

        assertThat(data.classNames()).containsExactly("9", "5");
        int[] labels = TestData.labels(data.train().labels());
        int[] index = TestData.firstFeatures(data.train().features());
        assertThat(labels[0]).isEqualTo(1);
        assertThat(index[0]).isEqualTo(5);
        assertThat(labels[1]).isEqualTo(0);
        assertThat(index[1]).isEqualTo(9);
    }

    @Test
    void keepsOriginalLabelsWhenNotRemapping() {
        DataSplits data = DatasetLoader.load(TestData.spec(tenClasses().toString(), 0.2, 0, List.of(1, 3), false, 0,
                0, 1, 1), null);

        assertThat(data.numClasses()).isEqualTo(10);
        assertThat(TestData.labels(data.train().labels())).containsOnly(1, 3);
    }

    @Test
    void limitsKeepTheFirstExamplesAfterClassFilteringWithLimitSampleFirst() {
        DataSplits data = DatasetLoader.load(TestData.spec(tenClasses().toString(), 0.2, 0, List.of(5, 6, 7, 8, 9),
                true, 7, 3, 1, 1).withLimitSample(LimitSample.FIRST), null);

        assertThat(TestData.firstFeatures(data.train().features())).containsExactly(5, 6, 7, 8, 9, 15, 16);
        assertThat(TestData.firstFeatures(data.test().features())).containsExactly(5, 6, 7);
    }

    @Test
    void limitsTakeASeededSampleWithEveryClassInProportionByDefault() {
        FetchSpec spec = TestData.spec(tenClasses().toString(), 0.2, 0, List.of(5, 6, 7, 8, 9), true, 25, 10, 1, 1);

        DataSplits data = DatasetLoader.load(spec, null);
        DataSplits again = DatasetLoader.load(spec, null);

        // 10 training examples of each class 5-9 and 4 test examples each: 5 and 2 of each are kept
        int[] train = TestData.firstFeatures(data.train().features());
        assertThat(train).hasSize(25).isSorted().doesNotHaveDuplicates();
        assertThat(IntStream.of(train).map(i -> i % 10).sorted().toArray())
                .containsExactly(5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9);
        assertThat(train).isNotEqualTo(new int[] {5, 6, 7, 8, 9, 15, 16, 17, 18, 19, 25, 26, 27, 28, 29, 35, 36, 37,
                38, 39, 45, 46, 47, 48, 49});
        assertThat(IntStream.of(TestData.labels(data.test().labels())).sorted().toArray())
                .containsExactly(0, 0, 1, 1, 2, 2, 3, 3, 4, 4);
        assertThat(TestData.firstFeatures(again.train().features())).containsExactly(train);
        DataSplits otherSeed = DatasetLoader.load(TestData.spec(tenClasses().toString(), 0.2, 0, List.of(5, 6, 7, 8, 9),
                true, 25, 10, 1, 2), null);
        assertThat(TestData.firstFeatures(otherSeed.train().features())).isNotEqualTo(train);
    }

    @Test
    void carvesValidationFromTrainAfterTheLimit() {
        DataSplits data = DatasetLoader.load(TestData.spec(tenClasses().toString(), 0.2, 0.2, List.of(), false, 50,
                0, 1, 1).withLimitSample(LimitSample.FIRST), null);

        assertThat(data.train().size()).isEqualTo(40);
        assertThat(data.validation().size()).isEqualTo(10);
        assertThat(data.test().size()).isEqualTo(40);
        int[] train = TestData.firstFeatures(data.train().features());
        int[] validation = TestData.firstFeatures(data.validation().features());
        assertThat(IntStream.concat(IntStream.of(train), IntStream.of(validation)).sorted().toArray())
                .containsExactly(IntStream.range(0, 50).toArray());
    }

    @Test
    void splitsByTestFractionDeterministicallyForASeed() {
        Path folder = TestData.idxFolder(dir.resolve("no-test"), TestData.cyclicLabels(100, 4), null, false);

        DataSplits a = DatasetLoader.load(TestData.spec(folder.toString(), 0.25, 0.1, List.of(), false, 0, 0, 1, 7),
                null);
        DataSplits b = DatasetLoader.load(TestData.spec(folder.toString(), 0.25, 0.1, List.of(), false, 0, 0, 1, 7),
                null);
        DataSplits c = DatasetLoader.load(TestData.spec(folder.toString(), 0.25, 0.1, List.of(), false, 0, 0, 1, 8),
                null);

        assertThat(a.test().size()).isEqualTo(25);
        assertThat(a.validation().size()).isEqualTo(8);
        assertThat(a.train().size()).isEqualTo(67);
        assertThat(TestData.firstFeatures(b.test().features())).containsExactly(TestData.firstFeatures(a.test().features()));
        assertThat(TestData.firstFeatures(b.validation().features()))
                .containsExactly(TestData.firstFeatures(a.validation().features()));
        assertThat(TestData.firstFeatures(c.test().features()))
                .isNotEqualTo(TestData.firstFeatures(a.test().features()));
        int[] all = java.util.stream.Stream.of(TestData.firstFeatures(a.train().features()),
                        TestData.firstFeatures(a.validation().features()), TestData.firstFeatures(a.test().features()))
                .flatMapToInt(IntStream::of).sorted().toArray();
        assertThat(all).containsExactly(IntStream.range(0, 100).toArray());
    }

    @Test
    void scaleDividesEveryFeature() {
        Path folder = TestData.idxFolder(dir.resolve("big"), TestData.cyclicLabels(256, 2), null, false);

        DataSplits raw = DatasetLoader.load(TestData.spec(folder.toString(), 0.5, 0, List.of(), false, 0, 0, 1, 1), null);
        DataSplits scaled = DatasetLoader.load(TestData.spec(folder.toString(), 0.5, 0, List.of(), false, 0, 0, 255, 1),
                null);

        assertThat(raw.train().features().maxNumber().floatValue()).isEqualTo(255f);
        assertThat(scaled.train().features().maxNumber().floatValue()).isEqualTo(1f);
        assertThat(scaled.train().features()).isEqualTo(raw.train().features().div(255f));
        assertThat(scaled.train().features().dataType()).isEqualTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }

    @Test
    void sha256IsThePlainDigestOfASingleFileAndStableForAFolder() throws Exception {
        Path csv = TestData.writeText(dir.resolve("d.csv"), "label,a\n0,1\n1,2\n0,3\n1,4\n");
        Path folder = tenClasses();

        String single = DatasetLoader.load(FetchSpec.defaults(csv.toString()), null).sha256();
        String first = DatasetLoader.load(FetchSpec.defaults(folder.toString()), null).sha256();
        String second = DatasetLoader.load(FetchSpec.defaults(folder.toString()), null).sha256();
        Files.move(folder.resolve("t10k-labels-idx1-ubyte.gz"), folder.resolve("test-labels-idx1-ubyte.gz"));
        String renamed = DatasetLoader.load(FetchSpec.defaults(folder.toString()), null).sha256();

        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(csv)));
        assertThat(single).isEqualTo(expected);
        assertThat(first).isEqualTo(second).hasSize(64).matches("[0-9a-f]+");
        assertThat(renamed).isNotEqualTo(first);
    }

    @Test
    void listsTheLabelsPresentWhenAClassIsMissing() {
        Path folder = TestData.idxFolder(dir.resolve("three"), TestData.cyclicLabels(9, 3), null, false);

        assertThatThrownBy(() -> DatasetLoader.load(TestData.spec(folder.toString(), 0.2, 0, List.of(1, 7), true, 0,
                0, 1, 1), null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("fetch-dataset: option 'classes' names a class not in the data '7'; expected labels "
                        + "present in the data [0, 1, 2]");
    }

    @Test
    void saysWhichSplitIsEmptyAndWhy() {
        Path folder = TestData.idxFolder(dir.resolve("small"), TestData.cyclicLabels(10, 2), null, false);

        assertThatThrownBy(() -> DatasetLoader.load(TestData.spec(folder.toString(), 0, 0, List.of(), false, 0, 0, 1,
                1), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("empty split 'test'")
                .hasMessageContaining("no test files and testFraction 0.0");
        assertThatThrownBy(() -> DatasetLoader.load(TestData.spec(folder.toString(), 0.2, 0.01, List.of(), false, 0,
                0, 1, 1), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("empty split 'validation'");
    }

    @Test
    void namesASourceThatDoesNotExist() {
        String missing = dir.resolve("nowhere").toString();

        assertThatThrownBy(() -> DatasetLoader.load(FetchSpec.defaults(missing), null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("source does not exist '" + missing + "'");
    }

    @Test
    void readsTheTriggerFileAndRefusesTriggerWithoutOne() {
        Path csv = TestData.writeText(dir.resolve("drop.csv"), "label,a\n0,1\n1,2\n0,3\n1,4\n");

        DataSplits data = DatasetLoader.load(FetchSpec.defaults("trigger"), csv);

        assertThat(data.source()).isEqualTo(csv.toString());
        assertThat(data.train().size()).isEqualTo(3);
        assertThatThrownBy(() -> DatasetLoader.load(FetchSpec.defaults("trigger"), null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("the route has no trigger file");
    }

    @Test
    void listsWhatItFoundWhenNoLayoutFits() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "hello");
        Files.createDirectories(dir.resolve("empty"));

        assertThatThrownBy(() -> DatasetLoader.load(FetchSpec.defaults(dir.toString()), null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no known data layout in '" + dir + "'")
                .hasMessageContaining("train-images-idx3-ubyte")
                .hasMessageContaining("train.csv")
                .hasMessageContaining("found [empty/, notes.txt]");
    }

    @Test
    void refusesAnExplicitFormatTheFilesDoNotHave() {
        Path folder = tenClasses();
        FetchSpec csv = new FetchSpec(folder.toString(), DataFormat.CSV, 0.2, 0, List.of(), false, 0, 0, 1, 1, 0, 0,
                null);

        assertThatThrownBy(() -> DatasetLoader.load(csv, null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no CSV layout in '" + folder + "'");
    }

    @Test
    void namesAMissingClasspathResource() {
        assertThatThrownBy(() -> DatasetLoader.load(FetchSpec.defaults("classpath:datasets/nope.zip"), null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("classpath resource not found 'classpath:datasets/nope.zip'");
    }

    @Test
    void loadsTheEmbeddedFashionMnistSample() {
        FetchSpec spec = new FetchSpec("classpath:datasets/fashion-mnist-sample.zip", DataFormat.AUTO, 0.2, 0,
                List.of(), false, 0, 0, 255, 1, 0, 0, null);

        DataSplits data = DatasetLoader.load(spec, null);

        assertThat(data.train().size()).isEqualTo(6000);
        assertThat(data.test().size()).isEqualTo(2000);
        assertThat(data.exampleShape()).containsExactly(1, 28, 28);
        assertThat(data.train().features().shape()).containsExactly(6000, 1, 28, 28);
        assertThat(data.classNames()).hasSize(10);
        assertThat(data.train().features().minNumber().floatValue()).isEqualTo(0f);
        assertThat(data.train().features().maxNumber().floatValue()).isEqualTo(1f);
        assertThat(data.test().features().maxNumber().floatValue()).isLessThanOrEqualTo(1f);
        assertThat(data.sha256()).hasSize(64);
        assertThat(data.source()).isEqualTo("classpath:datasets/fashion-mnist-sample.zip");
    }
}
