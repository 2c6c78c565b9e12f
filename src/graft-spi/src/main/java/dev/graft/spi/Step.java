package dev.graft.spi;

import java.util.List;

/**
 * A pluggable unit of work in a Graft route, used in YAML as {@code to: graft:<name>?<options>}.
 *
 * <p>Implementations are found through {@link java.util.ServiceLoader}; the built-in steps register
 * exactly like a plugin. A step is stateless and thread-safe: everything a run needs is in the
 * {@link StepAction} returned by {@link #configure} and in the {@link RunContext}.
 */
public interface Step {

    /**
     * The version of this SPI. A plugin jar may state the version it was built against in its manifest
     * attribute {@code Graft-Spi-Version}; Graft refuses a jar stating another version.
     */
    int SPI_VERSION = 2;

    /** The name used after {@code graft:} in a route, lowercase with dashes, for example {@code fetch-dataset}. */
    String name();

    /** One sentence saying what the step does, shown by {@code graft steps}. */
    String description();

    /** Every option the step accepts; an option not listed here is rejected when the route loads. */
    List<OptionSpec<?>> options();

    /** What {@code graft validate} may do with a step before any run, so that it checks surgery on real models. */
    enum Role {
        /** Reads data or a model that must be there when the route is checked; validate runs it, a failure is an error. */
        SOURCE,
        /** Reads data or a model that may arrive later (not yet published); validate runs it, a failure is a note. */
        LATER_SOURCE,
        /** Brings data only at run time (a trigger file, a download); validate does not run it. */
        RUN_TIME_SOURCE,
        /** Reshapes the model only (freeze, cut, head); validate runs it on what the sources brought. */
        SURGERY,
        /** Anything else (train, evaluate, publish, notify); validate does not run it. */
        OTHER
    }

    /** This occurrence's role for validation, from its bound options; default {@link Role#OTHER}. */
    default Role role(StepOptions options) {
        return Role.OTHER;
    }

    /**
     * Checks the options semantically and binds them into an action; called when the route loads,
     * before any run, so that every configuration error surfaces before training starts.
     *
     * @param options typed values already parsed and checked against {@link #options()}
     * @return the action to run for each exchange; never null
     * @throws ConfigurationException when a value is well-typed but still unusable (a bad slice, say)
     */
    StepAction configure(StepOptions options) throws ConfigurationException;
}
