package dev.graft.engine;

import dev.graft.spi.Console;
import java.io.PrintStream;

/**
 * The console of {@code graft run}: each line to standard output as the run goes, flushed; statuses only when
 * standard output is a terminal, each overwriting the last on the same line.
 */
final class StandardConsole implements Console {

    static final Console INSTANCE = new StandardConsole();

    /** Clears the terminal line a status occupies. */
    private static final String CLEAR_LINE = "\r\033[2K";

    private boolean statusShowing;

    @Override
    public void line(String text) {
        PrintStream out = System.out; // read each time: tests and the CLI redirect it
        synchronized (this) {
            out.println((statusShowing ? CLEAR_LINE : "") + text);
            out.flush();
            statusShowing = false;
        }
    }

    @Override
    public void status(String text) {
        if (System.console() == null) {
            return;
        }
        PrintStream out = System.out;
        synchronized (this) {
            out.print("\r" + text);
            out.flush();
            statusShowing = true;
        }
    }
}
