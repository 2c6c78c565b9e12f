package dev.graft.spi;

/**
 * What a run shows a person at the terminal, as opposed to its log: one line per event, no ANSI codes expected.
 * Implementations are thread-safe. {@code graft run} prints to standard output; a service keeps it quiet.
 */
public interface Console {

    /** Shows one line (without its line break). */
    void line(String text);

    /** A console that shows nothing. */
    static Console silent() {
        return text -> {
        };
    }
}
