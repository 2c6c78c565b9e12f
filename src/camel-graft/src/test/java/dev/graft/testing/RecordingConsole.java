package dev.graft.testing;

import dev.graft.spi.Console;
import java.util.ArrayList;
import java.util.List;

/** A console that keeps what a run shows, for tests to read instead of standard output. */
public final class RecordingConsole implements Console {

    private final List<String> lines = new ArrayList<>();
    private final List<String> statuses = new ArrayList<>();

    @Override
    public synchronized void line(String text) {
        lines.add(text);
    }

    @Override
    public synchronized void status(String text) {
        statuses.add(text);
    }

    /** The lines shown so far, in order. */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** The transient statuses shown so far, in order. */
    public synchronized List<String> statuses() {
        return List.copyOf(statuses);
    }
}
