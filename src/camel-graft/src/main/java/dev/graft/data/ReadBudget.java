package dev.graft.data;

import dev.graft.io.ByteSize;
import dev.graft.spi.ConfigurationException;
import java.util.Locale;

/**
 * How much a fetch may read, checked against every size a file declares before anything is allocated for it.
 * Each limit is named after the fetch-dataset option that changes it.
 *
 * @param maxExamples         the most examples (train and test together) a data set may hold; option
 *                            {@code maxExamples}, default {@value #DEFAULT_MAX_EXAMPLES}
 * @param memoryBytes         the most bytes the decoded examples may take in memory (4 per feature value and 4 per
 *                            label); option {@code memoryBudget}, default a quarter of the JVM's max heap
 *                            ({@code Runtime.maxMemory()}), so a {@code -Xmx1g} process gives 256 MiB
 * @param maxImagePixels      the most pixels (width x height, as the image header says) one image may have before
 *                            it is decoded; option {@code maxImagePixels}, default {@value #DEFAULT_MAX_IMAGE_PIXELS}
 * @param maxImageSide        the most pixels of either side of one image; option {@code maxImageSide}, default
 *                            {@value #DEFAULT_MAX_IMAGE_SIDE}
 * @param maxExtractedBytes   the most bytes a fetch writes to temporary disk: all entries of a zip together, or a
 *                            download; option {@code maxExtractedBytes}, default 4 GiB
 * @param maxCompressionRatio the most uncompressed bytes per byte of a zip, enforced once more than
 *                            {@link #RATIO_FLOOR_BYTES} were extracted; option {@code maxCompressionRatio}, default
 *                            {@value #DEFAULT_MAX_COMPRESSION_RATIO}
 */
public record ReadBudget(long maxExamples, long memoryBytes, long maxImagePixels, int maxImageSide,
                         long maxExtractedBytes, int maxCompressionRatio) {

    /** Default of {@link #maxExamples}: 100 times Fashion-MNIST. */
    public static final long DEFAULT_MAX_EXAMPLES = 7_000_000;
    /** Default of {@link #maxImagePixels}: 64 megapixels (8192 x 8192). */
    public static final long DEFAULT_MAX_IMAGE_PIXELS = 1L << 26;
    /** Default of {@link #maxImageSide}. */
    public static final int DEFAULT_MAX_IMAGE_SIDE = 16_384;
    /** Default of {@link #maxExtractedBytes}: 4 GiB. */
    public static final long DEFAULT_MAX_EXTRACTED_BYTES = 4L << 30;
    /** Default of {@link #maxCompressionRatio}; text of zeros reaches about 1000, real data sets stay under 20. */
    public static final int DEFAULT_MAX_COMPRESSION_RATIO = 200;
    /** Below this many extracted bytes a zip's compression ratio is not checked: small files of zeros are fine. */
    public static final long RATIO_FLOOR_BYTES = 64L << 20;

    public ReadBudget {
        positive("maxExamples", maxExamples);
        positive("memoryBudget", memoryBytes);
        positive("maxImagePixels", maxImagePixels);
        positive("maxImageSide", maxImageSide);
        positive("maxExtractedBytes", maxExtractedBytes);
        positive("maxCompressionRatio", maxCompressionRatio);
    }

    /** Every limit at its default; the memory budget follows this JVM's max heap. */
    public static ReadBudget defaults() {
        return new ReadBudget(DEFAULT_MAX_EXAMPLES, defaultMemoryBytes(), DEFAULT_MAX_IMAGE_PIXELS,
                DEFAULT_MAX_IMAGE_SIDE, DEFAULT_MAX_EXTRACTED_BYTES, DEFAULT_MAX_COMPRESSION_RATIO);
    }

    /** A quarter of {@code Runtime.maxMemory()}, at least 16 MiB. */
    public static long defaultMemoryBytes() {
        long max = Runtime.getRuntime().maxMemory();
        return Math.max(16L << 20, max == Long.MAX_VALUE ? 1L << 30 : max / 4);
    }

    public ReadBudget withMaxExamples(long value) {
        return new ReadBudget(value, memoryBytes, maxImagePixels, maxImageSide, maxExtractedBytes,
                maxCompressionRatio);
    }

    public ReadBudget withMemoryBytes(long value) {
        return new ReadBudget(maxExamples, value, maxImagePixels, maxImageSide, maxExtractedBytes,
                maxCompressionRatio);
    }

    public ReadBudget withMaxImagePixels(long value) {
        return new ReadBudget(maxExamples, memoryBytes, value, maxImageSide, maxExtractedBytes, maxCompressionRatio);
    }

    public ReadBudget withMaxImageSide(int value) {
        return new ReadBudget(maxExamples, memoryBytes, maxImagePixels, value, maxExtractedBytes, maxCompressionRatio);
    }

    public ReadBudget withMaxExtractedBytes(long value) {
        return new ReadBudget(maxExamples, memoryBytes, maxImagePixels, maxImageSide, value, maxCompressionRatio);
    }

    public ReadBudget withMaxCompressionRatio(int value) {
        return new ReadBudget(maxExamples, memoryBytes, maxImagePixels, maxImageSide, maxExtractedBytes, value);
    }

    /**
     * Parses a byte count such as {@code 512m}, {@code 2g}, {@code 1500000} or {@code 64MiB} (k, m, g, t are powers
     * of 1024).
     *
     * @param option the option named in the error
     * @throws ConfigurationException when the text is not a positive size or overflows
     */
    public static long parseSize(String option, String text) {
        try {
            return ByteSize.parse(text == null ? "" : text);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(DatasetLoader.STEP + ": option '" + option + "' has a bad value '" + text
                    + "'; expected a positive byte count such as 512m, 2g or 1048576", e);
        }
    }

    /** A byte count for messages: {@code 256 MiB (268435456 bytes)}, or plain bytes below 1 KiB. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, value >= 100 ? "%.0f %s" : "%.1f %s", value, units[unit]) + " (" + n
                + " bytes)";
    }

    private static void positive(String option, long value) {
        if (value <= 0) {
            throw new ConfigurationException(DatasetLoader.STEP + ": option '" + option + "' has a bad value '" + value
                    + "'; expected a positive number");
        }
    }
}
