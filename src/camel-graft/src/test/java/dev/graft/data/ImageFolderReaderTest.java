package dev.graft.data;

import dev.graft.spi.LabeledSet;
import dev.graft.spi.DataSplits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.graft.spi.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderReaderTest {

    @TempDir
    Path dir;

    private static FetchSpec images(Path source, int height, int width) {
        return new FetchSpec(source.toString(), DataFormat.AUTO, 0.5, 0, List.of(), false, 0, 0, 1, 3, height,
                width, null);
    }

    @Test
    void labelsClassFoldersInAlphabeticalOrderAndSkipsHiddenFiles() throws Exception {
        TestData.grayImage(dir.resolve("dog/1.png"), 4, 3, 200);
        TestData.grayImage(dir.resolve("dog/2.png"), 4, 3, 200);
        TestData.grayImage(dir.resolve("cat/1.png"), 4, 3, 10);
        TestData.grayImage(dir.resolve("cat/2.png"), 4, 3, 10);
        Files.writeString(dir.resolve("cat/.DS_Store"), "junk");
        Files.writeString(dir.resolve("README.txt"), "beside the class folders: skipped");

        DataSplits data = DatasetLoader.load(images(dir, 0, 0), null);

        assertThat(data.classNames()).containsExactly("cat", "dog");
        assertThat(data.exampleShape()).containsExactly(1, 3, 4);
        assertThat(data.train().size()).isEqualTo(2);
        assertThat(data.test().size()).isEqualTo(2);
        for (LabeledSet set : List.of(data.train(), data.test())) {
            int[] labels = TestData.labels(set.labels());
            float[] values = TestData.values(set.features());
            for (int i = 0; i < set.size(); i++) {
                assertThat(values[i * 12]).isEqualTo(labels[i] == 0 ? 10f : 200f);
            }
        }
    }

    @Test
    void convertsColourToLuminance() {
        TestData.image(dir.resolve("red/1.png"), 2, 2, 0xff0000);
        TestData.image(dir.resolve("white/1.png"), 2, 2, 0xffffff);

        DataSplits data = DatasetLoader.load(new FetchSpec(dir.toString(), DataFormat.IMAGES, 0.5, 0, List.of(),
                false, 0, 0, 255, 3, 0, 0, null), null);

        float[] train = TestData.values(data.train().features());
        float[] test = TestData.values(data.test().features());
        float red = Math.min(train[0], test[0]);
        float white = Math.max(train[0], test[0]);
        assertThat(red).isCloseTo(0.299f, within(1e-4f));
        assertThat(white).isEqualTo(1f);
    }

    @Test
    void readsTrainAndTestFoldersAndResizesToTheRequestedSize() {
        TestData.grayImage(dir.resolve("train/a/1.png"), 8, 6, 50);
        TestData.grayImage(dir.resolve("train/b/1.jpg"), 5, 5, 128);
        TestData.grayImage(dir.resolve("test/b/x.png"), 2, 2, 90);

        DataSplits data = DatasetLoader.load(images(dir, 4, 3), null);

        assertThat(data.train().size()).isEqualTo(2);
        assertThat(data.test().size()).isEqualTo(1);
        assertThat(data.exampleShape()).containsExactly(1, 4, 3);
        assertThat(data.test().features().shape()).containsExactly(1, 1, 4, 3);
        assertThat(TestData.values(data.test().features())).containsOnly(90f);
        assertThat(TestData.labels(data.test().labels())).containsExactly(1);
        float[] train = TestData.values(data.train().features());
        assertThat(train[0]).isEqualTo(50f);
        assertThat(train[12]).isCloseTo(128f, within(3f));
    }

    @Test
    void readsAZipOfImageFolders() {
        Path folder = dir.resolve("pets");
        TestData.grayImage(folder.resolve("cat/1.jpeg"), 3, 3, 0);
        TestData.grayImage(folder.resolve("cat/2.png"), 3, 3, 0);
        TestData.grayImage(folder.resolve("dog/1.png"), 3, 3, 255);
        TestData.grayImage(folder.resolve("dog/2.png"), 3, 3, 255);
        Path zip = TestData.zipFolder(dir.resolve("pets.zip"), folder, "");

        DataSplits data = DatasetLoader.load(images(zip, 0, 0), null);

        assertThat(data.classNames()).containsExactly("cat", "dog");
        assertThat(data.train().size() + data.test().size()).isEqualTo(4);
    }

    @Test
    void refusesImagesOfDifferentSizesWhenNoSizeIsGiven() {
        TestData.grayImage(dir.resolve("a/1.png"), 4, 4, 1);
        TestData.grayImage(dir.resolve("b/1.png"), 5, 4, 1);

        assertThatThrownBy(() -> DatasetLoader.load(images(dir, 0, 0), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("'" + dir.resolve("b/1.png") + "' is 4x5")
                .hasMessageContaining("like '" + dir.resolve("a/1.png") + "'")
                .hasMessageContaining("set height and width");
    }

    @Test
    void rejectsANonImageFileNamingItAndTheAcceptedExtensions() throws Exception {
        TestData.grayImage(dir.resolve("a/1.png"), 2, 2, 1);
        TestData.grayImage(dir.resolve("b/1.png"), 2, 2, 1);
        Files.writeString(dir.resolve("b/notes.txt"), "hello");

        assertThatThrownBy(() -> DatasetLoader.load(images(dir, 0, 0), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("not an image file '" + dir.resolve("b/notes.txt") + "'")
                .hasMessageContaining(".png, .jpg, .jpeg");
    }

    @Test
    void rejectsAnUndecodableImageInsideAZipNamingTheEntry() throws Exception {
        Path folder = dir.resolve("data");
        TestData.grayImage(folder.resolve("a/1.png"), 2, 2, 1);
        Files.createDirectories(folder.resolve("b"));
        Files.writeString(folder.resolve("b/broken.png"), "not a png");
        Path zip = TestData.zipFolder(dir.resolve("data.zip"), folder, "");

        assertThatThrownBy(() -> DatasetLoader.load(images(zip, 0, 0), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("not a readable image '" + zip + "!/b/broken.png'");
    }

    @Test
    void resizesBilinearlyBetweenPixelCentres() {
        float[] src = {0, 10, 20, 30};

        float[] up = ImageFolderReader.resizeBilinear(src, 1, 4, 1, 8);
        float[] down = ImageFolderReader.resizeBilinear(src, 1, 4, 1, 2);

        assertThat(up).containsExactly(0, 2.5f, 7.5f, 12.5f, 17.5f, 22.5f, 27.5f, 30);
        assertThat(down).containsExactly(5, 25);
    }
}
