package dev.graft.data;

import dev.graft.spi.DataSplits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsRawIdxFolderWithItsTestPair() {
        TestData.idxFolder(dir, new int[] {0, 1, 2, 1, 0, 2}, new int[] {2, 2, 1, 0}, false);

        DataSplits data = DatasetLoader.load(FetchSpec.defaults(dir.toString()), null);

        assertThat(data.train().size()).isEqualTo(6);
        assertThat(data.test().size()).isEqualTo(4);
        assertThat(data.validation()).isNull();
        assertThat(data.exampleShape()).containsExactly(1, 3, 2);
        assertThat(data.train().features().shape()).containsExactly(6, 1, 3, 2);
        assertThat(data.classNames()).containsExactly("0", "1", "2");
        assertThat(TestData.labels(data.train().labels())).containsExactly(0, 1, 2, 1, 0, 2);
        assertThat(TestData.labels(data.test().labels())).containsExactly(2, 2, 1, 0);
        float[] second = Arrays.copyOfRange(TestData.values(data.train().features()), 6, 12);
        assertThat(second).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(data.train().labels().shape()).containsExactly(6, 3);
        assertThat(TestData.values(data.train().labels())).containsOnly(0f, 1f);
    }

    @Test
    void readsGzippedFilesToTheSameArraysAsRawOnes() {
        int[] train = TestData.cyclicLabels(10, 4);
        int[] test = TestData.cyclicLabels(5, 4);
        Path raw = TestData.idxFolder(dir.resolve("raw"), train, test, false);
        Path gz = TestData.idxFolder(dir.resolve("gz"), train, test, true);

        DataSplits fromRaw = DatasetLoader.load(FetchSpec.defaults(raw.toString()), null);
        DataSplits fromGz = DatasetLoader.load(FetchSpec.defaults(gz.toString()), null);

        assertThat(fromGz.train().features()).isEqualTo(fromRaw.train().features());
        assertThat(fromGz.test().labels()).isEqualTo(fromRaw.test().labels());
        assertThat(fromGz.sha256()).isNotEqualTo(fromRaw.sha256());
    }

    @Test
    void acceptsTestPrefixAndDotSeparatedNames() throws Exception {
        TestData.write(dir.resolve("train-images.idx3-ubyte"), TestData.idxImages(4, 3, 2), false);
        TestData.write(dir.resolve("train-labels.idx1-ubyte"), TestData.idxLabels(new int[] {0, 1, 0, 1}), false);
        TestData.write(dir.resolve("test-images-idx3-ubyte.gz"), TestData.idxImages(2, 3, 2), true);
        TestData.write(dir.resolve("test-labels-idx1-ubyte.gz"), TestData.idxLabels(new int[] {1, 0}), true);
        Files.writeString(dir.resolve("README.txt"), "not data");

        DataSplits data = DatasetLoader.load(FetchSpec.defaults(dir.toString()), null);

        assertThat(data.train().size()).isEqualTo(4);
        assertThat(TestData.labels(data.test().labels())).containsExactly(1, 0);
    }

    @Test
    void splitsByTestFractionWithoutATestPair() {
        TestData.idxFolder(dir, TestData.cyclicLabels(10, 2), null, true);

        DataSplits data = DatasetLoader.load(FetchSpec.defaults(dir.toString()), null);

        assertThat(data.train().size()).isEqualTo(8);
        assertThat(data.test().size()).isEqualTo(2);
    }

    @Test
    void readsAZipOfIdxFilesInsideOneTopFolder() {
        Path folder = TestData.idxFolder(dir.resolve("mnist"), TestData.cyclicLabels(6, 3), new int[] {1, 2}, true);
        Path zip = TestData.zipFolder(dir.resolve("mnist.zip"), folder, "mnist/");

        DataSplits data = DatasetLoader.load(FetchSpec.defaults(zip.toString()), null);

        assertThat(data.train().size()).isEqualTo(6);
        assertThat(data.test().size()).isEqualTo(2);
        assertThat(data.source()).isEqualTo(zip.toString());
    }

    @Test
    void rejectsATruncatedImagesFileNamingTheFileAndByteCounts() throws Exception {
        TestData.idxFolder(dir, new int[] {0, 1, 0}, null, false);
        Path images = dir.resolve("train-images-idx3-ubyte");
        byte[] bytes = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(bytes, bytes.length - 4));

        assertThatThrownBy(() -> DatasetLoader.load(FetchSpec.defaults(dir.toString()), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("truncated IDX file '" + images + "'")
                .hasMessageContaining("3 images of 3x2")
                .hasMessageContaining("expected 18 data bytes")
                .hasMessageContaining("got 14");
    }

    @Test
    void rejectsATruncatedGzipNamingTheFileInsideTheZip() throws Exception {
        byte[] gz = TestData.gzip(TestData.idxImages(50, 3, 2));
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("train-images-idx3-ubyte.gz", Arrays.copyOf(gz, gz.length / 2));
        entries.put("train-labels-idx1-ubyte.gz", TestData.gzip(TestData.idxLabels(TestData.cyclicLabels(50, 2))));
        Path zip = TestData.zipEntries(dir.resolve("cut.zip"), entries);

        assertThatThrownBy(() -> DatasetLoader.load(FetchSpec.defaults(zip.toString()), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("'" + zip + "!/train-images-idx3-ubyte.gz'");
    }

    @Test
    void rejectsDifferentImageAndLabelCountsNamingBothFiles() {
        TestData.write(dir.resolve("train-images-idx3-ubyte"), TestData.idxImages(5, 3, 2), false);
        TestData.write(dir.resolve("train-labels-idx1-ubyte"), TestData.idxLabels(new int[] {0, 1, 0, 1}), false);

        assertThatThrownBy(() -> DatasetLoader.load(FetchSpec.defaults(dir.toString()), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("'" + dir.resolve("train-images-idx3-ubyte") + "' has 5 images")
                .hasMessageContaining("'" + dir.resolve("train-labels-idx1-ubyte") + "' has 4 labels");
    }

    @Test
    void rejectsAWrongMagicNumber() {
        TestData.write(dir.resolve("train-images-idx3-ubyte"), TestData.idxLabels(new int[] {0, 1}), false);
        TestData.write(dir.resolve("train-labels-idx1-ubyte"), TestData.idxLabels(new int[] {0, 1}), false);

        assertThatThrownBy(() -> DatasetLoader.load(FetchSpec.defaults(dir.toString()), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("not an IDX images file '" + dir.resolve("train-images-idx3-ubyte") + "'")
                .hasMessageContaining("0x00000801; expected 0x00000803");
    }

    @Test
    void rejectsTrailingBytesAfterTheLastImage() throws Exception {
        TestData.idxFolder(dir, new int[] {0, 1}, null, false);
        Files.write(dir.resolve("train-labels-idx1-ubyte"), new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);

        assertThatThrownBy(() -> DatasetLoader.load(FetchSpec.defaults(dir.toString()), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("trailing bytes in IDX file '" + dir.resolve("train-labels-idx1-ubyte") + "'");
    }

    @Test
    void refusesAnImagesFileWithoutItsLabels() {
        TestData.write(dir.resolve("train-images-idx3-ubyte.gz"), TestData.idxImages(2, 3, 2), true);

        assertThatThrownBy(() -> DatasetLoader.load(FetchSpec.defaults(dir.toString()), null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'" + dir.resolve("train-images-idx3-ubyte.gz") + "'")
                .hasMessageContaining("train-labels-idx1-ubyte[.gz]");
    }

    @Test
    void refusesASingleIdxFileAsSource() {
        Path images = TestData.write(dir.resolve("train-images-idx3-ubyte"), TestData.idxImages(2, 3, 2), false);

        assertThatThrownBy(() -> DatasetLoader.load(FetchSpec.defaults(images.toString()), null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("a single IDX file is not enough '" + images + "'");
    }
}
