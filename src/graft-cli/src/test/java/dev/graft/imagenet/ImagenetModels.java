package dev.graft.imagenet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The real ImageNet backbones of the {@code imagenet} profile (fetched and unwrapped by
 * {@code scripts/fetch-imagenet-models.sh} into {@code graft.imagenet.dir}), fixed test images, and
 * {@code @tensorflow/tfjs} run under {@code node} as the reference.
 */
final class ImagenetModels {

    /**
     * One model: its folder name, input size, the layers compared (the cut features, the original output) and how
     * many test images (tfjs's pure-JS InceptionV3 takes about a minute an image on 2 cores).
     */
    record Model(String name, int size, String features, int featureWidth, String output, int images) {

        Path modelJson() {
            return dir().resolve(name).resolve("model.json");
        }
    }

    static final Model MOBILENET_V2 = new Model("mobilenet_v2", 224, "flatten_1", 1280, "dense_3", 4);
    static final Model INCEPTION_V3 = new Model("inception_v3", 299, "flatten_1", 2048, "dense_3", 1);

    private ImagenetModels() {
    }

    /** Where the fetch script put the models and tf.min.js. */
    static Path dir() {
        Path dir = Path.of(System.getProperty("graft.imagenet.dir", "target/imagenet"));
        assertThat(dir.resolve("tfjs/tf.min.js"))
                .as("ImageNet models and tfjs; fetch them with scripts/fetch-imagenet-models.sh " + dir).exists();
        return dir;
    }

    /**
     * The first {@code n} (up to 4) of these fixed images in [-1, 1] (the models' preprocessing), NCHW
     * {@code [n, 3, size, size]} as Graft's data sets hold them: the first Fashion-MNIST test image (from the
     * packaged sample) upscaled nearest-neighbour and replicated to three channels, a colour gradient, a
     * checkerboard, seeded noise.
     */
    static INDArray images(int size, int n) throws IOException {
        int plane = size * size;
        float[] v = new float[4 * 3 * plane];
        Random random = new Random(15);
        byte[] fashion = firstFashionImage();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int p = c * plane + y * size + x;
                    v[p] = (fashion[(y * 28 / size) * 28 + x * 28 / size] & 0xff) / 127.5f - 1;
                    double ramp = (c == 0 ? x : c == 1 ? y : x + y) / (c == 2 ? 2.0 * size : size);
                    v[3 * plane + p] = (float) ramp * 2 - 1;
                    v[6 * plane + p] = ((x / 16 + y / 16 + c) % 2 == 0) ? 0.9f : -0.8f;
                    v[9 * plane + p] = random.nextFloat() * 2 - 1;
                }
            }
        }
        return Nd4j.create(java.util.Arrays.copyOf(v, n * 3 * plane), new long[] {n, 3, size, size}, 'c');
    }

    private static byte[] firstFashionImage() throws IOException {
        try (InputStream res = ImagenetModels.class.getResourceAsStream("/datasets/fashion-mnist-sample.zip");
             ZipInputStream zip = new ZipInputStream(res)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().equals("t10k-images-idx3-ubyte.gz")) {
                    GZIPInputStream images = new GZIPInputStream(zip);
                    images.readNBytes(16);
                    return images.readNBytes(28 * 28);
                }
            }
        }
        throw new IOException("no t10k-images-idx3-ubyte.gz in the packaged Fashion-MNIST sample");
    }

    /**
     * tfjs's outputs of the named layers on the NCHW images (fed to tfjs as NHWC), one {@code [n, width]} array each.
     */
    static List<INDArray> tfjsOutputs(Model model, INDArray nchw, Path work, String... layers)
            throws IOException, InterruptedException {
        Path inputs = work.resolve("inputs.bin");
        Path outputs = work.resolve("tfjs");
        Files.write(inputs, littleEndian(nchw.permute(0, 2, 3, 1).dup('c').data().asFloat()));
        int n = (int) nchw.size(0);
        Process node = new ProcessBuilder(System.getProperty("graft.node", "node"),
                "scripts/imagenet/tfjs-reference.cjs", dir().resolve("tfjs/tf.min.js").toString(),
                model.modelJson().toString(), inputs.toString(), String.valueOf(n), String.join(",", layers),
                outputs.toString()).redirectErrorStream(true).redirectOutput(work.resolve("node.log").toFile()).start();
        assertThat(node.waitFor(10, TimeUnit.MINUTES)).as("node finished").isTrue();
        assertThat(node.exitValue()).as("node: " + Files.readString(work.resolve("node.log"))).isZero();
        List<INDArray> result = new ArrayList<>();
        for (String layer : layers) {
            float[] values = new FloatBuf(Files.readAllBytes(outputs.resolve(layer + ".bin"))).values();
            result.add(Nd4j.create(values, new long[] {n, values.length / n}, 'c'));
        }
        return result;
    }

    private static byte[] littleEndian(float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return buf.array();
    }

    private record FloatBuf(float[] values) {
        FloatBuf(byte[] raw) {
            this(new float[raw.length / 4]);
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        }
    }
}
