package dev.graft.bench;

import dev.graft.spi.DataSplits;
import dev.graft.spi.Examples;
import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.HeadLayer;
import dev.graft.surgery.Pooling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Writes what the PyTorch peer ({@code bench/torch_transfer.py}) needs to run the benchmark's cases from the same
 * weights and in the same order as Graft: per-layer {@code W} and {@code b} as {@code .npy} in DL4J's layouts
 * (conv {@code [out, in, kh, kw]}, dense {@code [in, out]}, bias {@code [1, out]}) for the pretraining start, the
 * shared backbone and the new head's start; the labels of each selection (the peer reads the IDX files itself and
 * checks its selection against them); the local loop's per-epoch permutations; and DL4J's frozen dense1 features of
 * the first test images, which the peer must reproduce to 1e-4. A {@code manifest.json} names the recipe.
 */
final class SharedBackbone {

    /** Test images whose dense1 features the peer compares with DL4J's. */
    static final int CHECK_IMAGES = 256;
    /** The transfer head as the benchmark routes declare it. */
    static final String HEAD = "output(5,softmax)";

    private final Path dir;
    private final Map<String, Object> manifest = new LinkedHashMap<>();

    SharedBackbone(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
    }

    /** The manifest's entries, written by {@link #writeManifest}. */
    Map<String, Object> manifest() {
        return manifest;
    }

    /** Writes {@code W} and {@code b} of each named layer of {@code graph} under {@code folder}. */
    void writeLayers(String folder, ComputationGraph graph, List<String> layers) throws IOException {
        Files.createDirectories(dir.resolve(folder));
        for (String layer : layers) {
            write(folder + "/" + layer + "_W.npy", graph.getLayer(layer).getParam("W"));
            write(folder + "/" + layer + "_b.npy", graph.getLayer(layer).getParam("b"));
        }
    }

    /**
     * The transfer model's start as Graft's build-head step makes it (the head on dense1, seed {@code seed}), its
     * head layer written as {@code head/head_W.npy} and {@code head_b.npy}; returns the head's parameters.
     */
    INDArray writeHead(ComputationGraph backbone, DataSplits data, long seed) throws IOException {
        ComputationGraph headed = GraphSurgery.withHead(backbone, List.of("dense1"), HeadLayer.parseAll(HEAD),
                Pooling.FLATTEN, GraphSurgery.inputTypes(data.exampleShape()), data.numClasses(), seed, source -> {
                    throw new IllegalStateException("no model blocks in the benchmark head");
                });
        Files.createDirectories(dir.resolve("head"));
        write("head/head_W.npy", headed.getLayer("head-output").getParam("W"));
        write("head/head_b.npy", headed.getLayer("head-output").getParam("b"));
        return headed.getLayer("head-output").params().dup();
    }

    /** The class index of each example of {@code labels} (one-hot rows), as int32. */
    void writeLabels(String name, INDArray oneHot) throws IOException {
        write(name, oneHot.argMax(1).castTo(org.nd4j.linalg.api.buffer.DataType.INT));
    }

    /**
     * The local loop's order: {@code epochs} permutations of {@code n} drawn one after another from
     * {@code new Random(seed)}, as {@code LocalTraining} draws them; written as an int32 {@code [epochs, n]} array.
     */
    int[][] writeOrder(String name, int n, int epochs, long seed) throws IOException {
        int[][] order = order(n, epochs, seed);
        write(name, Nd4j.createFromArray(order));
        return order;
    }

    static int[][] order(int n, int epochs, long seed) {
        Random random = new Random(seed);
        int[][] order = new int[epochs][];
        for (int e = 0; e < epochs; e++) {
            order[e] = Examples.permutation(n, random);
        }
        return order;
    }

    /** DL4J's dense1 activations of the first {@link #CHECK_IMAGES} test images (inference mode). */
    void writeFeatures(ComputationGraph backbone, INDArray testImages) throws IOException {
        int n = (int) Math.min(CHECK_IMAGES, testImages.size(0));
        INDArray images = testImages.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n)).dup();
        write("features-dense1.npy", backbone.feedForward(images, false).get("dense1"));
        manifest.put("check_images", n);
    }

    void writeManifest() throws IOException {
        Files.writeString(dir.resolve("manifest.json"), TransferBench.toJson(quoted(manifest)) + "\n");
    }

    private void write(String name, INDArray array) throws IOException {
        Nd4j.writeAsNumpy(array.dup('c'), dir.resolve(name).toFile());
    }

    @SuppressWarnings("unchecked")
    private static Object quoted(Object o) {
        if (o instanceof String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            ((Map<String, Object>) m).forEach((k, v) -> copy.put(k, quoted(v)));
            return copy;
        }
        if (o instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            l.forEach(v -> copy.add(quoted(v)));
            return copy;
        }
        return o;
    }
}
