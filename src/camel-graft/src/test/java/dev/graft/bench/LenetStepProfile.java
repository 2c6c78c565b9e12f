package dev.graft.bench;

import dev.graft.nd4j.NativeHelpers;
import dev.graft.training.Tuning;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a LeNet training step's time goes (issue 20 item 4): the bench's LeNet ({@link TransferBench#plainLenet},
 * the recipe the pretraining route trains, same layers and updater) at batch 64 on 28x28x1 inputs, with the helpers
 * Graft runs (oneDNN on, one OpenBLAS thread on 2 cores).
 *
 * <p>Prints, each as the median of {@code bench.steps} timed repetitions after warm-up:
 * <ul>
 *   <li>a whole {@code fit} step, and the same split into the graph's forward + backward
 *       ({@code computeGradientAndScore}) and the Adam update;</li>
 *   <li>the matrix products an im2col convolution would run at the same shapes, through ND4J's BLAS, and a
 *       1024x1024 SGEMM: the ceilings the layers are set against.</li>
 * </ul>
 * Where inside the step the time goes is not timed here but sampled: with {@code -Dbench.fitOnly=true} it runs only
 * fit steps, and {@code bench/run.sh ... step} records them with Java Flight Recorder and attributes each sample of
 * the training thread to the DL4J layer method it is in ({@code bench/jfr_layers.py}); timing layers one at a time
 * outside a step is misleading (without the step's workspaces every call allocates, and the sum came to twice the
 * step). Run by {@code bench/run.sh ... step} (not in the default list); one JSON object goes to {@code bench.out}.
 */
public final class LenetStepProfile {

    private static final int BATCH = 64;
    private static final int STEPS = Integer.getInteger("bench.steps", 200);

    private LenetStepProfile() {
    }

    public static void main(String[] args) throws Exception {
        Tuning tuning = Tuning.fromSystemProperties();
        NativeHelpers.install(tuning.nativeHelpers());
        NativeHelpers.tuneThreads(tuning.blasThreads());
        Nd4j.getRandom().setSeed(12345);
        // as Graft's trainer hands it to the loop: conv1 without the input gradient nothing reads
        // (-Dgraft.inputConvBackward=false: oneDNN's whole backward pass)
        ComputationGraph net = NativeHelpers.forTraining(TransferBench.plainLenet());
        // as Graft's local loop trains it: no second forward convolution in the backward pass (left on for the
        // profile's whole run); -Dgraft.forwardCache=false profiles DL4J's fit as it ships
        dev.graft.training.fastpath.ForwardCache.open(net, tuning.forwardCache());
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 1, 28, 28);
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 5);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, i % 5, 1f);
        }
        DataSet batch = new DataSet(x, y);
        if (Boolean.getBoolean("bench.fitOnly")) {
            // for a sampling profile (bench/run.sh step runs this under JFR): whole fit steps and nothing else
            for (int i = 0; i < Integer.getInteger("bench.fitSteps", 600); i++) {
                net.fit(batch);
            }
            return;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        double fit = timeMs(() -> net.fit(batch));
        double fwdBwd = timeMs(() -> {
            net.setInputs(x);
            net.setLabels(y);
            net.computeGradientAndScore();
        });
        net.setInputs(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        double update = timeMs(() -> net.getUpdater().update(net.gradient(), 0, 0, BATCH, mgr));
        double stepFlop = TransferBench.LENET_TRAIN_FLOP_PER_IMAGE * BATCH;
        System.out.printf(Locale.ROOT, "LeNet training step, batch %d, forward cache " + tuning.forwardCache()
                + ", oneDNN helpers %s, %d BLAS thread(s), median of %d:%n",
                BATCH, NativeHelpers.enabled() ? "on" : "off", tuning.blasThreads(), STEPS);
        System.out.printf(Locale.ROOT, "  fit step              %7.3f ms  %6.1f GFLOP/s (%.1f MFLOP)%n", fit,
                stepFlop / fit / 1e6, stepFlop / 1e6);
        System.out.printf(Locale.ROOT, "  forward + backward    %7.3f ms%n  Adam update           %7.3f ms%n", fwdBwd, update);
        json.put("fit_ms", fit);
        json.put("forward_backward_ms", fwdBwd);
        json.put("update_ms", update);

        // the products an im2col convolution runs at these shapes (forward), and the dense layers'
        Map<String, Object> gemms = new LinkedHashMap<>();
        gemm(gemms, "conv1 im2col [36864x25]x[25x20]", BATCH * 24 * 24, 25, 20);
        gemm(gemms, "conv2 im2col [4096x500]x[500x50]", BATCH * 8 * 8, 500, 50);
        gemm(gemms, "dense1 [64x800]x[800x500]", BATCH, 800, 500);
        double sgemm = MobileNetBench.sgemmGflops();
        System.out.printf(Locale.ROOT, "  SGEMM 1024x1024x1024                 %6.1f GFLOP/s%n", sgemm);
        json.put("gemm_gflops", gemms);
        json.put("sgemm_gflops", sgemm);
        json.put("fit_gflops", stepFlop / fit / 1e6);
        String outFile = System.getProperty("bench.out");
        if (outFile != null) {
            java.nio.file.Path out = java.nio.file.Path.of(outFile);
            java.nio.file.Files.createDirectories(out.toAbsolutePath().getParent());
            java.nio.file.Files.writeString(out, TransferBench.toJson(json) + "\n");
        }
    }

    private static void gemm(Map<String, Object> into, String label, int m, int k, int n) {
        INDArray a = Nd4j.rand(DataType.FLOAT, m, k);
        INDArray b = Nd4j.rand(DataType.FLOAT, k, n);
        INDArray c = Nd4j.create(DataType.FLOAT, m, n);
        double ms = timeMs(() -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0));
        double gflops = 2.0 * m * k * n / ms / 1e6;
        System.out.printf(Locale.ROOT, "  GEMM %-32s %6.1f GFLOP/s (%.3f ms)%n", label, gflops, ms);
        into.put(label, gflops);
    }

    /** Median milliseconds of {@link #STEPS} runs of {@code work} after a fifth as many warm-up runs. */
    private static double timeMs(Runnable work) {
        for (int i = 0; i < Math.max(10, STEPS / 5); i++) {
            work.run();
        }
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            long t = System.nanoTime();
            work.run();
            ms.add((System.nanoTime() - t) / 1e6);
        }
        return TransferBench.median(ms);
    }
}
