package dev.graft.data;

import dev.graft.spi.DataException;
import dev.graft.spi.TransientException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/** Extracts a zip archive into a folder, refusing entries that would land outside it. */
final class SafeZip {

    /** More than this many extracted bytes is taken for a zip bomb. */
    static final long MAX_EXTRACTED_BYTES = 16L << 30;

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

    /**
     * Extracts every entry of {@code zip} into the empty folder {@code target}.
     *
     * @param zipName the zip as named in messages
     * @throws DataException when the archive is corrupt or an entry's path escapes {@code target}
     */
    static void extract(Path zip, String zipName, Path target) {
        Path root = target.toAbsolutePath().normalize();
        long total = 0;
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> entries = archive.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                Path out = destination(root, entry.getName(), zipName, entry.isDirectory());
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                try (InputStream in = archive.getInputStream(entry); OutputStream os = Files.newOutputStream(out)) {
                    total += copy(in, os, MAX_EXTRACTED_BYTES - total, zipName);
                } catch (ZipException | EOFException e) {
                    throw corrupt(zipName, entry.getName(), e);
                }
            }
        } catch (ZipException e) {
            throw new DataException(DatasetLoader.STEP + ": not a readable zip archive '" + zipName
                    + "'; expected a valid .zip file", e);
        } catch (IOException e) {
            throw new TransientException(DatasetLoader.STEP + ": cannot extract '" + zipName + "' into '" + target
                    + "'; expected a readable archive and free temp space", e);
        }
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

    private static long copy(InputStream in, OutputStream out, long allowed, String zipName) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long copied = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            copied += n;
            if (copied > allowed) {
                throw new DataException(DatasetLoader.STEP + ": zip archive '" + zipName + "' expands to more than "
                        + (MAX_EXTRACTED_BYTES >> 30) + " GiB; expected a data set that fits on disk");
            }
            out.write(buffer, 0, n);
        }
        return copied;
    }

    private static DataException corrupt(String zipName, String entry, IOException e) {
        return new DataException(DatasetLoader.STEP + ": corrupt entry '" + entry + "' in zip '" + zipName
                + "'; expected a valid .zip file", e);
    }
}
