package dev.graft.registry;

import dev.graft.io.FileWrites;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The real file system, except that the write with a given ordinal (1 = the first) fails: with an
 * {@code IOException("No space left on device")} as a full disk would, or with what {@code failure} makes.
 */
final class FaultyWrites implements FileWrites {

    private final int failAt;
    private final Function<String, Throwable> failure;
    private final List<String> calls = new ArrayList<>();

    FaultyWrites(int failAt) {
        this(failAt, what -> new IOException("No space left on device"));
    }

    FaultyWrites(int failAt, Function<String, Throwable> failure) {
        this.failAt = failAt;
        this.failure = failure;
    }

    /** Every write asked for so far, failed or not: "write model.zip", "move ...". */
    synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    private synchronized void count(String what) throws IOException {
        calls.add(what);
        if (calls.size() == failAt) {
            Throwable t = failure.apply(what);
            if (t instanceof IOException io) {
                throw io;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw (RuntimeException) t;
        }
    }

    private static String name(Path p) {
        return p.getFileName().toString().replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "*");
    }

    @Override
    public void write(Path file, Content content) throws IOException {
        count("write " + name(file));
        SYSTEM.write(file, content);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        count("mkdir " + name(dir));
        SYSTEM.createDirectories(dir);
    }

    @Override
    public void move(Path from, Path to, boolean replace) throws IOException {
        count("move " + name(from) + " -> " + name(to));
        SYSTEM.move(from, to, replace);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        count("sync " + name(dir));
        SYSTEM.syncDirectory(dir);
    }
}
