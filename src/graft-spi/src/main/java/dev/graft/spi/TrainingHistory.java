package dev.graft.spi;

import java.util.List;

/**
 * The epochs of one train step.
 *
 * @param epochs      one record per epoch, in order
 * @param featurized  true when the frozen part ran once and only the trainable part trained (featurize-once)
 * @param featurizeSeconds seconds spent computing the frozen features; 0 when not featurized
 * @param bestEpoch   the epoch with the highest validation accuracy; 0 when there was no validation split
 * @param restoredBest true when the model was set back to the weights of {@code bestEpoch} after the last epoch
 * @param stoppedEarly true when validation accuracy stopped improving for {@code patience} epochs before the last
 * @param featuresFromCache true when featurize-once loaded every split's features from the feature cache instead
 *                    of computing them; {@code featurizeSeconds} is then the time the lookup and loading took
 * @param path        the code path that trained; null when whoever made the history did not say
 */
public record TrainingHistory(List<EpochRecord> epochs, boolean featurized, double featurizeSeconds, int bestEpoch,
                              boolean restoredBest, boolean stoppedEarly, boolean featuresFromCache,
                              TrainingPath path) {

    public TrainingHistory {
        epochs = List.copyOf(epochs);
    }

    /** A history that does not say which code path trained. */
    public TrainingHistory(List<EpochRecord> epochs, boolean featurized, double featurizeSeconds, int bestEpoch,
                           boolean restoredBest, boolean stoppedEarly, boolean featuresFromCache) {
        this(epochs, featurized, featurizeSeconds, bestEpoch, restoredBest, stoppedEarly, featuresFromCache, null);
    }

    /** A history whose features, if any, were computed rather than loaded from the feature cache. */
    public TrainingHistory(List<EpochRecord> epochs, boolean featurized, double featurizeSeconds, int bestEpoch,
                           boolean restoredBest, boolean stoppedEarly) {
        this(epochs, featurized, featurizeSeconds, bestEpoch, restoredBest, stoppedEarly, false);
    }

    /** A history without validation-driven decisions. */
    public TrainingHistory(List<EpochRecord> epochs, boolean featurized, double featurizeSeconds) {
        this(epochs, featurized, featurizeSeconds, 0, false, false, false);
    }
}
