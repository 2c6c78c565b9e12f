package dev.graft.spi;

/**
 * What one training epoch did.
 *
 * @param epoch              1-based epoch number within the train step
 * @param loss               mean training loss over the epoch's minibatches
 * @param trainAccuracy      accuracy on the training examples seen in the epoch (model in training mode)
 * @param validationAccuracy accuracy on the validation split after the epoch; NaN when there is none
 * @param validationLoss     mean loss on the validation split after the epoch; NaN when there is none
 * @param seconds            wall time of the epoch
 * @param samplesPerSecond   training examples processed per second
 * @param learningRate       the learning rate the epoch trained with (after any schedule)
 */
public record EpochRecord(int epoch, double loss, double trainAccuracy, double validationAccuracy,
                          double validationLoss, double seconds, double samplesPerSecond, double learningRate) {
}
