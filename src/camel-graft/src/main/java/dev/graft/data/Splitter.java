package dev.graft.data;

import dev.graft.spi.Examples;
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
        int[] order = Examples.permutation(n, random);
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

    /**
     * {@code limit} of {@code rows} in which every label keeps its share: label c with n_c of the n rows gets
     * floor(limit * n_c / n) places, and the places left go to the largest remainders (the smaller label first on a
     * tie). Which rows of a label are kept is a seeded choice; they are returned in their original order. All rows
     * when {@code limit} is 0 or at least their number; {@code random} is then left untouched.
     *
     * @param labels the label of every example, indexed by the values in {@code rows}
     */
    static int[] stratified(int[] rows, int[] labels, int limit, Random random) {
        int n = rows.length;
        if (limit <= 0 || limit >= n) {
            return rows;
        }
        java.util.TreeMap<Integer, int[]> byLabel = new java.util.TreeMap<>();
        java.util.Map<Integer, Integer> counts = new java.util.HashMap<>();
        for (int row : rows) {
            counts.merge(labels[row], 1, Integer::sum);
        }
        for (java.util.Map.Entry<Integer, Integer> e : counts.entrySet()) {
            byLabel.put(e.getKey(), new int[e.getValue()]);
        }
        java.util.Map<Integer, Integer> filled = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            int label = labels[rows[i]];
            int k = filled.merge(label, 1, Integer::sum) - 1;
            byLabel.get(label)[k] = i; // positions in rows, in order
        }
        int classes = byLabel.size();
        int[] keys = new int[classes];
        long[] quota = new long[classes];
        long[] remainder = new long[classes];
        long given = 0;
        int c = 0;
        for (java.util.Map.Entry<Integer, int[]> e : byLabel.entrySet()) {
            long share = (long) limit * e.getValue().length;
            keys[c] = e.getKey();
            quota[c] = share / n;
            remainder[c] = share % n;
            given += quota[c];
            c++;
        }
        Integer[] order = new Integer[classes];
        for (int i = 0; i < classes; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> remainder[a] != remainder[b] ? Long.compare(remainder[b], remainder[a])
                : Integer.compare(keys[a], keys[b]));
        for (int i = 0; given < limit; i++) {
            quota[order[i]]++;
            given++;
        }
        boolean[] kept = new boolean[n];
        for (int i = 0; i < classes; i++) {
            int[] positions = byLabel.get(keys[i]);
            for (int j = 0; j < quota[i]; j++) { // a partial Fisher-Yates shuffle picks quota[i] of them
                int pick = j + random.nextInt(positions.length - j);
                int t = positions[j];
                positions[j] = positions[pick];
                positions[pick] = t;
                kept[positions[j]] = true;
            }
        }
        int[] out = new int[limit];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (kept[i]) {
                out[k++] = rows[i];
            }
        }
        return out;
    }

    /** The first {@code limit} indices; all when {@code limit} is 0. */
    static int[] limit(int[] rows, int limit) {
        return limit > 0 && limit < rows.length ? Arrays.copyOf(rows, limit) : rows;
    }
}
