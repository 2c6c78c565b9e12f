package dev.graft.model;

import java.util.List;

/**
 * The epochs of one train step.
 *
 * @param epochs      one record per epoch, in order
 * @param featurized  true when the frozen part ran once and only the trainable part trained (featurize-once)
 * @param featurizeSeconds seconds spent computing the frozen features; 0 when not featurized
 */
public record TrainingHistory(List<EpochRecord> epochs, boolean featurized, double featurizeSeconds) {

    public TrainingHistory {
        epochs = List.copyOf(epochs);
    }
}
