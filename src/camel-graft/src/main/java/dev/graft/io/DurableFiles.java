package dev.graft.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/** Atomic replacement of a file's content and recursive deletion, the two file chores of durable updates. */
public final class DurableFiles {

    /** Marks the temporary sibling {@link #writeAtomically} writes first; leftovers of a crash carry it. */
    public static final String TEMP_MARK = ".tmp-";

    private DurableFiles() {
    }

    /**
     * Replaces {@code file}'s content with {@code bytes} so that a reader, or a crash at any instant, sees the old
     * content or the new one whole: writes a temporary sibling, forces it, renames it over the file atomically
     * and forces the folder. On failure the file is unchanged and the temporary sibling is gone.
     */
    public static void writeAtomically(FileWrites io, Path file, byte[] bytes) throws IOException {
        replace(io, file, t -> Files.write(t, bytes));
    }

    /**
     * Replaces {@code file} with what {@code content} writes, as {@link #writeAtomically} does: into a temporary
     * sibling (which does not exist when {@code content} is called), then renamed over the file through {@code io}.
     * With {@link FileWrites#SYSTEM} the update is durable; with {@link FileWrites#UNFORCED} it is only atomic.
     */
    public static void replace(FileWrites io, Path file, FileWrites.Content content) throws IOException {
        // a sibling rather than createTempFile, whose owner-only permissions the rename would keep
        Path tmp = file.resolveSibling("." + file.getFileName() + TEMP_MARK + UUID.randomUUID());
        try {
            io.write(tmp, content);
            io.move(tmp, file, true);
            io.syncDirectory(file.getParent());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** True when a file name is that of a temporary sibling {@link #replace} writes (a crash's leftover if old). */
    public static boolean isTemporary(String fileName) {
        return fileName.contains(TEMP_MARK);
    }

    /** Deletes a file or a folder with everything under it, without following links; nothing when absent. */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> walk = Files.walk(path)) {
            all = walk.sorted(Comparator.reverseOrder()).toList();
        } catch (NoSuchFileException e) {
            return; // deleted meanwhile by whoever else cleans up
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }
}
