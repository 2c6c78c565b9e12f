package dev.graft.evaluation;

/**
 * Accuracy and macro-averaged precision, recall and F1 from a confusion matrix, with scikit-learn's
 * definitions ({@code average='macro', labels=range(k), zero_division=0}): every class of the data set
 * counts once in each average, and a class that is never predicted (or never present) scores 0 for the
 * ratio it cannot have, instead of being left out of that average only.
 *
 * @param accuracy  fraction of examples on the diagonal
 * @param precision mean over all classes of TP / (TP + FP)
 * @param recall    mean over all classes of TP / (TP + FN)
 * @param f1        mean over all classes of the per-class harmonic mean of precision and recall
 */
public record ClassMetrics(double accuracy, double precision, double recall, double f1) {

    /** The metrics of {@code confusion[actual][predicted]}, a square matrix of non-negative counts. */
    public static ClassMetrics of(int[][] confusion) {
        int k = confusion.length;
        if (k == 0) {
            throw new IllegalArgumentException("confusion matrix has no classes; expected at least one");
        }
        long total = 0;
        long correct = 0;
        long[] predicted = new long[k];
        long[] actual = new long[k];
        for (int a = 0; a < k; a++) {
            if (confusion[a].length != k) {
                throw new IllegalArgumentException("confusion matrix row " + a + " has " + confusion[a].length
                        + " columns; expected " + k);
            }
            for (int p = 0; p < k; p++) {
                actual[a] += confusion[a][p];
                predicted[p] += confusion[a][p];
                total += confusion[a][p];
            }
            correct += confusion[a][a];
        }
        double precision = 0;
        double recall = 0;
        double f1 = 0;
        for (int c = 0; c < k; c++) {
            double tp = confusion[c][c];
            double p = predicted[c] == 0 ? 0 : tp / predicted[c];
            double r = actual[c] == 0 ? 0 : tp / actual[c];
            precision += p;
            recall += r;
            f1 += p + r == 0 ? 0 : 2 * p * r / (p + r);
        }
        return new ClassMetrics(total == 0 ? 0 : (double) correct / total, precision / k, recall / k, f1 / k);
    }
}
