package dev.graft.report;

import dev.graft.spi.RunContext;

/**
 * One section of the run report. A section writes nothing when the run has nothing for it (a failed run without an
 * evaluation, say). Implementations are stateless.
 */
@FunctionalInterface
interface ReportSection {

    /** Appends the section's HTML, with every value escaped, to {@code html}. */
    void write(StringBuilder html, RunContext run);
}
