package dev.graft.bench;

import dev.graft.data.DataFormat;
import dev.graft.spi.DataSplits;
import dev.graft.data.DatasetLoader;
import dev.graft.data.FetchSpec;
import dev.graft.data.LimitSample;
import dev.graft.engine.GraftEngine;
import dev.graft.engine.StepRegistry;
import dev.graft.modelio.ModelFiles;
import dev.graft.nd4j.NativeHelpers;
import dev.graft.spi.TrainingHistory;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.RunContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.transferlearning.TransferLearningHelper;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.adapter.SingletonDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Benchmark harness: the LeNet transfer recipes on the full Fashion-MNIST, each through a Graft YAML route and
 * through the equivalent plain DL4J program, back to back, in one JVM.
 *
 * <p>Cases: {@code pretrain} (one epoch on the ~30k images of classes 0-4), {@code naive} and {@code featurize}
 * (conv1, conv2 and dense 500 frozen, a new softmax head, Adam 1e-3, batch 64, 5 epochs, on the first N images of
 * classes 5-9; naive runs the frozen layers every minibatch, featurize-once computes their output once) and
 * {@code twophase} (the featurize recipe, then conv2, dense1 and the head reopened for 2 epochs at 3e-4).
 * Graft's time is its {@code train} steps' wall time as the run records it (everything the step does: copying the
 * model, featurizing, the epochs, the per-epoch accuracies); the plain program's is its featurize and fit loops.
 *
 * <p>Plain DL4J runs twice: as DL4J ships ({@code plain}: oneDNN helpers off) and with the helpers on as Graft
 * switches them on ({@code plain+onednn}), so the Graft / plain+onednn ratio is the engine's own overhead and
 * Graft / plain is what a DL4J user gains. The first round warms up and is not counted; the others alternate
 * Graft and plain so machine noise spreads over both. Prints a line per case and writes all runs as JSON to
 * {@code bench.out} (default {@code target/bench/graft.json}) for {@code bench/compare.py}.
 *
 * <p>Properties: {@code bench.cases} (default pretrain,naive,featurize,twophase), {@code bench.sizes} (2000),
 * {@code bench.reps} (3), {@code bench.pretrainReps} (1), {@code bench.twoPhaseSizes} (2000), {@code bench.data},
 * {@code bench.registry}.
 * Run with {@code bench/run.sh} (not part of the test suite).
 */
public final class TransferBench {

    private static final int EPOCHS = 5;
    private static final long SEED = 12345;
    /** bench.plainDefault=false skips plain DL4J without oneDNN (slow on big cases; its ratio is then missing). */
    private static final boolean PLAIN_DEFAULT = Boolean.parseBoolean(System.getProperty("bench.plainDefault", "true"));
    private static final double[] NONE = {Double.NaN, Double.NaN, Double.NaN};

    private final Path data;
    private final Path registry;
    private final Map<String, Object> json = new LinkedHashMap<>();

    private TransferBench(Path data, Path registry) {
        this.data = data;
        this.registry = registry;
    }

