package dev.graft.data;

import dev.graft.spi.DataException;
import dev.graft.spi.TransientException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Extracts a zip archive into a folder, refusing entries that would land outside it, entries whose names clash,
 * and archives that expand past the {@link ReadBudget}: the sizes the central directory declares are checked before
 * anything is written, and the bytes really inflated are counted as they arrive, since a header can lie.
 */
final class SafeZip {

    private SafeZip() {
    }

    /** True when {@code file} is named .zip or starts with a zip signature. */
    static boolean isZip(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip")) {
            return true;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && head[0] == 'P' && head[1] == 'K'
                    && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));
        } catch (IOException e) {
            return false;
        }
    }

    /** {@link #extract(Path, String, Path, ReadBudget)} with the default budget. */
    static void extract(Path zip, String zipName, Path target) {
        extract(zip, zipName, target, ReadBudget.defaults());
    }

    /**
     * Extracts every entry of {@code zip} into the empty folder {@code target}.
     *
     * @param zipName the zip as named in messages
     * @throws DataException      when the archive is corrupt, an entry's path escapes {@code target} or clashes with
     *                            another entry, or the archive expands past the budget; retrying cannot help
     * @throws TransientException when writing the extracted files fails (a full temp disk, say)
     */
    static void extract(Path zip, String zipName, Path target, ReadBudget budget) {
        Path root = target.toAbsolutePath().normalize();
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            long archiveBytes = Math.max(1, Files.size(zip));
            checkDeclared(archive, zipName, archiveBytes, budget);
            Set<Path> written = new HashSet<>();
            long total = 0;
            Enumeration<? extends ZipEntry> entries = archive.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                Path out = destination(root, entry.getName(), zipName, entry.isDirectory());
                checkClash(root, out, entry, zipName, written);
                if (entry.isDirectory()) {
                    write(() -> Files.createDirectories(out), zipName, target);
                    continue;
                }
                write(() -> Files.createDirectories(out.getParent()), zipName, target);
                try (InputStream in = archive.getInputStream(entry)) {
                    total = copy(in, out, total, archiveBytes, budget, zipName, entry.getName(), target);
                } catch (ZipException | EOFException e) {
                    throw corrupt(zipName, entry.getName(), e);
                }
            }
        } catch (ZipException | EOFException e) {
            throw new DataException(DatasetLoader.STEP + ": not a readable zip archive '" + zipName
                    + "'; expected a valid .zip file: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataException || e instanceof TransientException) {
                throw (RuntimeException) e;
            }
            // reading the archive failed: whatever the cause (a malformed name, an unsupported method), the same bytes
            // fail the same way, so this is bad data and not worth a retry
            throw new DataException(DatasetLoader.STEP + ": cannot read zip archive '" + zipName
                    + "'; expected a valid .zip file: " + e, e);
        }
    }

    /**
     * Checks {@code zip} for reading in place ({@link ZipView}) by the rules {@link #extract} applies, without writing
     * anything: every entry name relative and inside the archive, no two entries for one path nor a file where a folder
     * is, the declared sizes within the budget, and no entry past the compression ratio.
     *
     * @throws DataException when the archive is corrupt, hostile or past the budget; retrying cannot help
     */
    static void check(Path zip, String zipName, ReadBudget budget) {
        Path root = Path.of("/graft-zip-check");
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            checkDeclared(archive, zipName, Math.max(1, Files.size(zip)), budget);
            Set<Path> files = new HashSet<>();
            Set<Path> folders = new HashSet<>();
            Enumeration<? extends ZipEntry> entries = archive.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                Path out = destination(root, entry.getName(), zipName, entry.isDirectory());
                for (Path parent = out.getParent(); parent != null && !parent.equals(root);
                        parent = parent.getParent()) {
                    if (files.contains(parent)) {
                        throw clash(zipName, entry.getName(), "a file of the archive has the name of its folder '"
                                + DataRoot.relative(root, parent) + "'");
                    }
                    folders.add(parent);
                }
                if (entry.isDirectory()) {
                    if (files.contains(out)) {
                        throw clash(zipName, entry.getName(), "a file of the same name came before it");
                    }
                    folders.add(out);
                    continue;
                }
                if (folders.contains(out)) {
                    throw clash(zipName, entry.getName(), "a folder of the same name came before it");
                }
                if (!files.add(out)) {
                    throw clash(zipName, entry.getName(), "another entry of the same path came before it");
                }
                long size = entry.getSize();
                long packed = Math.max(1, entry.getCompressedSize());
                if (size > ReadBudget.RATIO_FLOOR_BYTES && size / packed > budget.maxCompressionRatio()) {
                    throw tooCompressed(zipName, "entry '" + entry.getName() + "' declares " + ReadBudget.bytes(size),
                            packed, budget);
                }
            }
        } catch (ZipException | EOFException e) {
            throw new DataException(DatasetLoader.STEP + ": not a readable zip archive '" + zipName
                    + "'; expected a valid .zip file: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataException) {
                throw (DataException) e;
            }
            throw new DataException(DatasetLoader.STEP + ": cannot read zip archive '" + zipName
                    + "'; expected a valid .zip file: " + e, e);
        }
    }

    /** Refuses an archive whose central directory already declares more than the budget. */
    private static void checkDeclared(ZipFile archive, String zipName, long archiveBytes, ReadBudget budget) {
        long declared = 0;
        long count = 0;
        Enumeration<? extends ZipEntry> entries = archive.entries();
        while (entries.hasMoreElements()) {
            ZipEntry entry = entries.nextElement();
            long size = Math.max(0, entry.getSize());
            declared = size > Long.MAX_VALUE - declared ? Long.MAX_VALUE : declared + size;
            count++;
        }
        long maxEntries = BudgetMeter.sum(zipName, "entries", budget.maxExamples(), 10_000);
        if (count > maxEntries) {
            throw new DataException(DatasetLoader.STEP + ": too many entries in zip '" + zipName + "': " + count
                    + "; expected at most " + maxEntries + " (option maxExamples, plus 10000); raise maxExamples");
        }
        if (declared > budget.maxExtractedBytes()) {
            throw tooBig(zipName, "its entries declare " + ReadBudget.bytes(declared), budget);
        }
        if (declared > ReadBudget.RATIO_FLOOR_BYTES && declared / archiveBytes > budget.maxCompressionRatio()) {
            throw tooCompressed(zipName, "its entries declare " + ReadBudget.bytes(declared), archiveBytes, budget);
        }
    }

    /** Refuses two entries for the same path, and a file where a folder is (or the other way round). */
    private static void checkClash(Path root, Path out, ZipEntry entry, String zipName, Set<Path> written) {
        for (Path parent = out.getParent(); parent != null && parent.startsWith(root) && !parent.equals(root);
                parent = parent.getParent()) {
            if (Files.isRegularFile(parent, LinkOption.NOFOLLOW_LINKS)) {
                throw clash(zipName, entry.getName(), "a file of the archive has the name of its folder '"
                        + DataRoot.relative(root, parent) + "'");
            }
        }
        if (entry.isDirectory()) {
            if (Files.isRegularFile(out, LinkOption.NOFOLLOW_LINKS)) {
                throw clash(zipName, entry.getName(), "a file of the same name came before it");
            }
            return;
        }
        if (!written.add(out)) {
            throw clash(zipName, entry.getName(), "another entry of the same path came before it");
        }
        if (Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
            throw clash(zipName, entry.getName(), "a folder of the same name came before it");
        }
    }

    private static DataException clash(String zipName, String entry, String why) {
        return new DataException(DatasetLoader.STEP + ": clashing zip entry '" + entry + "' in '" + zipName + "': "
                + why + "; expected every path in the archive once, as either a file or a folder");
    }

    private static DataException tooBig(String zipName, String what, ReadBudget budget) {
        return new DataException(DatasetLoader.STEP + ": zip archive expands past the budget '" + zipName + "': "
                + what + "; expected at most " + ReadBudget.bytes(budget.maxExtractedBytes())
                + " (option maxExtractedBytes); raise maxExtractedBytes if the data set is really that large");
    }

    private static DataException tooCompressed(String zipName, String what, long archiveBytes, ReadBudget budget) {
        return new DataException(DatasetLoader.STEP + ": zip archive expands too much '" + zipName + "': "
                + what + " from " + ReadBudget.bytes(archiveBytes) + "; expected at most "
                + budget.maxCompressionRatio() + " uncompressed bytes per byte (option maxCompressionRatio) once past "
                + ReadBudget.bytes(ReadBudget.RATIO_FLOOR_BYTES) + "; a zip bomb, or raise maxCompressionRatio");
    }

    /** The folder that holds the data: the single top-level folder of the archive, if that is all it has. */
    static Path contentRoot(Path extracted, DataRoot root) {
        List<Path> top = Listing.children(extracted, root);
        if (top.size() == 1 && Files.isDirectory(top.get(0))) {
            return top.get(0);
        }
        return extracted;
    }

    private static Path destination(Path root, String name, String zipName, boolean folder) {
        boolean absolute = name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*");
        Path out = root.resolve(name).normalize();
        if (absolute || !out.startsWith(root) || (out.equals(root) && !folder)) {
            throw new DataException(DatasetLoader.STEP + ": zip entry '" + name + "' in '" + zipName
                    + "' escapes the extraction folder; expected relative paths without '..' inside the archive");
        }
        return out;
    }

    /**
     * Copies one entry, counting the real bytes; returns the archive's running total.
     *
     * @throws ZipException or EOFException from the archive side, which the caller reports as a corrupt entry
     */
    private static long copy(InputStream in, Path out, long total, long archiveBytes, ReadBudget budget,
                             String zipName, String entry, Path target) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long ratioLimit = Math.max(ReadBudget.RATIO_FLOOR_BYTES,
                archiveBytes > Long.MAX_VALUE / budget.maxCompressionRatio() ? Long.MAX_VALUE
                        : archiveBytes * budget.maxCompressionRatio());
        OutputStream os = write(() -> Files.newOutputStream(out), zipName, target);
        try (os) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > budget.maxExtractedBytes()) {
                    throw tooBig(zipName, "more than " + ReadBudget.bytes(budget.maxExtractedBytes())
                            + " inflated by entry '" + entry + "'", budget);
                }
                if (total > ratioLimit) {
                    throw tooCompressed(zipName, "more than " + ReadBudget.bytes(ratioLimit) + " inflated by entry '"
                            + entry + "'", archiveBytes, budget);
                }
                int length = n;
                write(() -> {
                    os.write(buffer, 0, length);
                    return null;
                }, zipName, target);
            }
        } catch (TransientException | DataException e) {
            throw e;
        } catch (IOException e) {
            if (e instanceof ZipException || e instanceof EOFException) {
                throw e;
            }
            // closing the output (a flush to a full disk) is the only other IOException here
            throw new TransientException(DatasetLoader.STEP + ": cannot extract '" + zipName + "' into '" + target
                    + "'; expected free temp space: " + e.getMessage(), e);
        }
        return total;
    }

    /** Something that writes the extracted files; a failure there is the temp disk's, so retrying may help. */
    @FunctionalInterface
    private interface Write<T> {
        T run() throws IOException;
    }

    private static <T> T write(Write<T> action, String zipName, Path target) {
        try {
            return action.run();
        } catch (IOException e) {
            throw new TransientException(DatasetLoader.STEP + ": cannot extract '" + zipName + "' into '" + target
                    + "'; expected free temp space: " + e.getMessage(), e);
        }
    }

    private static DataException corrupt(String zipName, String entry, IOException e) {
        return new DataException(DatasetLoader.STEP + ": corrupt entry '" + entry + "' in zip '" + zipName
                + "'; expected a valid .zip file", e);
    }
}
