package dev.graft.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.TinyRoutes;
import dev.graft.engine.GraftEngine;
import dev.graft.engine.ModelCheck;
import dev.graft.engine.RouteFileChecker;
import dev.graft.engine.StepRegistry;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataSplits;
import dev.graft.spi.LabeledSet;
import dev.graft.spi.RunContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same Fashion-MNIST images as IDX files and as a CSV of 784 pixels with shape=1x28x28 train the LeNet transfer
 * (a backbone pretrained on classes 0-4, frozen base, new head on classes 5-9) to the same accuracy; without shape,
 * graft validate refuses the CSV for the convolutional backbone and names the option.
 */
class CsvShapeTest {

    private static final int TRAIN = 1500;
    private static final int TEST = 500;
    private static final int PIXELS = 28 * 28;

    @TempDir
    static Path dir;

    @BeforeAll
    static void writeSameImagesAsIdxAndCsvAndPretrain() throws IOException {
        DataSplits sample = DatasetLoader.load(FetchSpec.defaults("classpath:datasets/fashion-mnist-sample.zip"), null);
        write(sample.train(), TRAIN, "train", "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
        write(sample.test(), TEST, "test", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
        RunContext pretrain = run("pretrain", """
                - to: graft:fetch-dataset?source=%s&classes=0-4
                - to: graft:create-model?architecture=lenet&seed=1
                - to: graft:train?epochs=1&batchSize=64&seed=1
                - to: graft:publish?registry=%s&name=lenet-test&alias=champion
                """.formatted(dir.resolve("idx"), dir.resolve("registry")));
        assertThat(pretrain.published()).isPresent();
    }

    /** The first {@code count} examples (pixels 0-255 as read) as IDX files in idx/ and as csv/{csv}.csv. */
    private static void write(LabeledSet set, int count, String csv, String images, String labels) {
        float[] values = TestData.values(set.features());
        int[] classes = TestData.labels(set.labels());
        ByteBuffer idx = ByteBuffer.allocate(16 + count * PIXELS).putInt(IdxReader.IMAGES_MAGIC).putInt(count)
                .putInt(28).putInt(28);
        StringBuilder text = new StringBuilder("label");
        for (int p = 0; p < PIXELS; p++) {
            text.append(",p").append(p);
        }
        text.append('\n');
        for (int i = 0; i < count; i++) {
            text.append(classes[i]);
            for (int p = 0; p < PIXELS; p++) {
                int v = (int) values[i * PIXELS + p];
                idx.put((byte) v);
                text.append(',').append(v);
            }
            text.append('\n');
        }
        TestData.write(dir.resolve("idx").resolve(images), idx.array(), false);
        TestData.write(dir.resolve("idx").resolve(labels), TestData.idxLabels(java.util.Arrays.copyOf(classes, count)),
                false);
        TestData.writeText(dir.resolve("csv").resolve(csv + ".csv"), text.toString());
    }

    private static RunContext run(String id, String steps) throws IOException {
        Path file = TinyRoutes.directRoute(dir, id, steps);
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of())) {
            engine.load(file);
            engine.prepareRunOnce();
            return engine.runOnce(id);
        }
    }

    /** The transfer route's steps after fetch-dataset. */
    private static String transfer(String fetch) {
        return """
                - to: graft:fetch-dataset?%s&classes=5-9
                - to: graft:load-backbone?source=registry:lenet-test@champion&registry=%s
                - to: graft:freeze-layers?layers=:-3
                - to: graft:build-head?from=dense1&layers=output(5,softmax)&inputShape=1x28x28
                - to: graft:train?epochs=3&batchSize=64&seed=12345
                - to: graft:evaluate
                """.formatted(fetch, dir.resolve("registry"));
    }

    @Test
    void aPixelCsvWithShapeTrainsTheLenetTransferToTheAccuracyOfTheIdxOfTheSameImages() throws IOException {
        RunContext idx = run("from-idx", transfer("source=" + dir.resolve("idx")));
        RunContext csv = run("from-csv", transfer("source=" + dir.resolve("csv") + "&shape=1x28x28"));

        double idxAccuracy = idx.evaluation().orElseThrow().accuracy();
        System.err.println("LeNet transfer, classes 5-9: IDX accuracy " + idxAccuracy + ", CSV shape=1x28x28 accuracy "
                + csv.evaluation().orElseThrow().accuracy());
        assertThat(csv.data().orElseThrow().exampleShape()).containsExactly(1, 28, 28);
        assertThat(csv.evaluation().orElseThrow().accuracy()).isEqualTo(idxAccuracy);
        assertThat(idxAccuracy).isGreaterThan(0.7);
    }

    @Test
    void aCsvWithoutShapeFailsValidateForTheConvolutionalBackboneNamingTheShapeOption() throws IOException {
        Path file = TinyRoutes.directRoute(dir, "csv-no-shape", transfer("source=" + dir.resolve("csv")));
        StepRegistry registry = StepRegistry.discover();
        var uses = new RouteFileChecker(registry, s -> s).check(file);

        assertThatThrownBy(() -> new ModelCheck(registry).check(uses)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("route csv-no-shape: train: the data set's examples of shape [784] do not fit "
                        + "the model at layer 'conv1'")
                .hasMessageContaining("set fetch-dataset's shape=CxHxW (e.g. shape=1x28x28");
    }

    @Test
    void aShapeThatDoesNotHoldTheValuesIsAConfigurationErrorNamingTheOption() {
        FetchSpec spec = FetchSpec.defaults(dir.resolve("csv").toString())
                .withInput(new InputSpec(1, 0, 0, true, new long[] {1, 28, 27}, null));

        assertThatThrownBy(() -> DatasetLoader.load(spec, null)).isInstanceOf(ConfigurationException.class)
                .hasMessage("fetch-dataset: option 'shape' has a bad value '1x28x27' for examples of 784 values "
                        + "(shape 784 as read); expected a shape of 784 values, such as 1x28x28");
    }
}
