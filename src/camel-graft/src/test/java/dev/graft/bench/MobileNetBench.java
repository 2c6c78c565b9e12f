package dev.graft.bench;

import dev.graft.modelio.ModelFiles;
import dev.graft.nd4j.NativeHelpers;
import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.HeadLayer;
import dev.graft.surgery.Pooling;
import dev.graft.training.featurize.FeaturizePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Benchmark: MobileNetV2 featurization at 224x224 through Graft's featurize-once path (the frozen backbone up to
 * {@code out_relu}, globally average-pooled to 1280 features, as {@code routes/mobilenet-transfer.yaml} trains),
 * on random images, at several batch sizes; and this machine's 1024x1024 SGEMM rate through ND4J, the matmul limit
 * the GFLOP/s are set against.
 *
 * <p>Each batch size gets one {@link FeaturizePlan.Featurizer} (the front graph built once, as a training run builds
 * it once for all its images), warmed up on {@code bench.warmup} batches: DL4J sizes its workspaces over the first
 * batches of a graph, which a real run amortises over thousands of images.
 *
 * <p>The frozen part runs on the direct path ({@code FeaturizePlan}: libnd4j ops, batch norm folded) unless
 * {@code -Dgraft.featurize.direct=false} asks for DL4J's layers; each batch size goes through it whole (the
 * production cap, {@code graft.featurize.directBatch}, is lifted unless given).
 *
 * <p>Whether DL4J's oneDNN helpers run is the process's choice ({@link NativeHelpers}): Graft switches them on; DL4J
 * as it ships is measured by starting this with {@code -Dorg.eclipse.deeplearning4j.helpers.disable=true}. Prints
 * one JSON object: images/s per batch size (median of the repetitions, each after warm-up batches), GFLOP/s from
 * the multiply-adds per image the peer counts ({@link #MACS}), and the SGEMM rate.
 *
 * <p>Properties: {@code bench.model} (default target/imagenet/mobilenet_v2/model.json), {@code bench.batches}
 * (1,8,32), {@code bench.reps} (5), {@code bench.images} (images per repetition, default 64), {@code bench.warmup}
 * (warm-up batches, 6). Run with {@code bench/run.sh ... mobilenet} (not part of the test suite).
 */
public final class MobileNetBench {

    /** Multiply-adds of one 224x224 image through MobileNetV2's convolutions, as bench/torch_mobilenet.py counts. */
    static final long MACS = 299_494_272L;
    /** Image side: 224 (MobileNetV2's own), or bench.size (96 for the routes' photos; MACS then do not apply). */
    private static final int SIZE = Integer.getInteger("bench.size", 224);

    private MobileNetBench() {
    }

    public static void main(String[] args) throws Exception {
        NativeHelpers.install(true);
        if (System.getProperty(FeaturizePlan.DIRECT_BATCH_PROPERTY) == null) {
            System.setProperty(FeaturizePlan.DIRECT_BATCH_PROPERTY, "1024"); // each batch size as asked, not capped
        }
        Path model = Path.of(System.getProperty("bench.model", "target/imagenet/mobilenet_v2/model.json"));
        if (!Files.exists(model)) {
            throw new IllegalStateException(model + " is missing; fetch it with scripts/fetch-imagenet-models.sh");
        }
        int[] batches = Arrays.stream(System.getProperty("bench.batches", "1,8,32").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int reps = Integer.getInteger("bench.reps", 5);
        int images = Integer.getInteger("bench.images", 64);
        int warmup = Integer.getInteger("bench.warmup", 6);

        ComputationGraph graph = featureGraph(ModelFiles.load(model));
        FeaturizePlan plan = FeaturizePlan.of(graph).orElseThrow();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("helpers", NativeHelpers.enabled());
        json.put("direct", plan.featurizer(graph).direct());
        json.put("sgemm_gflops", sgemmGflops());
        Map<String, Double> rates = new LinkedHashMap<>();
        Map<String, List<Double>> runs = new LinkedHashMap<>();
        Nd4j.getRandom().setSeed(12345);
        for (int b : batches) {
            FeaturizePlan.Featurizer featurizer = plan.featurizer(graph);
            INDArray warm = Nd4j.rand(DataType.FLOAT, b * warmup, 3, SIZE, SIZE).muli(2).subi(1);
            featurizer.featurize(warm, b);
            int n = Math.max(b, images / b * b);
            INDArray x = Nd4j.rand(DataType.FLOAT, n, 3, SIZE, SIZE).muli(2).subi(1);
            List<Double> perRep = new ArrayList<>();
            for (int r = 0; r < reps; r++) {
                long start = System.nanoTime();
                INDArray[] out = featurizer.featurize(x, b);
                perRep.add(n / ((System.nanoTime() - start) / 1e9));
                if (out[0].size(1) != 1280) {
                    throw new IllegalStateException("features of shape " + Arrays.toString(out[0].shape()));
                }
            }
            double median = TransferBench.median(perRep);
            rates.put(String.valueOf(b), median);
            runs.put(String.valueOf(b), perRep);
            System.err.printf(Locale.ROOT, "batch %d: %.1f images/s (%.1f GFLOP/s), runs %s%n", b, median,
                    median * 2 * MACS / 1e9, perRep);
        }
        json.put("images_per_s", rates);
        json.put("runs", runs);
        System.out.println(TransferBench.toJson(json));
    }

    /** The route's graph: everything up to out_relu frozen, a new 5-class head on its average-pooled output. */
    static ComputationGraph featureGraph(ComputationGraph backbone) {
        List<String> layers = GraphSurgery.layerNames(backbone);
        ComputationGraph frozen = GraphSurgery.freeze(backbone, layers.subList(0, layers.indexOf("out_relu") + 1));
        return GraphSurgery.withHead(frozen, List.of("out_relu"), HeadLayer.parseAll("output(5,softmax)"),
                Pooling.AVG, GraphSurgery.inputTypes(new long[] {3, SIZE, SIZE}), 5, 12345, source -> {
                    throw new IllegalArgumentException(source);
                });
    }

    /** The median rate of 1024x1024 single-precision matrix products through ND4J's BLAS, in GFLOP/s. */
    static double sgemmGflops() {
        int n = 1024;
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            long start = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            double s = (System.nanoTime() - start) / 1e9;
            if (i >= 2) {
                rates.add(2.0 * n * n * n / s / 1e9);
            }
        }
        return TransferBench.median(rates);
    }
}
