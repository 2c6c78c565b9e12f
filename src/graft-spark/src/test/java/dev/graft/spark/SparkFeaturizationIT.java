package dev.graft.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.data.DataFormat;
import dev.graft.data.DatasetLoader;
import dev.graft.data.FetchSpec;
import dev.graft.data.InputSpec;
import dev.graft.data.LimitSample;
import dev.graft.data.ReadBudget;
import dev.graft.data.StreamSettings;
import dev.graft.spi.DataException;
import dev.graft.spi.DataSplits;
import dev.graft.spi.DistributedTraining;
import dev.graft.spi.RemoteFeaturization;
import dev.graft.training.featurize.FeaturizePlan;
import dev.graft.training.featurize.StreamedFeatures;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Featurize-once of a streamed colour JPEG folder on Spark local[2]'s executors ({@link SparkFeaturization}),
 * against the same frozen pass over the same split in this JVM ({@link StreamedFeatures} from the local stream):
 * equal features, a bad image failing with the data error naming its file, and records outside the root refused.
 */
class SparkFeaturizationIT {

    private static final DistributedTraining.Cluster LOCAL2 = new DistributedTraining.Cluster(Optional.of("local[2]"),
            OptionalInt.empty(), 1, OptionalInt.empty());

    @TempDir
    static Path dir;

    private static org.apache.spark.api.java.JavaSparkContext held;

    @BeforeAll
    static void holdTheContext() {
        held = SparkContexts.acquire(LOCAL2); // one context for every test, as a run's steps share it
    }

    @AfterAll
    static void releaseTheContext() {
        SparkContexts.release(held);
    }

