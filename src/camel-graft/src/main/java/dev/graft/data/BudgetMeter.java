package dev.graft.data;

import dev.graft.spi.DataException;
import java.util.function.Supplier;

/**
 * What one fetch has spent of its {@link ReadBudget}: examples and decoded bytes over every file it reads. Readers
 * reserve before they allocate, so a refused file never costs memory. Not thread-safe: one per load.
 */
final class BudgetMeter {

    private final ReadBudget budget;
    private long examples;
    private long bytes;

    BudgetMeter(ReadBudget budget) {
        this.budget = budget;
    }

    ReadBudget budget() {
        return budget;
    }

    /**
     * The product of {@code factors}, exactly.
     *
     * @param file     the file named in the error
     * @param declared what the factors are, as the file declares them ("5 images of 65536x2775")
     * @throws DataException when the product overflows {@code long}
     */
    static long product(String file, String declared, long... factors) {
        long p = 1;
        try {
            for (long f : factors) {
                p = Math.multiplyExact(p, f);
            }
            return p;
        } catch (ArithmeticException e) {
            throw new DataException(DatasetLoader.STEP + ": sizes overflow in '" + file + "': it declares " + declared
                    + ", more than 2^63 values; expected a header of real sizes; the file is corrupt or hostile", e);
        }
    }

    /** {@code a + b}, exactly; an overflow is reported as sizes too large for {@code file}. */
    static long sum(String file, String declared, long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            throw new DataException(DatasetLoader.STEP + ": sizes overflow in '" + file + "': it declares " + declared
                    + ", more than 2^63 bytes; expected a header of real sizes; the file is corrupt or hostile", e);
        }
    }

    /**
     * Reserves {@code n} more examples.
     *
     * @param declared how the file states them, for the message; asked only when they do not fit
     */
    void reserveExamples(long n, String file, Supplier<String> declared) {
        long total = examples + n; // both at most maxExamples, far from overflowing
        if (n > budget.maxExamples() || total > budget.maxExamples()) {
            throw new DataException(DatasetLoader.STEP + ": too many examples in '" + file + "': " + declared.get()
                    + (examples > 0 ? " after " + examples + " read before" : "") + "; expected at most "
                    + budget.maxExamples() + " examples in all (option maxExamples); raise maxExamples to read more");
        }
        examples = total;
    }

    /**
     * Reserves {@code n} more bytes of decoded examples.
     *
     * @param declared how the file states them, for the message; asked only when they do not fit
     */
    void reserveBytes(long n, String file, Supplier<String> declared) {
        long total = bytes + n; // bytes is at most memoryBytes
        if (n > budget.memoryBytes() || total > budget.memoryBytes()) {
            throw new DataException(DatasetLoader.STEP + ": data over the memory budget '" + file + "': " + declared.get()
                    + " take " + ReadBudget.bytes(n) + " decoded"
                    + (bytes > 0 ? " after " + ReadBudget.bytes(bytes) + " read before" : "") + "; expected at most "
                    + ReadBudget.bytes(budget.memoryBytes()) + " in all (option memoryBudget, by default a quarter of"
                    + " the JVM's max heap); raise memoryBudget (and -Xmx) to read it");
        }
        bytes = total;
    }

    /** Gives back bytes reserved for a buffer that is no longer held. */
    void release(long n) {
        bytes = Math.max(0, bytes - n);
    }

    long bytesReserved() {
        return bytes;
    }
}
