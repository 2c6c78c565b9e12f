package dev.graft.spi;

/**
 * What a run shows a person at the terminal, as opposed to its log: one line per event, no ANSI codes expected.
 * Implementations are thread-safe. {@code graft run} prints to standard output; a service keeps it quiet.
 */
public interface Console {

    /** Shows one line (without its line break); it replaces a {@link #status} line still showing. */
    void line(String text);

    /**
     * Shows a transient status (a progress bar, say) that the next status or line replaces, where the console can
     * (a terminal); by default nothing.
     */
    default void status(String text) {
    }

    /** A console that shows nothing. */
    static Console silent() {
        return text -> {
        };
    }
}
