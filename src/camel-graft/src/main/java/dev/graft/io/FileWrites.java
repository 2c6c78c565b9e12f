package dev.graft.io;

import java.io.IOException;
import java.nio.file.Path;

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
    FileWrites SYSTEM = new LocalFileWrites(true);

    /**
     * The real file system without forcing anything to the device, and with a plain replacing rename where the
     * file system cannot rename atomically: for files that can be made again (reports, cache entries), which a
     * crash may lose but, where the rename is atomic, never leaves half written.
     */
    FileWrites UNFORCED = new LocalFileWrites(false);
}
