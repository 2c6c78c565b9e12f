package dev.graft.spi;

/**
 * Whether a trained model may take the route's alias, and why.
 *
 * @param outcome {@link Outcome#PASSED}, {@link Outcome#FAILED} or {@link Outcome#NO_GATE}
 * @param reason  one sentence with the figures, for logs, metadata and metrics
 */
public record Verdict(Outcome outcome, String reason) {

    /** The possible verdicts. */
    public enum Outcome { PASSED, FAILED, NO_GATE }

    /** True when aliases may move: the gate passed or there was no gate. */
    public boolean allowsPromotion() {
        return outcome != Outcome.FAILED;
    }
}
