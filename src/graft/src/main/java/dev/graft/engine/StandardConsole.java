package dev.graft.engine;

import dev.graft.spi.Console;
import java.io.PrintStream;

/** The console of {@code graft run}: each line to standard output as the run goes, flushed. */
final class StandardConsole implements Console {

    static final Console INSTANCE = new StandardConsole();

    @Override
    public void line(String text) {
        PrintStream out = System.out; // read each time: tests and the CLI redirect it
        synchronized (out) {
            out.println(text);
            out.flush();
        }
    }
}
