package dev.graft.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The local file system, durable or not: durable writes force file bytes and folder entries to the device and
 * refuse a file system that cannot rename atomically; the others force nothing and fall back to a plain
 * replacing rename there.
 */
final class LocalFileWrites implements FileWrites {

    private final boolean durable;

    LocalFileWrites(boolean durable) {
        this.durable = durable;
    }

    @Override
    public void write(Path file, Content content) throws IOException {
        content.writeTo(file);
        if (durable) {
            force(file, StandardOpenOption.WRITE);
        }
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    @Override
    public void move(Path from, Path to, boolean replace) throws IOException {
        CopyOption[] options = replace ? new CopyOption[] {StandardCopyOption.REPLACE_EXISTING} : new CopyOption[0];
        try {
            Files.move(from, to, append(options, StandardCopyOption.ATOMIC_MOVE));
        } catch (AtomicMoveNotSupportedException e) {
            if (durable) {
                throw new IOException("the file system cannot rename atomically ('" + from + "' -> '" + to
                        + "'); put the folder on a local file system", e);
            }
            Files.move(from, to, options);
        }
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        if (durable) {
            force(dir, StandardOpenOption.READ);
        }
    }

    private static void force(Path path, StandardOpenOption mode) throws IOException {
        try (FileChannel channel = FileChannel.open(path, mode)) {
            channel.force(true);
        }
    }

    private static CopyOption[] append(CopyOption[] options, CopyOption last) {
        CopyOption[] all = Arrays.copyOf(options, options.length + 1);
        all[options.length] = last;
        return all;
    }
}