    /** {@code perClass} 24x24 colour JPEGs in each of three class folders, seeded. */
    private static Path photos(Path folder, int perClass) throws Exception {
        Random random = new Random(7);
        String[] names = {"red", "green", "blue"};
        for (int k = 0; k < names.length; k++) {
            Path classFolder = Files.createDirectories(folder.resolve(names[k]));
            for (int i = 0; i < perClass; i++) {
                BufferedImage image = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 24; y++) {
                    for (int x = 0; x < 24; x++) {
                        int base = 60 + random.nextInt(120);
                        int r = Math.min(255, base + (k == 0 ? 60 : 0));
                        int g = Math.min(255, base + (k == 1 ? 60 : 0));
                        int b = Math.min(255, base + (k == 2 ? 60 : 0));
                        image.setRGB(x, y, r << 16 | g << 8 | b);
                    }
                }
                ImageIO.write(image, "jpg", classFolder.resolve(String.format("%04d.jpg", i)).toFile());
            }
        }
        return folder;
    }

    /** The folder streamed, resized to 20x20 and centre-cropped, scaled by 1/255, 25% test and 20% validation. */
    private static DataSplits streamed(Path folder) {
        return DatasetLoader.load(new FetchSpec(folder.toString(), DataFormat.AUTO, 0.25, 0.2, List.of(), false, 0, 0,
                255, 7, 0, 0, null, LimitSample.STRATIFIED, ReadBudget.defaults(),
                new InputSpec(3, 20, 20, true, null, null), List.of(),
                new StreamSettings(StreamSettings.Mode.TRUE, 2, 2, Duration.ofSeconds(60))), null);
    }

    /** A small CNN whose convolution and pooling are frozen: featurize-once computes the pooled maps. */
    private static ComputationGraph frozenCnn() {
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3).graphBuilder()
                .addInputs("in")
                .addLayer("conv1", new ConvolutionLayer.Builder(5, 5).nOut(8).activation(Activation.RELU).build(), "in")
                .addLayer("pool1", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).build(), "conv1")
                .addLayer("dense1", new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build(), "pool1")
                .addLayer("output", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "dense1")
                .setOutputs("output").setInputTypes(InputType.convolutional(20, 20, 3)).build());
        net.init();
        return new TransferLearning.GraphBuilder(net).setFeatureExtractor("pool1").build();
    }

    private static double maxAbsDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void featuresFromTheExecutorsEqualTheLocalStreamsFeatures() throws Exception {
        DataSplits data = streamed(photos(dir.resolve("equal"), 300));
        ComputationGraph net = frozenCnn();
        FeaturizePlan plan = FeaturizePlan.of(net).orElseThrow();
        RemoteFeaturization.Records records = data.train().stream().records().orElseThrow();
        assertThat(records.paths()).hasSize(data.train().size()).allMatch(p -> !p.startsWith("/") && !p.contains(".."));
        assertThat(SparkFeaturization.chunks(records.paths(), 256, 2)).hasSizeGreaterThan(1);

        try (StreamedFeatures local = new StreamedFeatures(); StreamedFeatures remote = new StreamedFeatures()) {
            INDArray[] expected = local.featurize(plan.featurizer(net), data.train().stream(), dir, done -> { });
            int[] reported = {0};
            INDArray[] actual = remote.featurize(new SparkFeaturization(LOCAL2), records, net, dir,
                    done -> reported[0] = done);
            assertThat(reported[0]).isEqualTo(data.train().size());
            assertThat(actual).hasSameSizeAs(expected);
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i].shape()).isEqualTo(expected[i].shape());
                double diff = maxAbsDiff(actual[i], expected[i]);
                System.out.printf("spark featurize: %d train examples, frontier %s %s, max abs diff %.3g%n",
                        data.train().size(), plan.frontier().get(i), java.util.Arrays.toString(actual[i].shape()), diff);
                assertThat(diff).isLessThanOrEqualTo(1e-6);
                assertThat(actual[i].amaxNumber().doubleValue()).isGreaterThan(0);
            }
        }
    }

    @Test
    void aBadImageOnAnExecutorFailsWithTheDataErrorNamingTheFile() throws Exception {
        Path folder = photos(dir.resolve("bad"), 120);
        DataSplits data = streamed(folder);
        RemoteFeaturization.Records records = data.train().stream().records().orElseThrow();
        String victim = records.paths().get(records.paths().size() - 3); // late in the split: not the first image
        Files.write(folder.resolve(victim), "not a jpeg at all".getBytes());
        ComputationGraph net = frozenCnn();
        try (StreamedFeatures remote = new StreamedFeatures()) {
            assertThatThrownBy(() -> remote.featurize(new SparkFeaturization(LOCAL2), records, net, dir, done -> { }))
                    .isInstanceOf(DataException.class)
                    .hasMessageContaining(victim)
                    .hasMessageContaining("fetch-dataset");
        }
    }

    @Test
    void aRecordEscapingTheDataRootIsRefused() throws Exception {
        Path folder = photos(dir.resolve("escape"), 40);
        Files.write(dir.resolve("outside.jpg"), Files.readAllBytes(folder.resolve("red/0000.jpg")));
        DataSplits data = streamed(folder);
        RemoteFeaturization.Records listed = data.train().stream().records().orElseThrow();
        ComputationGraph net = frozenCnn();
        for (String hostile : List.of("../outside.jpg", "red/../../outside.jpg", dir.resolve("outside.jpg").toString(),
                "file:" + dir.resolve("outside.jpg"))) {
            List<String> paths = new java.util.ArrayList<>(listed.paths());
            paths.set(1, hostile);
            RemoteFeaturization.Records records = new RemoteFeaturization.Records(listed.split(), listed.root(), paths,
                    listed.exampleShape(), listed.decoder());
            try (StreamedFeatures remote = new StreamedFeatures()) {
                assertThatThrownBy(() -> remote.featurize(new SparkFeaturization(LOCAL2), records, net, dir, d -> { }))
                        .as(hostile)
                        .isInstanceOf(DataException.class)
                        .hasMessageContaining("is not a path under the data root")
                        .hasMessageContaining(hostile);
            }
        }
    }
}
