package dev.graft.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The writes a durable update makes to a file system, one method per kind: the seam through which every write
 * of a registry publish goes, so that a test can make any one of them fail as a full disk would.
 * Implementations must be safe for concurrent use; {@link #SYSTEM} is.
 */
public interface FileWrites {

    /** Fills a file with content; may throw. */
    @FunctionalInterface
    interface Content {
        void writeTo(Path file) throws IOException;
    }

    /** Writes {@code file} by calling {@code content} on it, then forces its bytes to the device. */
    void write(Path file, Content content) throws IOException;

    /** Creates a folder and any missing parents; nothing when it exists. */
    void createDirectories(Path dir) throws IOException;

    /**
     * Renames {@code from} to {@code to} atomically (readers see the old or the new entry, never neither),
     * replacing an existing {@code to} only when {@code replace} is true.
     */
    void move(Path from, Path to, boolean replace) throws IOException;

    /** Forces a folder's entries (files created or renamed into it) to the device. */
    void syncDirectory(Path dir) throws IOException;

    /** The real file system. */
    FileWrites SYSTEM = new FileWrites() {
        @Override
        public void write(Path file, Content content) throws IOException {
            content.writeTo(file);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
        }

        @Override
        public void createDirectories(Path dir) throws IOException {
            Files.createDirectories(dir);
        }

        @Override
        public void move(Path from, Path to, boolean replace) throws IOException {
            try {
                if (replace) {
                    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system cannot rename atomically ('" + from + "' -> '" + to
                        + "'); put the folder on a local file system", e);
            }
        }

        @Override
        public void syncDirectory(Path dir) throws IOException {
            try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
                channel.force(true);
            }
        }
    };

    /**
     * The real file system without forcing anything to the device, and with a plain replacing rename where the
     * file system cannot rename atomically: for files that can be made again (reports, cache entries), which a
     * crash may lose but, where the rename is atomic, never leaves half written.
     */
    FileWrites UNFORCED = new FileWrites() {
        @Override
        public void write(Path file, Content content) throws IOException {
            content.writeTo(file); // not forced: the file can be made again
        }

        @Override
        public void createDirectories(Path dir) throws IOException {
            SYSTEM.createDirectories(dir);
        }

        @Override
        public void move(Path from, Path to, boolean replace) throws IOException {
            try {
                SYSTEM.move(from, to, replace);
            } catch (IOException e) {
                if (!(e.getCause() instanceof AtomicMoveNotSupportedException)) {
                    throw e;
                }
                Files.move(from, to, replace ? new CopyOption[] {StandardCopyOption.REPLACE_EXISTING} : new CopyOption[0]);
            }
        }

        @Override
        public void syncDirectory(Path dir) {
        }
    };
}
