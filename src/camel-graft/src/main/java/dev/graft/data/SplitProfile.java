package dev.graft.data;

import dev.graft.io.JsonFields;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What one split of a data set holds, summarised from the raw values (before scaling): examples per class, per
 * channel mean, standard deviation, minimum and maximum, a histogram of the values, NaN and infinity counts, and
 * how many examples repeat an earlier one byte for byte. Immutable.
 *
 * @param classCounts examples per output label
 * @param channelMean per channel, of the raw values
 * @param channelStd  per channel, population standard deviation
 * @param channelMin  per channel; +inf when no finite value was seen
 * @param channelMax  per channel; -inf when no finite value was seen
 * @param histogram   {@value #BINS} bins of width {@value #BIN_WIDTH} over [0, 256) of the finite raw values
 * @param below       finite values under 0
 * @param above       finite values at or over 256
 * @param nan         NaN values
 * @param infinite    infinite values
 * @param duplicates  examples whose values equal an earlier example's of the same split (by a 64-bit content hash)
 */
public record SplitProfile(long[] classCounts, double[] channelMean, double[] channelStd, double[] channelMin,
                           double[] channelMax, long[] histogram, long below, long above, long nan, long infinite,
                           long duplicates) {

    /** Histogram bins over the raw pixel range. */
    public static final int BINS = 32;
    /** Width of one bin: 256 / {@value #BINS}. */
    public static final int BIN_WIDTH = 256 / BINS;

    /** Examples in the split. */
    public long examples() {
        return Arrays.stream(classCounts).sum();
    }

    /** The sum of two profiles of the same shape, as if their examples were one split (duplicates across them not counted). */
    public SplitProfile plus(SplitProfile o) {
        int channels = channelMean.length;
        double[] mean = new double[channels];
        double[] std = new double[channels];
        double[] min = new double[channels];
        double[] max = new double[channels];
        double n1 = examples();
        double n2 = o.examples();
        for (int c = 0; c < channels; c++) {
            double m = n1 + n2 == 0 ? 0 : (channelMean[c] * n1 + o.channelMean[c] * n2) / (n1 + n2);
            double second = n1 + n2 == 0 ? 0 : ((channelStd[c] * channelStd[c] + channelMean[c] * channelMean[c]) * n1
                    + (o.channelStd[c] * o.channelStd[c] + o.channelMean[c] * o.channelMean[c]) * n2) / (n1 + n2);
            mean[c] = m;
            std[c] = Math.sqrt(Math.max(0, second - m * m));
            min[c] = Math.min(channelMin[c], o.channelMin[c]);
            max[c] = Math.max(channelMax[c], o.channelMax[c]);
        }
        long[] counts = add(classCounts, o.classCounts);
        return new SplitProfile(counts, mean, std, min, max, add(histogram, o.histogram), below + o.below,
                above + o.above, nan + o.nan, infinite + o.infinite, duplicates + o.duplicates);
    }

    private static long[] add(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, Math.max(a.length, b.length));
        for (int i = 0; i < b.length; i++) {
            out[i] += b[i];
        }
        return out;
    }

    /** The profile as JSON fields. */
    public Map<String, Object> toJson() {
        return JsonFields.of("examples", examples(), "classCounts", classCounts, "channels", JsonFields.of(
                        "mean", channelMean, "std", channelStd, "min", finite(channelMin), "max", finite(channelMax)),
                "histogram", JsonFields.of("from", 0, "binWidth", BIN_WIDTH, "counts", histogram, "below", below,
                        "above", above), "nan", nan, "infinite", infinite, "duplicates", duplicates);
    }

    private static Double[] finite(double[] values) {
        return Arrays.stream(values).mapToObj(v -> Double.isFinite(v) ? v : null).toArray(Double[]::new);
    }

    /** A profile read back from {@link #toJson}'s fields (as Jackson parses them). */
    public static SplitProfile fromJson(Map<?, ?> json) {
        Map<?, ?> channels = (Map<?, ?>) json.get("channels");
        Map<?, ?> histogram = (Map<?, ?>) json.get("histogram");
        return new SplitProfile(longs(json.get("classCounts")), doubles(channels.get("mean"), 0),
                doubles(channels.get("std"), 0), doubles(channels.get("min"), Double.POSITIVE_INFINITY),
                doubles(channels.get("max"), Double.NEGATIVE_INFINITY), longs(histogram.get("counts")),
                number(histogram.get("below")), number(histogram.get("above")), number(json.get("nan")),
                number(json.get("infinite")), number(json.get("duplicates")));
    }

    static long[] longs(Object list) {
        return ((List<?>) list).stream().mapToLong(v -> ((Number) v).longValue()).toArray();
    }

    private static double[] doubles(Object list, double ifNull) {
        return ((List<?>) list).stream().mapToDouble(v -> v == null ? ifNull : ((Number) v).doubleValue()).toArray();
    }

    private static long number(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }

    /**
     * Collects a split's profile one example at a time, as {@link Tensors} copies them; keeps each example's content
     * hash so that another split can be checked for the same examples. Not thread-safe.
     */
    static final class Builder {

        private final int channels;
        private final long[] classCounts;
        private final double[] sum;
        private final double[] sumSquares;
        private final double[] min;
        private final double[] max;
        private final long[] histogram = new long[BINS];
        /** The examples' content hashes, 8 bytes each (a set of boxed longs cost about 60); sorted when read. */
        private long[] hashes = new long[1024];
        private int hashCount;
        private boolean sorted = true;
        private long below;
        private long above;
        private long nan;
        private long infinite;
        private long nanos;

        Builder(int classes, int channels) {
            this.channels = channels;
            this.classCounts = new long[classes];
            this.sum = new double[channels];
            this.sumSquares = new double[channels];
            this.min = new double[channels];
            this.max = new double[channels];
            Arrays.fill(min, Double.POSITIVE_INFINITY);
            Arrays.fill(max, Double.NEGATIVE_INFINITY);
        }

        /** Adds the example of {@code length} raw values at {@code offset}, channel-major, with its output label. */
        void add(float[] values, int offset, int length, int label) {
            long start = System.nanoTime();
            classCounts[label]++;
            int plane = length / channels;
            long hash = 0xcbf29ce484222325L;
            for (int c = 0; c < channels; c++) {
                double s = 0;
                double sq = 0;
                float lo = Float.POSITIVE_INFINITY;
                float hi = Float.NEGATIVE_INFINITY;
                int from = offset + c * plane;
                for (int i = from; i < from + plane; i++) {
                    float v = values[i];
                    hash = (hash ^ Float.floatToRawIntBits(v)) * 0x100000001b3L;
                    if (v >= 0 && v < 256) { // the common case first: a pixel; NaN fails both comparisons
                        histogram[(int) v / BIN_WIDTH]++;
                    } else if (Float.isNaN(v)) {
                        nan++;
                        continue;
                    } else if (Float.isInfinite(v)) {
                        infinite++;
                        continue;
                    } else if (v < 0) {
                        below++;
                    } else {
                        above++;
                    }
                    s += v;
                    sq += (double) v * v;
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
                sum[c] += s;
                sumSquares[c] += sq;
                min[c] = Math.min(min[c], lo);
                max[c] = Math.max(max[c], hi);
            }
            if (hashCount == hashes.length) {
                hashes = Arrays.copyOf(hashes, hashes.length * 2);
            }
            hashes[hashCount++] = hash;
            sorted = false;
            nanos += System.nanoTime() - start;
        }

        /** Time spent in {@link #add} so far, the profile's own cost. */
        long nanos() {
            return nanos;
        }

        /** How many of {@code other}'s examples this split holds too. */
        long shared(Builder other) {
            long start = System.nanoTime();
            long[] mine = sortedHashes();
            long[] theirs = other.sortedHashes();
            long shared = 0;
            for (int i = 0; i < other.hashCount; i++) {
                boolean first = i == 0 || theirs[i] != theirs[i - 1]; // each distinct example of other's once
                if (first && Arrays.binarySearch(mine, 0, hashCount, theirs[i]) >= 0) {
                    shared++;
                }
            }
            nanos += System.nanoTime() - start;
            return shared;
        }

        private long[] sortedHashes() {
            if (!sorted) {
                Arrays.sort(hashes, 0, hashCount);
                sorted = true;
            }
            return hashes;
        }

        /** Examples whose hash equals an earlier example's. */
        private long duplicates() {
            long[] h = sortedHashes();
            long d = 0;
            for (int i = 1; i < hashCount; i++) {
                if (h[i] == h[i - 1]) {
                    d++;
                }
            }
            return d;
        }

        SplitProfile build(int exampleLength) {
            long n = Arrays.stream(classCounts).sum();
            double perChannel = (double) n * (exampleLength / channels);
            double[] mean = new double[channels];
            double[] std = new double[channels];
            for (int c = 0; c < channels; c++) {
                mean[c] = perChannel == 0 ? 0 : sum[c] / perChannel;
                std[c] = perChannel == 0 ? 0 : Math.sqrt(Math.max(0, sumSquares[c] / perChannel - mean[c] * mean[c]));
            }
            return new SplitProfile(classCounts.clone(), mean, std, min.clone(), max.clone(), histogram.clone(), below,
                    above, nan, infinite, duplicates());
        }
    }
}
