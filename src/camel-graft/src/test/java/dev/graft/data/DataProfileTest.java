package dev.graft.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.graft.spi.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

class DataProfileTest {

    @TempDir
    Path dir;

    @Test
    void aSplitProfileCountsClassesChannelsHistogramNonFiniteValuesAndDuplicates() {
        SplitProfile.Builder b = new SplitProfile.Builder(2, 2);
        float[] values = {0, 10, 200, 255, /* the same again */ 0, 10, 200, 255, /* odd ones */ Float.NaN, -3,
                Float.POSITIVE_INFINITY, 300};
        b.add(values, 0, 4, 0);
        b.add(values, 4, 4, 1);
        b.add(values, 8, 4, 1);
        SplitProfile p = b.build(4);
        assertThat(p.classCounts()).containsExactly(1, 2);
        assertThat(p.duplicates()).isEqualTo(1);
        assertThat(p.nan()).isEqualTo(1);
        assertThat(p.infinite()).isEqualTo(1);
        assertThat(p.below()).isEqualTo(1);
        assertThat(p.above()).isEqualTo(1);
        assertThat(p.histogram()[0]).isEqualTo(2); // the two 0s (bin width 8); 10 is in bin 1
        assertThat(p.histogram()[1]).isEqualTo(2);
        assertThat(p.histogram()[200 / 8]).isEqualTo(2);
        assertThat(p.histogram()[31]).isEqualTo(2);
        assertThat(p.channelMin()).containsExactly(-3, 200);
        assertThat(p.channelMax()).containsExactly(10, 300);
    }

    @Test
    void aLoadedDataSetCarriesAProfileOfEverySplitWithItsTestTrainOverlap() {
        DatasetLoader.Profiled loaded = DatasetLoader.loadProfiled(TestData.spec("classpath:datasets/fashion-mnist-sample.zip", 0.2, 0.2, List.of(), true, 0, 0, 255, 1), null);
        DataProfile profile = loaded.profile();
        assertThat(profile.splits().keySet()).containsExactly("train", "validation", "test");
        assertThat(profile.splits().get("train").examples()).isEqualTo(loaded.data().train().size());
        assertThat(profile.splits().get("test").examples()).isEqualTo(loaded.data().test().size());
        long[] trainCounts = profile.splits().get("train").classCounts();
        float[] labelSums = loaded.data().train().labels().sum(0).toFloatVector();
        for (int c = 0; c < trainCounts.length; c++) {
            assertThat(trainCounts[c]).isEqualTo((long) labelSums[c]);
        }
        // the raw mean is 255 times the mean of the scaled features fetch-dataset made
        float[] scaled = loaded.data().train().features().data().asFloat();
        double sum = 0;
        for (float v : scaled) {
            sum += v;
        }
        assertThat(profile.splits().get("train").channelMean()[0]).isCloseTo(sum / scaled.length * 255, within(1e-3));
        assertThat(profile.classNames()).isEqualTo(loaded.data().classNames());
        assertThat(profile.type()).isEqualTo("float32");
    }

    @Test
    void aProfileWithAFeatureSampleReadsBackEqual() throws Exception {
        DataProfile profile = DatasetLoader.loadProfiled(TestData.spec("classpath:datasets/fashion-mnist-sample.zip", 0.2, 0.2, List.of(), true, 0, 0, 255, 1), null).profile()
                .withFeatures(FeatureSample.of(List.of("pool2"), new org.nd4j.linalg.api.ndarray.INDArray[] {
                        Nd4j.rand(300, 2, 3, 3)}, 7));
        Path file = Files.write(dir.resolve(DataProfile.FILE), profile.toJsonBytes());
        DataProfile read = DataProfile.read(file).orElseThrow();
        assertThat(read.toJsonBytes()).isEqualTo(profile.toJsonBytes());
        assertThat(read.features().sample()).hasDimensions(256, 18);
        assertThat(read.features().sample()[5]).containsExactly(profile.features().sample()[5]);
    }

    @Test
    void aDamagedProfileIsADataErrorNamingTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve(DataProfile.FILE), "{\"exampleShape\": [1, 28");
        assertThatThrownBy(() -> DataProfile.read(file)).isInstanceOf(DataException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("publish the version again");
        assertThat(DataProfile.read(dir.resolve("absent.json"))).isEmpty();
        Map<String, Object> json = new java.util.LinkedHashMap<>(DatasetLoader.loadProfiled(TestData.spec("classpath:datasets/fashion-mnist-sample.zip", 0.2, 0.2, List.of(), true, 0, 0, 255, 1),
                null).profile().toJson());
        json.put("features", Map.of("layers", List.of("x"), "dimension", 4, "examples", 1, "mean", List.of(),
                "std", List.of(), "sampleRows", 1000, "sample", "AAAA"));
        Files.write(file, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(json));
        assertThatThrownBy(() -> DataProfile.read(file)).isInstanceOf(DataException.class)
                .hasMessageContaining("1000 rows of 4 values holds 3 bytes");
    }
}
