package dev.graft.spi;

/** A step bound to its options; runs once per exchange and may be run by several threads for different runs. */
@FunctionalInterface
public interface StepAction {

    /**
     * Reads what the step needs from the context and stores what it makes; never changes an artifact
     * already in the context in place.
     *
     * @throws GraftException for failures whose kind (configuration, data, transient) is known
     * @throws Exception for anything else, which the engine reports as a failed run
     */
    void run(RunContext context) throws Exception;
}
