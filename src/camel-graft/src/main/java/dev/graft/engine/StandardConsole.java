package dev.graft.engine;

import dev.graft.spi.Console;
import java.io.PrintStream;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The console of {@code graft run} and {@code graft serve}: each line to standard output as the run goes, flushed.
 * On a terminal a status overwrites the last one on the same line; without one (a log file, a pipe) a status is
 * written as a plain line, without control characters, at most once every {@link #PLAIN_STATUS_EVERY_NANOS} and
 * only when no other line came meanwhile, so a log shows a long epoch's progress every few seconds.
 */
final class StandardConsole implements Console {

    static final Console INSTANCE = new StandardConsole(() -> System.console() != null, System::nanoTime);

    /** Five seconds: the gap between plain status lines. */
    static final long PLAIN_STATUS_EVERY_NANOS = 5_000_000_000L;
    /** Clears the terminal line a status occupies. */
    private static final String CLEAR_LINE = "\r\033[2K";

    private final BooleanSupplier terminal;
    private final LongSupplier clock;
    private boolean statusShowing;
    private long lastLine;

    /**
     * @param terminal whether standard output is a terminal, asked at each status
     * @param clock    nanoseconds, for the gap between plain status lines
     */
    StandardConsole(BooleanSupplier terminal, LongSupplier clock) {
        this.terminal = terminal;
        this.clock = clock;
        this.lastLine = clock.getAsLong();
    }

    @Override
    public void line(String text) {
        PrintStream out = System.out; // read each time: tests and the CLI redirect it
        synchronized (this) {
            out.println((statusShowing ? CLEAR_LINE : "") + text);
            out.flush();
            statusShowing = false;
            lastLine = clock.getAsLong();
        }
    }

    @Override
    public void status(String text) {
        if (text.isBlank()) {
            return;
        }
        PrintStream out = System.out;
        if (terminal.getAsBoolean()) {
            synchronized (this) {
                out.print(CLEAR_LINE + text);
                out.flush();
                statusShowing = true;
            }
            return;
        }
        synchronized (this) {
            long now = clock.getAsLong();
            if (now - lastLine >= PLAIN_STATUS_EVERY_NANOS) {
                out.println(plain(text));
                out.flush();
                lastLine = now;
            }
        }
    }

    /** The text with each control character (a renderer's carriage return, say) made a blank. */
    static String plain(String text) {
        return text.replaceAll("\\p{Cntrl}", " ").strip();
    }
}
