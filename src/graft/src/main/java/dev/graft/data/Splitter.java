package dev.graft.data;

import java.util.Arrays;
import java.util.Random;

/** Carves held-out parts from lists of example indices, deterministically for a given random generator. */
final class Splitter {

    /**
     * The two parts of a split, each in the original order.
     *
     * @param kept    the indices that stay
     * @param heldOut the indices taken out
     */
    record Split(int[] kept, int[] heldOut) {
    }

    private Splitter() {
    }

    /** Takes {@code round(rows.length * fraction)} indices chosen by a seeded shuffle out of {@code rows}. */
    static Split holdOut(int[] rows, double fraction, Random random) {
        int n = rows.length;
        int count = (int) Math.round(n * fraction);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        boolean[] held = new boolean[n];
        for (int i = 0; i < count; i++) {
            held[order[i]] = true;
        }
        int[] kept = new int[n - count];
        int[] heldOut = new int[count];
        int k = 0;
        int h = 0;
        for (int i = 0; i < n; i++) {
            if (held[i]) {
                heldOut[h++] = rows[i];
            } else {
                kept[k++] = rows[i];
            }
        }
        return new Split(kept, heldOut);
    }

    /** The first {@code limit} indices; all when {@code limit} is 0. */
    static int[] limit(int[] rows, int limit) {
        return limit > 0 && limit < rows.length ? Arrays.copyOf(rows, limit) : rows;
    }
}
