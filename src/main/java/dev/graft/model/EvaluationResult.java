package dev.graft.model;

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
 */
public record EvaluationResult(double accuracy, double precision, double recall, double f1, int[][] confusion,
                               int examples, Verdict verdict) {
}
