package dev.graft.data;

import dev.graft.spi.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ProviderNotFoundException;
import java.util.Map;

/**
 * A zip archive read in place, without extracting it: its entries are paths of a read-only zip file system, so the
 * folder readers list and decode them as they do files. The archive passes {@link SafeZip#check} first (entry names
 * relative and inside, no clashes, declared sizes and ratios within the {@link ReadBudget}); each entry is read
 * whole after its declared size was checked against the budget, and an entry that inflates past its declared size
 * is refused. Reading is thread-safe (the zip file system locks internally), so decoder threads share one view.
 */
final class ZipView implements AutoCloseable {

    private static final Cleaner CLEANER = Cleaner.create();

    private final FileSystem fs;
    private final DataRoot root;
    private final Path content;

    private ZipView(FileSystem fs, DataRoot root, Path content) {
        this.fs = fs;
        this.root = root;
        this.content = content;
    }

    /**
     * Opens {@code zip} after checking its central directory.
     *
     * @param label the zip as named in messages; entries are named {@code label!/path/in/zip}
     * @throws DataException when the archive is corrupt, hostile or past the budget (see {@link SafeZip#check})
     */
    static ZipView open(Path zip, String label, ReadBudget budget) {
        SafeZip.check(zip, label, budget);
        FileSystem fs;
        try {
            fs = FileSystems.newFileSystem(zip, Map.of("readOnly", "true"));
        } catch (IOException | ProviderNotFoundException | UncheckedIOException e) {
            throw new DataException(DatasetLoader.STEP + ": not a readable zip archive '" + label
                    + "'; expected a valid .zip file: " + e, e);
        }
        Path top = fs.getPath("/");
        DataRoot root = new DataRoot(top, label);
        try {
            return new ZipView(fs, root, SafeZip.contentRoot(top, root));
        } catch (RuntimeException e) {
            closeQuietly(fs);
            throw e;
        }
    }

    /** The folder that holds the data: the archive's single top-level folder, if that is all it has. */
    Path content() {
        return content;
    }

    /** Names entries in messages as {@code label!/path}. */
    DataRoot root() {
        return root;
    }

    /** Whether {@code file} is an entry of a zip read in place rather than a file on the local disk. */
    static boolean isEntry(Path file) {
        return file.getFileSystem() != FileSystems.getDefault();
    }

    /**
     * The bytes of one entry, its declared size checked against {@code maxBytes} before the buffer is allocated.
     *
     * @param name the entry as named in messages
     * @throws DataException when the entry declares more than {@code maxBytes} or inflates past what it declares
     */
    static byte[] read(Path entry, String name, long maxBytes, String option) {
        try {
            long declared = Files.size(entry);
            if (declared > maxBytes || declared > Integer.MAX_VALUE - 8) {
                throw new DataException(DatasetLoader.STEP + ": zip entry too large '" + name + "': it declares "
                        + ReadBudget.bytes(declared) + "; expected at most " + ReadBudget.bytes(maxBytes) + " an image ("
                        + option + "); raise it if the image is really that large");
            }
            try (InputStream in = Files.newInputStream(entry)) {
                byte[] bytes = in.readNBytes((int) declared);
                if (bytes.length != declared || in.read() >= 0) {
                    throw new DataException(DatasetLoader.STEP + ": corrupt entry '" + name + "': it inflates to "
                            + (bytes.length == declared ? "more" : "less") + " than the " + declared
                            + " bytes it declares; expected a valid .zip file");
                }
                return bytes;
            }
        } catch (IOException e) {
            throw new DataException(DatasetLoader.STEP + ": corrupt entry '" + name + "'; expected a valid .zip file: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Closes the archive once {@code owner} (the records that read it) is unreachable: a streamed data set reads its
     * entries for as long as the run holds its splits, and no step says when it is done with them.
     */
    void closeWhenUnreachable(Object owner) {
        FileSystem held = fs;
        CLEANER.register(owner, () -> closeQuietly(held));
    }

    @Override
    public void close() {
        closeQuietly(fs);
    }

    private static void closeQuietly(FileSystem fs) {
        try {
            fs.close();
        } catch (IOException e) {
            // a read-only archive has nothing to flush; the descriptor is released either way
        }
    }
}
