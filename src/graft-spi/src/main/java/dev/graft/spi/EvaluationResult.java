package dev.graft.spi;

/**
 * Metrics of the trained model on the test split, and the gate's verdict.
 *
 * @param accuracy  fraction of test examples classified correctly
 * @param precision macro-averaged precision
 * @param recall    macro-averaged recall
 * @param f1        macro-averaged F1
 * @param confusion confusion[actual][predicted] counts
 * @param examples  number of test examples
 * @param verdict   the gate's decision and reason
 * @param champion  the current champion measured on the same test split; null when not compared
 */
public record EvaluationResult(double accuracy, double precision, double recall, double f1, int[][] confusion,
                               int examples, Verdict verdict, Champion champion) {

    /**
     * The champion a challenger was compared with.
     *
     * @param name      model name in the registry
     * @param version   the champion's version
     * @param accuracy  its accuracy on the challenger's test split
     * @param f1        its macro F1 on the same split
     * @param confusion its confusion[actual][predicted] counts on the same split; null when not kept
     */
    public record Champion(String name, int version, double accuracy, double f1, int[][] confusion) {

        /** A champion whose confusion matrix was not kept. */
        public Champion(String name, int version, double accuracy, double f1) {
            this(name, version, accuracy, f1, null);
        }
    }
}
