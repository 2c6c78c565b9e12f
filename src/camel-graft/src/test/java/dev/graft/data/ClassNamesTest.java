package dev.graft.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataSplits;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassNamesTest {

    @TempDir
    Path dir;

    /** IDX files of 28x28 images labelled 0..9 in turn, in a folder of the given name. */
    private Path idx28(String folder) {
        Path d = dir.resolve(folder);
        TestData.write(d.resolve("train-images-idx3-ubyte"), TestData.idxImages(100, 28, 28), false);
        TestData.write(d.resolve("train-labels-idx1-ubyte"), TestData.idxLabels(TestData.cyclicLabels(100, 10)), false);
        return d;
    }

    private static FetchSpec spec(Path source, List<Integer> classes) {
        return TestData.spec(source.toString(), 0.2, 0, classes, true, 0, 0, 255, 1);
    }

    @Test
    void theEmbeddedFashionSampleCarriesFashionMnistsNamesForTheKeptClasses() {
        DataSplits data = DatasetLoader.load(TestData.spec("classpath:datasets/fashion-mnist-sample.zip", 0.2, 0,
                List.of(5, 6, 7, 8, 9), true, 0, 0, 255, 1), null);

        assertThat(data.classNames()).containsExactly("Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
        assertThat(data.input().classNames()).isEqualTo(data.classNames());
    }

    @Test
    void aFolderNamedFashionOfMnistShapedIdxFilesGetsAllTenNames() {
        DataSplits data = DatasetLoader.load(spec(idx28("Fashion-MNIST"), List.of()), null);

        assertThat(data.classNames()).isEqualTo(ClassNames.FASHION_MNIST);
    }

    @Test
    void otherIdxFilesKeepTheirLabelsAsNames() {
        DataSplits data = DatasetLoader.load(spec(idx28("mnist"), List.of(5, 6)), null);

        assertThat(data.classNames()).containsExactly("5", "6");
    }

    @Test
    void idxFilesOfAnotherShapeKeepTheirLabelsEvenInAFashionFolder() {
        Path d = TestData.idxFolder(dir.resolve("fashion"), TestData.cyclicLabels(40, 10), null, false);

        assertThat(DatasetLoader.load(spec(d, List.of()), null).classNames()).startsWith("0", "1", "2");
    }

    @Test
    void theClassNamesOptionNamesTheOutputClassesInLabelOrder() {
        FetchSpec spec = spec(idx28("fashion"), List.of(9, 5)).withClassNames(List.of("boot", "sandal"));

        DataSplits data = DatasetLoader.load(spec, null);

        assertThat(data.classNames()).containsExactly("boot", "sandal");
        assertThat(data.input().classNames()).containsExactly("boot", "sandal");
    }

    @Test
    void aClassNamesOptionOfTheWrongCountNamesTheOptionAndTheCountExpected() {
        FetchSpec spec = spec(idx28("digits"), List.of(5, 6, 7)).withClassNames(List.of("five", "six"));

        assertThatThrownBy(() -> DatasetLoader.load(spec, null)).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("fetch-dataset: option 'classNames' names 2 classes 'five,six'; expected 3,")
                .hasMessageContaining("[5, 6, 7]");
    }

    @Test
    void blankOrControlCharacterNamesAreRefusedWhenTheSpecIsBuilt() {
        assertThatThrownBy(() -> spec(dir, List.of()).withClassNames(List.of("a", "b\u0007")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("option 'classNames'");
    }
}
