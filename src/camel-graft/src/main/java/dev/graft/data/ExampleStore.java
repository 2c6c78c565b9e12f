package dev.graft.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Collects examples of one fixed length as a reader finds them, for readers that do not know the count up front
 * (CSV rows, image files). Memory is taken from the {@link BudgetMeter} a chunk at a time, before the chunk is
 * allocated, so a file that grows past the budget is refused when it gets there and never allocated in full.
 * {@link #toRawExamples} makes one contiguous copy, briefly holding the data twice. Not thread-safe.
 */
final class ExampleStore {

    /** The most values per chunk: 4 MiB of floats. Chunks start small and double up to this. */
    private static final int CHUNK = 1 << 20;
    private static final int FIRST_CHUNK = 1 << 12;

    private final int exampleLength;
    private final BudgetMeter meter;
    private final String file;
    private final List<float[]> chunks = new ArrayList<>();
    private float[] current;
    private int used;
    private long held;
    private int[] labels = new int[0];
    private int[] origins = new int[0];
    private int size;

    /**
     * @param exampleLength the values of one example, positive
     * @param file          the file named when the budget runs out
     */
    ExampleStore(int exampleLength, BudgetMeter meter, String file) {
        this.exampleLength = exampleLength;
        this.meter = meter;
        this.file = file;
    }

    /**
     * Appends one example.
     *
     * @param values the first {@code exampleLength} values are copied
     * @param origin where it came from (a line number, a file index), returned by {@link #origins}
     * @param where  how the reader names the current position, asked only when the budget runs out
     */
    void add(float[] values, int label, int origin, Supplier<String> where) {
        meter.reserveExamples(1, file, () -> "example " + (size + 1L) + " at " + where.get());
        if (size == labels.length) {
            int grown = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(256, labels.length * 2L));
            meter.reserveBytes(2L * Integer.BYTES * (grown - labels.length), file,
                    () -> size + " examples of " + exampleLength + " values at " + where.get());
            labels = Arrays.copyOf(labels, grown);
            origins = Arrays.copyOf(origins, grown);
        }
        int copied = 0;
        while (copied < exampleLength) {
            if (current == null || used == current.length) {
                int length = (int) Math.min(CHUNK, Math.max(FIRST_CHUNK, held));
                meter.reserveBytes((long) length * Float.BYTES, file,
                        () -> size + " examples of " + exampleLength + " values at " + where.get());
                current = new float[length];
                held += length;
                chunks.add(current);
                used = 0;
            }
            int n = Math.min(exampleLength - copied, current.length - used);
            System.arraycopy(values, copied, current, used, n);
            used += n;
            copied += n;
        }
        labels[size] = label;
        origins[size] = origin;
        size++;
    }

    int size() {
        return size;
    }

    /** The origin of each example, in order. */
    int[] origins() {
        return Arrays.copyOf(origins, size);
    }

    /** The examples in one contiguous array of the given shape (whose product is the example length). */
    RawExamples toRawExamples(long[] exampleShape) {
        long total = BudgetMeter.product(file, size + " examples of " + exampleLength + " values", size,
                exampleLength);
        if (total > Integer.MAX_VALUE - 8) {
            throw new dev.graft.spi.DataException(DatasetLoader.STEP + ": too many values in '" + file + "': " + size
                    + " examples of " + exampleLength + " values; expected under 2^31 values in one split; use a"
                    + " smaller data set");
        }
        float[] features = new float[(int) total];
        int offset = 0;
        for (float[] chunk : chunks) {
            int n = (int) Math.min(chunk.length, total - offset);
            System.arraycopy(chunk, 0, features, offset, n);
            offset += n;
        }
        chunks.clear();
        current = null;
        return new RawExamples(features, Arrays.copyOf(labels, size), exampleShape);
    }
}