    public static void main(String[] args) throws Exception {
        NativeHelpers.install(dev.graft.training.Tuning.fromSystemProperties().nativeHelpers());
        TransferBench bench = new TransferBench(Path.of(System.getProperty("bench.data", "/usr/share/datasets/fashion-mnist")),
                Path.of(System.getProperty("bench.registry", "target/bench-registry")));
        List<String> cases = List.of(System.getProperty("bench.cases", "pretrain,naive,featurize,twophase").split(","));
        int reps = Integer.getInteger("bench.reps", 3);
        List<Integer> sizes = new ArrayList<>();
        for (String s : System.getProperty("bench.sizes", "2000").split(",")) {
            sizes.add(Integer.parseInt(s.trim()));
        }
        List<String> twoPhaseSizes = List.of(System.getProperty("bench.twoPhaseSizes", "2000").split(","));
        bench.ensureBackbone();
        if (cases.contains("pretrain")) {
            bench.pretrain(Integer.getInteger("bench.pretrainReps", 1));
        }
        for (int n : sizes) {
            if (cases.contains("naive")) {
                bench.transfer(n, false, reps);
            }
            if (cases.contains("featurize")) {
                bench.transfer(n, true, reps);
            }
            if (cases.contains("twophase") && twoPhaseSizes.contains(String.valueOf(n))) {
                bench.twoPhase(n, reps);
            }
            if (cases.contains("cache")) {
                bench.featureCache(n, reps);
            }
        }
        bench.json.put("peak_rss_mb", peakRssMb());
        bench.json.put("cores", Runtime.getRuntime().availableProcessors());
        Path out = Path.of(System.getProperty("bench.out", "target/bench/graft.json"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, toJson(bench.json) + "\n");
        System.out.println("peak RSS of this JVM: " + peakRssMb() + " MB; runs written to " + out);
    }

    // ------------------------------------------------------------------ cases

    private void ensureBackbone() {
        if (new ModelRegistry(registry).resolve("lenet-fashion-0-4", "champion").isEmpty()) {
            long t = System.nanoTime();
            runRoute(Path.of("routes/pretrain-backbone.yaml"), "pretrain-backbone", Map.of("graft.pretrainEpochs", "1"));
            System.out.printf(Locale.ROOT, "backbone for the transfer cases: 1 epoch on classes 0-4 in %.1f s%n",
                    (System.nanoTime() - t) / 1e9);
        }
    }

    private void pretrain(int reps) throws Exception {
        DataSplits splits = load(List.of(0, 1, 2, 3, 4), 0);
        Case c = new Case("pretrain_epoch_" + splits.train().size());
        for (int r = 0; r < reps + 1; r++) {
            RunContext run = runRoute(Path.of("bench/pretrain.yaml"), "bench-pretrain", Map.of("bench.epochs", "1"));
            double[] plain = helpers(false, () -> plainPretrain(splits));
            double[] plainOneDnn = helpers(true, () -> plainPretrain(splits));
            if (r > 0) {
                c.add("graft", trainSeconds(run), accuracy(run));
                c.add("graft_epoch", run.history().orElseThrow().epochs().get(0).seconds(), accuracy(run));
                c.add("plain", plain[0], plain[1]);
                c.add("plain_onednn", plainOneDnn[0], plainOneDnn[1]);
            }
        }
        c.print();
    }

    private void transfer(int n, boolean featurize, int reps) throws Exception {
        DataSplits splits = load(List.of(5, 6, 7, 8, 9), n);
        Path backbone = backboneFile();
        Case c = new Case((featurize ? "featurize_" : "naive_") + splits.train().size());
        Case head = featurize ? new Case("head_epoch_" + splits.train().size()) : null;
        for (int r = 0; r < reps + 1; r++) {
            RunContext run = runRoute(Path.of("bench/frozen-transfer.yaml"), "bench-frozen-transfer",
                    Map.of("bench.trainLimit", String.valueOf(n), "bench.featurize", String.valueOf(featurize)));
            double[] plain = PLAIN_DEFAULT ? helpers(false, () -> plainTransfer(backbone, splits, featurize)) : NONE;
            double[] plainOneDnn = helpers(true, () -> plainTransfer(backbone, splits, featurize));
            if (r > 0) {
                c.add("graft", trainSeconds(run), accuracy(run));
                c.add("plain", plain[0], plain[1]);
                c.add("plain_onednn", plainOneDnn[0], plainOneDnn[1]);
                if (featurize) {
                    TrainingHistory h = run.history().orElseThrow();
                    c.add("graft_featurize", h.featurizeSeconds(), accuracy(run));
                    head.add("graft", median(h.epochs().stream().map(e -> e.seconds()).toList()), accuracy(run));
                    head.add("plain", plain[2], plain[1]);
                    head.add("plain_onednn", plainOneDnn[2], plainOneDnn[1]);
                }
            }
        }
        c.print();
        if (head != null) {
            head.print();
        }
    }

    private void twoPhase(int n, int reps) throws Exception {
        DataSplits splits = load(List.of(5, 6, 7, 8, 9), n);
        Path backbone = backboneFile();
        Case c = new Case("two_phase_" + splits.train().size());
        for (int r = 0; r < reps + 1; r++) {
            RunContext run = runRoute(Path.of("bench/two-phase.yaml"), "bench-two-phase",
                    Map.of("bench.trainLimit", String.valueOf(n)));
            double[] plain = helpers(false, () -> plainTwoPhase(backbone, splits));
            double[] plainOneDnn = helpers(true, () -> plainTwoPhase(backbone, splits));
            if (r > 0) {
                c.add("graft", trainSeconds(run), accuracy(run));
                c.add("plain", plain[0], plain[1]);
                c.add("plain_onednn", plainOneDnn[0], plainOneDnn[1]);
            }
        }
        c.print();
    }

    /**
     * A retrain on unchanged data as a service does it, in this warm JVM: the train step with an empty feature
     * cache (featurizes and stores) against the same route again (loads); one cold and one warm run a round.
     */
    private void featureCache(int n, int reps) throws Exception {
        Path dir = Files.createTempDirectory("graft-bench-cache");
        List<Double> cold = new ArrayList<>();
        List<Double> warm = new ArrayList<>();
        double accuracy = Double.NaN;
        for (int r = 0; r < reps + 1; r++) {
            try (var entries = Files.list(dir)) {
                for (Path entry : entries.toList()) {
                    Files.delete(entry);
                }
            }
            Map<String, String> props = Map.of("bench.trainLimit", String.valueOf(n), "bench.cache", dir.toString());
            RunContext first = runRoute(Path.of("bench/cached-transfer.yaml"), "bench-cached-transfer", props);
            RunContext second = runRoute(Path.of("bench/cached-transfer.yaml"), "bench-cached-transfer", props);
            if (!first.history().orElseThrow().featuresFromCache() && second.history().orElseThrow().featuresFromCache()
                    && r > 0) {
                cold.add(trainSeconds(first));
                warm.add(trainSeconds(second));
                accuracy = accuracy(second);
            }
        }
        double c = median(cold);
        double w = median(warm);
        System.out.printf(Locale.ROOT, "%-22s cold %7.3f s  warm %7.3f s  cold/warm %5.1f  (train step, this JVM, "
                + "medians of %d; test accuracy %.4f)%n", "feature_cache_" + n, c, w, c / w, cold.size(), accuracy);
        json.put("feature_cache_" + n, Map.of("cold_s", cold, "warm_s", warm, "cold_over_warm", c / w,
                "accuracy", accuracy));
    }

    // ------------------------------------------------------------------ plain DL4J programs

    /** One epoch of the LeNet recipe written directly against DL4J; {seconds, test accuracy}. */
    static double[] plainPretrain(DataSplits splits) {
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(SEED).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Adam(1e-3))
                .graphBuilder().addInputs("input").setInputTypes(InputType.convolutional(28, 28, 1))
                .addLayer("conv1", new ConvolutionLayer.Builder(5, 5).nOut(20).activation(Activation.RELU).build(), "input")
                .addLayer("pool1", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).build(), "conv1")
                .addLayer("conv2", new ConvolutionLayer.Builder(5, 5).nOut(50).activation(Activation.RELU).build(), "pool1")
                .addLayer("pool2", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).build(), "conv2")
                .addLayer("dense1", new DenseLayer.Builder().nOut(500).activation(Activation.RELU).build(), "pool2")
                .addLayer("output", new OutputLayer.Builder(LossFunction.MCXENT).nOut(5)
                        .activation(Activation.SOFTMAX).build(), "dense1")
                .setOutputs("output").build());
        net.init();
        DataSet train = splits.train().toDataSet();
        long start = System.nanoTime();
        train.shuffle(SEED);
        for (DataSet batch : train.batchBy(64)) {
            net.fit(batch);
        }
        return new double[] {(System.nanoTime() - start) / 1e9, testAccuracy(net, splits)};
    }

    private static ComputationGraph frozenTransfer(Path backboneFile, String frozenUpTo, double learningRate) {
        ComputationGraph backbone = ModelFiles.load(backboneFile);
        Nd4j.getRandom().setSeed(SEED);
        return new TransferLearning.GraphBuilder(backbone)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(learningRate)).seed(SEED).build())
                .setFeatureExtractor(frozenUpTo)
                .removeVertexAndConnections("output")
                .addLayer("head", new OutputLayer.Builder(LossFunction.MCXENT).nIn(500).nOut(5)
                        .activation(Activation.SOFTMAX).build(), "dense1")
                .setOutputs("head").build();
    }

    /** The frozen transfer recipe with DL4J's TransferLearning API; {seconds, test accuracy, head epoch seconds}. */
    static double[] plainTransfer(Path backboneFile, DataSplits splits, boolean featurize) {
        ComputationGraph net = frozenTransfer(backboneFile, "dense1", 1e-3);
        DataSet train = splits.train().toDataSet();
        long start = System.nanoTime();
        List<Double> epochSeconds = new ArrayList<>();
        if (featurize) {
            fitFeaturized(net, train, EPOCHS, epochSeconds);
        } else {
            for (int e = 0; e < EPOCHS; e++) {
                train.shuffle(SEED + e);
                for (DataSet batch : train.batchBy(64)) {
                    net.fit(batch);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new double[] {seconds, testAccuracy(net, splits), featurize ? median(epochSeconds) : Double.NaN};
    }

    /** Featurize with TransferLearningHelper, then fit the head on the features; records each epoch's seconds. */
    private static void fitFeaturized(ComputationGraph net, DataSet train, int epochs, List<Double> epochSeconds) {
        TransferLearningHelper helper = new TransferLearningHelper(net);
        List<DataSet> featurized = new ArrayList<>();
        for (DataSet batch : train.batchBy(512)) {
            featurized.add(helper.featurize(batch));
        }
        DataSet all = DataSet.merge(featurized);
        for (int e = 0; e < epochs; e++) {
            long t = System.nanoTime();
            all.shuffle(SEED + e);
            for (DataSet batch : all.batchBy(64)) {
                helper.fitFeaturized(new SingletonDataSetIterator(batch));
            }
            epochSeconds.add((System.nanoTime() - t) / 1e9);
        }
    }

    /** Phase 1 featurized (5 epochs), then conv2, dense1 and the head trained for 2 epochs at 3e-4. */
    static double[] plainTwoPhase(Path backboneFile, DataSplits splits) {
        ComputationGraph phase1 = frozenTransfer(backboneFile, "dense1", 1e-3);
        DataSet train = splits.train().toDataSet();
        long start = System.nanoTime();
        fitFeaturized(phase1, train, EPOCHS, new ArrayList<>());
        ComputationGraph phase2 = frozenTransfer(backboneFile, "pool1", 3e-4);
        phase2.getLayer("head").setParams(phase1.getLayer("head").params().dup());
        for (int e = 0; e < 2; e++) {
            train.shuffle(SEED + 10 + e);
            for (DataSet batch : train.batchBy(64)) {
                phase2.fit(batch);
            }
        }
        return new double[] {(System.nanoTime() - start) / 1e9, testAccuracy(phase2, splits)};
    }

    // ------------------------------------------------------------------ plumbing

    private DataSplits load(List<Integer> classes, int limit) throws Exception {
        // the first N images in file order, as every benchmark round so far, so the figures stay comparable
        FetchSpec spec = new FetchSpec(data.toString(), DataFormat.IDX, 0.2, 0, classes, true, limit, 0, 255, SEED,
                0, 0, "label").withLimitSample(LimitSample.FIRST);
        return DatasetLoader.load(spec, null);
    }

    private Path backboneFile() {
        return new ModelRegistry(registry).resolve("lenet-fashion-0-4", "champion").orElseThrow().modelFile();
    }

    private RunContext runRoute(Path file, String id, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>(extra);
        props.put("graft.data", data.toString());
        props.put("graft.registry", registry.toString());
        System.gc(); // as before each plain run; not timed
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), props)) {
            engine.load(file);
            engine.prepareRunOnce();
            return engine.runOnce(id);
        }
    }

    /** Runs {@code work} with DL4J's native helpers on or off for the layers it creates. */
    private static double[] helpers(boolean on, Supplier<double[]> work) {
        System.gc(); // native memory of earlier runs is freed when their arrays are collected; not timed
        String before = System.getProperty(NativeHelpers.DL4J_PROPERTY);
        System.setProperty(NativeHelpers.DL4J_PROPERTY, String.valueOf(!on));
        try {
            return work.get();
        } finally {
            if (before == null) {
                System.clearProperty(NativeHelpers.DL4J_PROPERTY);
            } else {
                System.setProperty(NativeHelpers.DL4J_PROPERTY, before);
            }
        }
    }

    private static double trainSeconds(RunContext run) {
        return run.timings().stream().filter(t -> t.step().equals("train")).mapToDouble(RunContext.StepTiming::seconds).sum();
    }

    private static double accuracy(RunContext run) {
        return run.evaluation().orElseThrow().accuracy();
    }

    private static double testAccuracy(ComputationGraph net, DataSplits splits) {
        Evaluation eval = net.evaluate(new ListDataSetIterator<>(splits.test().toDataSet().asList(), 512));
        return eval.accuracy();
    }

    /** One case's runs by implementation. */
    private final class Case {
        private final String name;
        private final Map<String, List<Double>> seconds = new LinkedHashMap<>();
        private final Map<String, Double> accuracy = new LinkedHashMap<>();

        Case(String name) {
            this.name = name;
        }

        void add(String impl, double s, double acc) {
            seconds.computeIfAbsent(impl, k -> new ArrayList<>()).add(s);
            accuracy.put(impl, acc);
        }

        void print() {
            double graft = median(seconds.get("graft"));
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-22s graft %7.3f s", name, graft));
            for (String impl : List.of("plain", "plain_onednn")) {
                double p = median(seconds.get(impl));
                if (Double.isNaN(p)) {
                    continue;
                }
                line.append(String.format(Locale.ROOT, " | %s %7.3f s, graft/%s %.2f", impl, p, impl, graft / p));
            }
            line.append(String.format(Locale.ROOT, " | acc graft %.4f plain %.4f | runs %s", accuracy.get("graft"),
                    accuracy.get("plain"), seconds));
            System.out.println(line);
            Map<String, Object> entry = new LinkedHashMap<>();
            seconds.forEach((impl, runs) -> {
                entry.put(impl + "_s", median(runs));
                entry.put(impl + "_runs", runs);
            });
            entry.put("accuracy", accuracy);
            json.put(name, entry);
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int m = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
    }

    @SuppressWarnings("unchecked")
    static String toJson(Object o) {
        if (o instanceof Map<?, ?> m) {
            List<String> parts = new ArrayList<>();
            ((Map<String, Object>) m).forEach((k, v) -> parts.add("\"" + k + "\": " + toJson(v)));
            return "{" + String.join(", ", parts) + "}";
        }
        if (o instanceof List<?> l) {
            return "[" + String.join(", ", l.stream().map(TransferBench::toJson).toList()) + "]";
        }
        if (o instanceof Double d) {
            return d.isNaN() ? "null" : String.format(Locale.ROOT, "%.4f", d);
        }
        return String.valueOf(o);
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
