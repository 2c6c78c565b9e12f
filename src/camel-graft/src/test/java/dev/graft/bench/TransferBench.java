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
import dev.graft.spi.EpochRecord;
import dev.graft.spi.Examples;
import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.HeadLayer;
import dev.graft.surgery.Pooling;
import dev.graft.training.LearningRateSchedule;
import dev.graft.training.Trainer;
import dev.graft.training.fastpath.LocalTraining;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 * {@code bench.reps} (3), {@code bench.pretrainReps} (1), {@code bench.warmup} (true: an uncounted first
 * round), {@code bench.twoPhaseSizes} (2000), {@code bench.ttaTarget} (0.93), {@code bench.plainOrder} (graft; dl4j
 * for DataSet.shuffle's order), {@code bench.shared} (target/bench/shared), {@code bench.data},
 * {@code bench.registry}.
 * Run with {@code bench/run.sh} (not part of the test suite).
 */
public final class TransferBench {

    private static final int EPOCHS = 5;
    /** The two-phase case's second phase: epochs at 3e-4 with conv2, dense1 and the head open (bench/two-phase.yaml). */
    private static final int TWO_PHASE_EPOCHS = 2;
    /**
     * The pretraining case's epochs and learning-rate schedule (bench.pretrainEpochs, bench.pretrainSchedule): three
     * epochs with the rate cut tenfold for the last, so that the test accuracy it ends on is a converged one that
     * rounding differences between the sides do not move by a point (one epoch at a constant rate did).
     */
    static final int PRETRAIN_EPOCHS = Integer.getInteger("bench.pretrainEpochs", 3);
    static final String PRETRAIN_SCHEDULE_TEXT = System.getProperty("bench.pretrainSchedule", "step(0.1,2)");
    static final LearningRateSchedule PRETRAIN_SCHEDULE = LearningRateSchedule.parse(PRETRAIN_SCHEDULE_TEXT);
    private static final long SEED = 12345;
    /** bench.plainDefault=false skips plain DL4J without oneDNN (slow on big cases; its ratio is then missing). */
    private static final boolean PLAIN_DEFAULT = Boolean.parseBoolean(System.getProperty("bench.plainDefault", "true"));
    private static final double[] NONE = {Double.NaN, Double.NaN, Double.NaN};

    /** The layers the PyTorch peer loads: every layer with parameters. */
    private static final List<String> LENET_LAYERS = List.of("conv1", "conv2", "dense1", "output");
    /** The head epochs the time-to-accuracy case may run before it gives up. */
    static final int TTA_MAX_EPOCHS = 20;
    /** bench.ttaTarget: the test accuracy the time-to-accuracy case trains to (default 0.93 on classes 5-9). */
    static final double TTA_TARGET = Double.parseDouble(System.getProperty("bench.ttaTarget", "0.93"));
    /** bench.warmup=false: no uncounted first round (for checking accuracies on a busy machine, not for timing). */
    private static final int FIRST_ROUND = Boolean.parseBoolean(System.getProperty("bench.warmup", "true")) ? 0 : 1;
    /** bench.plainOrder=dl4j: plain DL4J shuffles with DataSet.shuffle as earlier rounds did, not Graft's order. */
    private static final boolean DL4J_ORDER = "dl4j".equals(System.getProperty("bench.plainOrder"));

    private final Path data;
    private final Path registry;
    private final Map<String, Object> json = new LinkedHashMap<>();
    /** The local loop's per-epoch orders by case: "pretrain" and each transfer size. */
    private final Map<String, int[][]> orders = new HashMap<>();
    /** The new head's start weights, the same for Graft, plain DL4J and the peer. */
    private INDArray headStart;

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
        bench.share(sizes, (cases.contains("twophase") ? twoPhaseSizes : List.<String>of()).stream()
                        .map(Integer::parseInt).filter(sizes::contains).toList(), Integer.getInteger("bench.pretrainReps", 1),
                Path.of(System.getProperty("bench.shared", "target/bench/shared")));
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
            if (cases.contains("tta") && n == sizes.stream().mapToInt(Integer::intValue).max().orElse(n)) {
                bench.timeToAccuracy(n, reps);
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

    /**
     * Writes the shared weights, labels, orders and reference features for the PyTorch peer to {@code dir}
     * ({@link SharedBackbone}) and keeps the orders and the head's start for the plain DL4J programs.
     */
    private void share(List<Integer> sizes, List<Integer> twoPhaseSizes, int pretrainReps, Path dir) throws Exception {
        SharedBackbone s = new SharedBackbone(dir);
        DataSplits pre = load(List.of(0, 1, 2, 3, 4), 0);
        s.writeLayers("init", plainLenet(), LENET_LAYERS);
        ComputationGraph backbone = ModelFiles.load(backboneFile());
        s.writeLayers("backbone", backbone, LENET_LAYERS);
        s.writeLabels("labels-pretrain-train.npy", pre.train().labels());
        s.writeLabels("labels-pretrain-test.npy", pre.test().labels());
        orders.put("pretrain", s.writeOrder("order-pretrain.npy", pre.train().size(), PRETRAIN_EPOCHS, SEED));
        DataSplits first = null;
        for (int n : sizes) {
            DataSplits t = load(List.of(5, 6, 7, 8, 9), n);
            s.writeLabels("labels-transfer-train-" + n + ".npy", t.train().labels());
            orders.put("transfer_" + t.train().size(), s.writeOrder("order-transfer-" + n + ".npy", t.train().size(),
                    TTA_MAX_EPOCHS, SEED));
            first = first == null ? t : first;
        }
        headStart = s.writeHead(frozenBackbone(backbone), first, SEED);
        s.writeLabels("labels-transfer-test.npy", first.test().labels());
        s.writeFeatures(backbone, first.test().features());
        Map<String, Object> m = s.manifest();
        m.put("data", data.toString());
        m.put("seed", SEED);
        m.put("batch_size", 64);
        m.put("learning_rate", 1e-3);
        m.put("pretrain_classes", List.of(0, 1, 2, 3, 4));
        m.put("pretrain_classes_count", pre.numClasses());
        m.put("pretrain_reps", pretrainReps);
        m.put("pretrain_learning_rates", pretrainRates());
        m.put("transfer_classes", List.of(5, 6, 7, 8, 9));
        m.put("transfer_epochs", EPOCHS);
        m.put("two_phase_epochs", TWO_PHASE_EPOCHS);
        m.put("two_phase_learning_rate", 3e-4);
        m.put("two_phase_sizes", twoPhaseSizes);
        m.put("sizes", sizes);
        m.put("tta_target", TTA_TARGET);
        m.put("tta_max_epochs", TTA_MAX_EPOCHS);
        m.put("warmup", FIRST_ROUND == 0);
        s.writeManifest();
    }

    /** The backbone frozen up to dense1, as the routes' freeze-layers?upTo=dense1 leaves it. */
    private static ComputationGraph frozenBackbone(ComputationGraph backbone) {
        return GraphSurgery.freeze(backbone, List.of("conv1", "pool1", "conv2", "pool2", "dense1"));
    }

    /**
     * Trains the frozen transfer's head, featurized once, until its test accuracy reaches {@link #TTA_TARGET}:
     * Graft's train loop ({@link Trainer} on the local engine, as the train step runs it) with the test split as
     * its validation split, so the per-epoch accuracy is on the test images and outside the epochs' time. The
     * time is featurizing (train and test images) plus the epochs up to the first that reaches the target.
     */
    private void timeToAccuracy(int n, int reps) throws Exception {
        DataSplits splits = load(List.of(5, 6, 7, 8, 9), n);
        DataSplits withTest = new DataSplits(splits.train(), splits.test(), splits.test(), splits.classNames(),
                splits.exampleShape(), splits.sha256(), splits.source());
        ComputationGraph model = frozenBackbone(ModelFiles.load(backboneFile()));
        model = GraphSurgery.withHead(model, List.of("dense1"), HeadLayer.parseAll(SharedBackbone.HEAD),
                Pooling.FLATTEN, GraphSurgery.inputTypes(splits.exampleShape()), splits.numClasses(), SEED, src -> {
                    throw new IllegalStateException("no model blocks here");
                });
        Case c = new Case("tta_" + splits.train().size());
        int reachedAt = -1;
        List<Double> accuracies = new ArrayList<>();
        for (int r = FIRST_ROUND; r < reps + 1; r++) {
            System.gc();
            Trainer.Result result = LocalTraining.train(model, withTest, new Trainer.Settings(TTA_MAX_EPOCHS, 64,
                    new Adam(1e-3), SEED, true), (record, epochs) -> { });
            double seconds = result.history().featurizeSeconds();
            accuracies.clear();
            reachedAt = -1;
            for (EpochRecord e : result.history().epochs()) {
                accuracies.add(e.validationAccuracy());
                if (reachedAt < 0) {
                    seconds += e.seconds();
                    if (e.validationAccuracy() >= TTA_TARGET) {
                        reachedAt = e.epoch();
                    }
                }
            }
            if (r > 0 && reachedAt > 0) {
                c.add("graft", seconds, accuracies.get(reachedAt - 1));
            }
        }
        System.out.printf(Locale.ROOT, "time to test accuracy %.2f: graft reached it at epoch %d; per-epoch %s%n",
                TTA_TARGET, reachedAt, accuracies);
        if (reachedAt > 0) {
            c.print();
        }
        json.put("tta_" + splits.train().size() + "_epochs", Map.of("target", TTA_TARGET, "reached_at_epoch", reachedAt,
                "per_epoch_accuracy", List.copyOf(accuracies)));
    }

    private void pretrain(int reps) throws Exception {
        DataSplits splits = load(List.of(0, 1, 2, 3, 4), 0);
        Case c = new Case("pretrain_" + splits.train().size());
        List<Double> epochSeconds = new ArrayList<>();
        for (int r = FIRST_ROUND; r < reps + 1; r++) {
            RunContext run = runRoute(Path.of("bench/pretrain.yaml"), "bench-pretrain", Map.of("bench.epochs",
                    String.valueOf(PRETRAIN_EPOCHS), "bench.schedule", PRETRAIN_SCHEDULE_TEXT));
            int[][] order = orders.get("pretrain");
            double[] plain = PLAIN_DEFAULT ? helpers(false, () -> plainPretrain(splits, order)) : NONE;
            double[] plainOneDnn = helpers(true, () -> plainPretrain(splits, order));
            if (r > 0) {
                List<Double> epochs = run.history().orElseThrow().epochs().stream().map(e -> e.seconds()).toList();
                c.add("graft", trainSeconds(run), accuracy(run));
                c.add("graft_epoch", median(epochs), accuracy(run));
                c.add("plain", plain[0], plain[1]);
                c.add("plain_onednn", plainOneDnn[0], plainOneDnn[1]);
                epochSeconds.addAll(epochs);
            }
        }
        c.print();
        double gflop = LENET_TRAIN_FLOP_PER_IMAGE * splits.train().size() / 1e9;
        double rate = gflop / median(epochSeconds);
        double sgemm = MobileNetBench.sgemmGflops();
        System.out.printf(Locale.ROOT, "pretraining throughput: %.0f GFLOP an epoch (%.2f MFLOP an image), graft epoch "
                + "%.2f s (median of %d) = %.1f GFLOP/s; 1024x1024 SGEMM in this run %.1f GFLOP/s; ratio %.2f%n",
                gflop, LENET_TRAIN_FLOP_PER_IMAGE / 1e6, median(epochSeconds), epochSeconds.size(), rate, sgemm,
                rate / sgemm);
        json.put("pretrain_throughput", Map.of("gflop_per_epoch", gflop, "gflops", rate, "sgemm_gflops", sgemm,
                "ratio", rate / sgemm));
    }

    /** The pretraining case's learning rate in each epoch, as its schedule gives it. */
    static List<Double> pretrainRates() {
        List<Double> rates = new ArrayList<>();
        for (int e = 0; e < PRETRAIN_EPOCHS; e++) {
            rates.add(PRETRAIN_SCHEDULE.rate(1e-3, e, PRETRAIN_EPOCHS));
        }
        return rates;
    }

    /**
     * The floating-point operations of one LeNet training step per image (create-model's lenet on 28x28x1, 5
     * classes): forward multiply-adds conv1 24*24*20*25, conv2 8*8*50*500, dense1 800*500, output 500*5, at 2
     * FLOP each; the backward pass costs twice the forward (input and weight gradients) except conv1, which needs
     * no input gradient. Pooling, activations and the updater are left out (a few percent).
     */
    static final double LENET_TRAIN_FLOP_PER_IMAGE;

    static {
        double conv1 = 24 * 24 * 20 * 25;
        double rest = 8 * 8 * 50 * 500 + 800 * 500 + 500 * 5;
        LENET_TRAIN_FLOP_PER_IMAGE = 2 * (conv1 * 2 + rest * 3);
    }

    private void transfer(int n, boolean featurize, int reps) throws Exception {
        DataSplits splits = load(List.of(5, 6, 7, 8, 9), n);
        Path backbone = backboneFile();
        Case c = new Case((featurize ? "featurize_" : "naive_") + splits.train().size());
        Case head = featurize ? new Case("head_epoch_" + splits.train().size()) : null;
        for (int r = FIRST_ROUND; r < reps + 1; r++) {
            RunContext run = runRoute(Path.of("bench/frozen-transfer.yaml"), "bench-frozen-transfer",
                    Map.of("bench.trainLimit", String.valueOf(n), "bench.featurize", String.valueOf(featurize)));
            int[][] order = orders.get("transfer_" + splits.train().size());
            double[] plain = PLAIN_DEFAULT ? helpers(false, () -> plainTransfer(backbone, splits, featurize, order,
                    headStart)) : NONE;
            double[] plainOneDnn = helpers(true, () -> plainTransfer(backbone, splits, featurize, order, headStart));
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
        for (int r = FIRST_ROUND; r < reps + 1; r++) {
            RunContext run = runRoute(Path.of("bench/two-phase.yaml"), "bench-two-phase",
                    Map.of("bench.trainLimit", String.valueOf(n)));
            int[][] order = orders.get("transfer_" + splits.train().size());
            double[] plain = PLAIN_DEFAULT ? helpers(false, () -> plainTwoPhase(backbone, splits, order, headStart))
                    : NONE;
            double[] plainOneDnn = helpers(true, () -> plainTwoPhase(backbone, splits, order, headStart));
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
        for (int r = FIRST_ROUND; r < reps + 1; r++) {
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

    /**
     * The LeNet recipe written directly against DL4J, initialised from the seed: create-model's lenet for 5 classes
     * (PretrainPathsTest checks the two start equal), the pretraining start the peer loads.
     */
    static ComputationGraph plainLenet() {
        return plainLenet(new Adam(1e-3));
    }

    /** As {@link #plainLenet()}, trained by {@code updater}. */
    static ComputationGraph plainLenet(org.nd4j.linalg.learning.config.IUpdater updater) {
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(SEED).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(updater)
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
        return net;
    }

    /**
     * The pretraining case's recipe ({@link #PRETRAIN_EPOCHS} epochs, {@link #PRETRAIN_SCHEDULE}) written directly
     * against DL4J, epoch e's minibatches in {@code order[e]} (Graft's permutations; with bench.plainOrder=dl4j
     * DataSet.shuffle's); {seconds, test accuracy}.
     */
    static double[] plainPretrain(DataSplits splits, int[][] order) {
        org.nd4j.linalg.schedule.ISchedule schedule = PRETRAIN_SCHEDULE.toSchedule(1e-3, PRETRAIN_EPOCHS);
        ComputationGraph net = plainLenet(schedule == null ? new Adam(1e-3) : new Adam(schedule));
        DataSet train = splits.train().toDataSet();
        long start = System.nanoTime();
        for (int e = 0; e < PRETRAIN_EPOCHS; e++) {
            net.getConfiguration().setEpochCount(e);
            for (DataSet batch : inOrder(train, order[e], SEED + e).batchBy(64)) {
                net.fit(batch);
            }
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

    /**
     * The frozen transfer recipe with DL4J's TransferLearning API, the head starting from {@code head} and each
     * epoch's minibatches in {@code order[epoch]}; {seconds, test accuracy, head epoch seconds}.
     */
    static double[] plainTransfer(Path backboneFile, DataSplits splits, boolean featurize, int[][] order,
                                  INDArray head) {
        ComputationGraph net = frozenTransfer(backboneFile, "dense1", 1e-3);
        net.getLayer("head").setParams(head.dup());
        DataSet train = splits.train().toDataSet();
        long start = System.nanoTime();
        List<Double> epochSeconds = new ArrayList<>();
        if (featurize) {
            fitFeaturized(net, train, EPOCHS, epochSeconds, order);
        } else {
            for (int e = 0; e < EPOCHS; e++) {
                for (DataSet batch : inOrder(train, order[e], SEED + e).batchBy(64)) {
                    net.fit(batch);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new double[] {seconds, testAccuracy(net, splits), featurize ? median(epochSeconds) : Double.NaN};
    }

    /** Featurize with TransferLearningHelper, then fit the head on the features; records each epoch's seconds. */
    private static void fitFeaturized(ComputationGraph net, DataSet train, int epochs, List<Double> epochSeconds,
                                      int[][] order) {
        TransferLearningHelper helper = new TransferLearningHelper(net);
        List<DataSet> featurized = new ArrayList<>();
        for (DataSet batch : train.batchBy(512)) {
            featurized.add(helper.featurize(batch));
        }
        DataSet all = DataSet.merge(featurized);
        for (int e = 0; e < epochs; e++) {
            long t = System.nanoTime();
            for (DataSet batch : (order == null ? shuffled(all, SEED + e) : inOrder(all, order[e], SEED + e)).batchBy(64)) {
                helper.fitFeaturized(new SingletonDataSetIterator(batch));
            }
            epochSeconds.add((System.nanoTime() - t) / 1e9);
        }
    }

    /**
     * Phase 1 featurized (5 epochs, the head starting from {@code head}), then conv2, dense1 and the head trained for
     * 2 epochs at 3e-4 with a fresh Adam; every epoch in the route's order: its train steps each draw their
     * permutations from a new Random(seed), so phase 2's two epochs take {@code order[0]} and {@code order[1]}.
     */
    static double[] plainTwoPhase(Path backboneFile, DataSplits splits, int[][] order, INDArray head) {
        ComputationGraph phase1 = frozenTransfer(backboneFile, "dense1", 1e-3);
        phase1.getLayer("head").setParams(head.dup());
        DataSet train = splits.train().toDataSet();
        long start = System.nanoTime();
        fitFeaturized(phase1, train, EPOCHS, new ArrayList<>(), order);
        ComputationGraph phase2 = frozenTransfer(backboneFile, "pool1", 3e-4);
        phase2.getLayer("head").setParams(phase1.getLayer("head").params().dup());
        for (int e = 0; e < TWO_PHASE_EPOCHS; e++) {
            for (DataSet batch : inOrder(train, order[e], SEED + 10 + e).batchBy(64)) {
                phase2.fit(batch);
            }
        }
        return new double[] {(System.nanoTime() - start) / 1e9, testAccuracy(phase2, splits)};
    }

    // ------------------------------------------------------------------ plumbing

    /** {@code set}'s examples in {@code order}, a copy (DataSet.shuffle with {@code seed} under bench.plainOrder=dl4j). */
    private static DataSet inOrder(DataSet set, int[] order, long seed) {
        if (DL4J_ORDER) {
            return shuffled(set, seed);
        }
        Examples picked = new Examples(new INDArray[] {set.getFeatures()}, set.getLabels()).pick(order);
        return new DataSet(picked.inputs()[0], picked.labels());
    }

    private static DataSet shuffled(DataSet set, long seed) {
        DataSet copy = set.copy();
        copy.shuffle(seed);
        return copy;
    }

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
                double p = seconds.containsKey(impl) ? median(seconds.get(impl)) : Double.NaN;
                if (Double.isNaN(p)) {
                    continue;
                }
                line.append(String.format(Locale.ROOT, " | %s %7.3f s, graft/%s %.2f", impl, p, impl, graft / p));
            }
            line.append(" | test accuracy");
            accuracy.forEach((impl, acc) -> {
                if (!Double.isNaN(acc) && !impl.equals("graft_epoch") && !impl.equals("graft_featurize")) {
                    line.append(String.format(Locale.ROOT, " %s %.4f", impl, acc));
                }
            });
            line.append(" | runs ").append(seconds);
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
