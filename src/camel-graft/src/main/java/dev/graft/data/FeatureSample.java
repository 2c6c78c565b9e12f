package dev.graft.data;

import dev.graft.io.JsonFields;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A summary of the training split's features at the backbone's cut, taken from the arrays a featurize pass made
 * (no extra forward pass): the per-dimension mean and standard deviation over every example, and a fixed-size
 * seeded sample of the feature vectors, which a two-sample test (MMD) compares with another data set's. Immutable.
 *
 * @param layers    the frontier vertices, in order; their outputs are flattened and joined
 * @param dimension values per feature vector
 * @param examples  training examples summarised
 * @param mean      per dimension, over every training example
 * @param std       per dimension, population standard deviation
 * @param sample    up to {@value #SAMPLE_SIZE} feature vectors chosen by a seeded draw, {@code [rows][dimension]}
 * @param seconds   time taken to make the summary from the featurized arrays (its own cost)
 */
public record FeatureSample(List<String> layers, int dimension, long examples, float[] mean, float[] std,
                            float[][] sample, double seconds) {

    /** The most feature vectors kept. */
    public static final int SAMPLE_SIZE = 256;
    /** The key of the sample in a run's attributes. */
    public static final String ATTRIBUTE = "graft.data.features";

    public FeatureSample {
        layers = List.copyOf(layers);
    }

    /**
     * The summary of {@code features} (one array per frontier vertex, examples first), sampling rows with {@code seed}.
     */
    public static FeatureSample of(List<String> layers, INDArray[] features, long seed) {
        long start = System.nanoTime();
        int n = (int) features[0].size(0);
        INDArray[] flat = new INDArray[features.length];
        int dimension = 0;
        for (int i = 0; i < features.length; i++) {
            flat[i] = features[i].reshape('c', n, features[i].length() / n);
            dimension += (int) flat[i].size(1);
        }
        float[] mean = new float[dimension];
        float[] std = new float[dimension];
        int at = 0;
        for (INDArray f : flat) {
            float[] m = f.mean(0).toFloatVector();
            float[] s = f.std(false, 0).toFloatVector();
            System.arraycopy(m, 0, mean, at, m.length);
            System.arraycopy(s, 0, std, at, s.length);
            at += m.length;
        }
        int[] rows = java.util.Arrays.copyOf(dev.graft.spi.Examples.permutation(n, new Random(seed ^ 0x5DEECE66DL)),
                Math.min(n, SAMPLE_SIZE));
        java.util.Arrays.sort(rows);
        float[][] sample = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            sample[r] = new float[dimension];
            int offset = 0;
            for (INDArray f : flat) {
                float[] v = f.getRow(rows[r]).toFloatVector();
                System.arraycopy(v, 0, sample[r], offset, v.length);
                offset += v.length;
            }
        }
        return new FeatureSample(layers, dimension, n, mean, std, sample, (System.nanoTime() - start) / 1e9);
    }

    /** The summary as JSON fields; the sample as base64 of little-endian float32 rows. */
    public Map<String, Object> toJson() {
        ByteBuffer bytes = ByteBuffer.allocate(sample.length * dimension * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : sample) {
            bytes.asFloatBuffer().put(row);
            bytes.position(bytes.position() + row.length * Float.BYTES);
        }
        return JsonFields.of("layers", layers, "dimension", dimension, "examples", examples, "mean", mean, "std", std,
                "seconds", seconds, "sampleRows", sample.length, "sample", Base64.getEncoder().encodeToString(bytes.array()));
    }

    /** A summary read back from {@link #toJson}'s fields. */
    public static FeatureSample fromJson(Map<?, ?> json) {
        int dimension = ((Number) json.get("dimension")).intValue();
        int rows = ((Number) json.get("sampleRows")).intValue();
        byte[] raw = Base64.getDecoder().decode(String.valueOf(json.get("sample")));
        if (dimension <= 0 || rows < 0 || (long) rows * dimension * Float.BYTES != raw.length) {
            throw new IllegalArgumentException("feature sample of " + rows + " rows of " + dimension + " values holds "
                    + raw.length + " bytes; expected " + (long) rows * dimension * Float.BYTES);
        }
        ByteBuffer bytes = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        float[][] sample = new float[rows][dimension];
        for (float[] row : sample) {
            bytes.asFloatBuffer().get(row);
            bytes.position(bytes.position() + dimension * Float.BYTES);
        }
        return new FeatureSample(((List<?>) json.get("layers")).stream().map(String::valueOf).toList(), dimension,
                ((Number) json.get("examples")).longValue(), floats(json.get("mean")), floats(json.get("std")), sample,
                json.get("seconds") instanceof Number s ? s.doubleValue() : Double.NaN);
    }

    private static float[] floats(Object list) {
        List<?> values = (List<?>) list;
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) values.get(i)).floatValue();
        }
        return out;
    }
}
