package dev.graft.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.DistributedTraining;
import dev.graft.spi.Examples;
import dev.graft.spi.ConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/** How examples become an RDD, and how the engine picks its master; on a local[2] context. */
class SparkDataIT {

    private static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = SparkContexts.acquire(new DistributedTraining.Cluster(Optional.of("local[2]"), OptionalInt.empty(), 5, OptionalInt.empty()));
    }

    @AfterAll
    static void stopSpark() {
        SparkContexts.release(sc);
    }

    /** Example i has the value i in every pixel and in its label column, so rows can be traced. */
    private static Examples numbered(int n) {
        INDArray ids = Nd4j.arange(n).castTo(DataType.FLOAT).reshape(n, 1);
        INDArray images = ids.mul(Nd4j.ones(DataType.FLOAT, 1, 4)).reshape(n, 1, 2, 2);
        return new Examples(new INDArray[] {images}, ids.dup());
    }

    private static List<Float> labelsOf(List<MultiDataSet> batches) {
        List<Float> labels = new ArrayList<>();
        for (MultiDataSet b : batches) {
            INDArray x = b.getFeatures(0);
            INDArray y = b.getLabels(0);
            for (int i = 0; i < y.size(0); i++) {
                assertThat(x.getFloat(i, 0, 1, 1)).as("features travel with their label").isEqualTo(y.getFloat(i, 0));
                labels.add(y.getFloat(i, 0));
            }
        }
        return labels;
    }

    @Test
    void everyExampleLandsInExactlyOneMinibatchOfEachEpochInANewOrder() {
        JavaRDD<MultiDataSet> slices = SparkData.slices(sc, numbered(103), 3, 7);
        assertThat(slices.getNumPartitions()).isEqualTo(3);
        assertThat(slices.glom().collect()).allSatisfy(p -> assertThat(p).hasSize(1));

        List<MultiDataSet> first = SparkData.minibatches(slices, 8, 7, 1).collect();
        List<MultiDataSet> second = SparkData.minibatches(slices, 8, 7, 2).collect();
        List<Float> epoch1 = labelsOf(first);
        List<Float> epoch2 = labelsOf(second);
        List<Float> all = new ArrayList<>();
        for (int i = 0; i < 103; i++) {
            all.add((float) i);
        }
        assertThat(epoch1).containsExactlyInAnyOrderElementsOf(all);
        assertThat(epoch2).containsExactlyInAnyOrderElementsOf(all);
        assertThat(epoch2).isNotEqualTo(epoch1);
        assertThat(first).allSatisfy(b -> assertThat(b.getLabels(0).size(0)).isBetween(1L, 8L));
        assertThat(SparkData.minibatches(slices, 8, 7, 1).collect().stream().map(b -> b.getLabels(0).toFloatVector()[0]))
                .as("the same seed and epoch cut the same minibatches")
                .containsExactlyElementsOf(first.stream().map(b -> b.getLabels(0).toFloatVector()[0]).toList());
    }

    @Test
    void theRoutesMasterWinsThenSparkSubmitsThenLocalWorkers() {
        SparkConf submitted = new SparkConf(false).set("spark.master", "spark://head:7077");
        SparkConf plain = new SparkConf(false);
        assertThat(SparkContexts.configuration(new DistributedTraining.Cluster(Optional.of("local[3]"), OptionalInt.empty(), 5, OptionalInt.empty()),
                submitted).get("spark.master")).isEqualTo("local[3]");
        assertThat(SparkContexts.configuration(new DistributedTraining.Cluster(Optional.empty(), OptionalInt.of(4), 5, OptionalInt.empty()),
                submitted).get("spark.master")).isEqualTo("spark://head:7077");
        assertThat(SparkContexts.configuration(new DistributedTraining.Cluster(Optional.empty(), OptionalInt.of(4), 5, OptionalInt.empty()),
                plain).get("spark.master")).isEqualTo("local[4]");
        assertThat(SparkContexts.configuration(new DistributedTraining.Cluster(Optional.empty(), OptionalInt.empty(), 5, OptionalInt.empty()),
                plain).get("spark.master")).isEqualTo("local[*]");
    }

    @Test
    void aMalformedMasterIsAConfigurationErrorWhenTheRouteLoads() {
        SparkTraining training = new SparkTraining();
        assertThatThrownBy(() -> training.configure(new DistributedTraining.Cluster(Optional.of("sprak://head:7077"),
                OptionalInt.empty(), 5, OptionalInt.empty())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("train: option 'master' has a bad value 'sprak://head:7077'; expected local[N], "
                        + "spark://HOST:PORT, yarn or k8s://https://HOST:PORT");
        for (String master : List.of("local", "local[2]", "local[*]", "spark://10.0.0.1:7077", "yarn",
                "k8s://https://api.example:6443")) {
            assertThat(training.configure(new DistributedTraining.Cluster(Optional.of(master), OptionalInt.empty(), 5, OptionalInt.empty())))
                    .isNotNull();
        }
    }
}
