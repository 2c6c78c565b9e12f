package dev.graft.bench;

import dev.graft.data.DataFormat;
import dev.graft.data.DataSplits;
import dev.graft.data.DatasetLoader;
import dev.graft.data.FetchSpec;
import dev.graft.engine.GraftEngine;
import dev.graft.engine.StepRegistry;
import dev.graft.model.ModelFiles;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.RunContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.transferlearning.TransferLearningHelper;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.adapter.SingletonDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Benchmark: the frozen-backbone transfer recipe (conv1, conv2 and dense 500 frozen, new softmax head, Adam
 * 1e-3, batch 64, 5 epochs) through a Graft YAML route and through the equivalent plain DL4J program, on the
 * full Fashion-MNIST (classes 5-9), naive (full forward passes) and featurize-once. Prints one line per case
 * with the median seconds per epoch over the repetitions and the Graft / plain DL4J ratio, and a JSON line.
 *
 * <p>Run with {@code bench/run.sh} (not part of the test suite).
 */
public final class TransferBench {

    private static final int EPOCHS = 5;

    public static void main(String[] args) throws Exception {
        Path data = Path.of(System.getProperty("bench.data", "/usr/share/datasets/fashion-mnist"));
        Path registry = Path.of(System.getProperty("bench.registry", "target/bench-registry"));
        int reps = Integer.getInteger("bench.reps", 3);
        List<Integer> sizes = new ArrayList<>();
        for (String s : System.getProperty("bench.sizes", "2000").split(",")) {
            sizes.add(Integer.parseInt(s.trim()));
        }
        Map<String, String> props = Map.of("graft.data", data.toString(), "graft.registry", registry.toString(),
                "graft.pretrainEpochs", System.getProperty("bench.pretrainEpochs", "1"));
        if (new ModelRegistry(registry).resolve("lenet-fashion-0-4", "champion").isEmpty()) {
            long t = System.nanoTime();
            runRoute(Path.of("routes/pretrain-backbone.yaml"), "pretrain-backbone", props);
            System.out.printf(Locale.ROOT, "pretrain (route, %s epoch(s) on 30k): %.1f s%n", props.get("graft.pretrainEpochs"),
                    (System.nanoTime() - t) / 1e9);
        }
        Path backbone = new ModelRegistry(registry).resolve("lenet-fashion-0-4", "champion").orElseThrow().modelFile();
        StringBuilder json = new StringBuilder("{");
        for (int n : sizes) {
            for (boolean featurize : new boolean[] {false, true}) {
                List<Double> graft = new ArrayList<>();
                List<Double> plain = new ArrayList<>();
                double graftAcc = 0;
                double plainAcc = 0;
                for (int r = 0; r < reps + 1; r++) { // the first round warms up and is not counted
                    Map<String, String> p = new java.util.HashMap<>(props);
                    p.put("bench.trainLimit", String.valueOf(n));
                    p.put("bench.featurize", String.valueOf(featurize));
                    RunContext run = runRoute(Path.of("bench/frozen-transfer.yaml"), "bench-frozen-transfer", p);
                    double g = run.history().orElseThrow().epochs().stream().mapToDouble(e -> e.seconds()).sum()
                            + run.history().orElseThrow().featurizeSeconds();
                    double[] pl = plainDl4j(backbone, data, n, featurize);
                    if (r > 0) {
                        graft.add(g);
                        plain.add(pl[0]);
                    }
                    graftAcc = run.evaluation().orElseThrow().accuracy();
                    plainAcc = pl[1];
                }
                String name = (featurize ? "featurize-once" : "naive") + " " + n;
                double gm = median(graft);
                double pm = median(plain);
                System.out.printf(Locale.ROOT, "%-22s graft %7.2f s  plain DL4J %7.2f s  ratio %.2f  (acc %.4f / %.4f; "
                        + "runs graft %s plain %s)%n", name, gm, pm, gm / pm, graftAcc, plainAcc, graft, plain);
                json.append(String.format(Locale.ROOT, "\"%s\": {\"graft_s\": %.3f, \"plain_s\": %.3f, \"ratio\": %.3f}, ",
                        name.replace(' ', '_'), gm, pm, gm / pm));
            }
        }
        System.out.println(json.append("\"peak_rss_mb\": ").append(peakRssMb()).append("}"));
    }

    private static RunContext runRoute(Path file, String id, Map<String, String> props) {
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), props)) {
            engine.load(file);
            engine.prepareRunOnce();
            return engine.runOnce(id);
        }
    }

    /** The same recipe written directly against DL4J's TransferLearning API; returns {train seconds, accuracy}. */
    static double[] plainDl4j(Path backboneFile, Path data, int n, boolean featurize) throws Exception {
        FetchSpec spec = new FetchSpec(data.toString(), DataFormat.IDX, 0.2, 0, List.of(5, 6, 7, 8, 9), true, n, 0,
                255, 12345, 0, 0, "label");
        DataSplits splits = DatasetLoader.load(spec, null);
        ComputationGraph backbone = ModelFiles.load(backboneFile);
        Nd4j.getRandom().setSeed(12345);
        ComputationGraph net = new TransferLearning.GraphBuilder(backbone)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(1e-3)).seed(12345).build())
                .setFeatureExtractor("dense1")
                .removeVertexAndConnections("output")
                .addLayer("head", new OutputLayer.Builder(LossFunction.MCXENT).nIn(500).nOut(5)
                        .activation(Activation.SOFTMAX).build(), "dense1")
                .setOutputs("head").build();
        DataSet train = splits.train().toDataSet();
        long start = System.nanoTime();
        if (featurize) {
            TransferLearningHelper helper = new TransferLearningHelper(net);
            List<DataSet> featurized = new ArrayList<>();
            for (DataSet batch : train.batchBy(512)) {
                featurized.add(helper.featurize(batch));
            }
            DataSet all = DataSet.merge(featurized);
            for (int e = 0; e < EPOCHS; e++) {
                all.shuffle(12345 + e);
                for (DataSet batch : all.batchBy(64)) {
                    helper.fitFeaturized(new SingletonDataSetIterator(batch));
                }
            }
        } else {
            for (int e = 0; e < EPOCHS; e++) {
                train.shuffle(12345 + e);
                for (DataSet batch : train.batchBy(64)) {
                    net.fit(batch);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Evaluation eval = net.evaluate(new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(
                splits.test().toDataSet().asList(), 512));
        return new double[] {seconds, eval.accuracy()};
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int m = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
    }

    static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}
