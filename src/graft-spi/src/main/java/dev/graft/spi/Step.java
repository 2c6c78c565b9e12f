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
    int SPI_VERSION = 1;

    /** The name used after {@code graft:} in a route, lowercase with dashes, for example {@code fetch-dataset}. */
    String name();

    /** One sentence saying what the step does, shown by {@code graft steps}. */
    String description();

    /** Every option the step accepts; an option not listed here is rejected when the route loads. */
    List<OptionSpec> options();

    /**
     * Checks the options semantically and binds them into an action; called when the route loads,
     * before any run, so that every configuration error surfaces before training starts.
     *
     * @param options values already checked against {@link #options()} for names, types and presence
     * @return the action to run for each exchange; never null
     * @throws ConfigurationException when a value is well-typed but still unusable (a bad slice, say)
     */
    StepAction configure(StepOptions options) throws ConfigurationException;
}
