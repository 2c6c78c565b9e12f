package dev.graft.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/**
 * The hostile inputs of issue 13, written on demand so the repository carries no binary bombs. Each method writes
 * one file into {@code dir} and returns it; every file is a complete drop (a zip, CSV or single file that a route
 * with {@code source=trigger} reads), except {@link #giantPng}, which writes the bare image that
 * {@link #giantPngZip} wraps. The generator itself stays small in memory: the bombs are deflate streams built from a
 * repeated, fully flushed block, so no decompressed content is ever held whole.
 *
 * <p>The API is stable: other packages' tests (the service's drop tests) call these methods.
 */
public final class HostileFiles {

    /** Images declared by {@link #idxHeaderBomb}: 2.7 million 28x28 images, 2.1 G pixels, in a 339-byte-class zip. */
    public static final int HEADER_BOMB_IMAGES = 2_700_000;
    /** Rows of {@link #idxDeclares65536x2775}'s images. */
    public static final int TALL_ROWS = 65_536;
    /** Columns of {@link #idxDeclares65536x2775}'s images. */
    public static final int TALL_COLS = 2_775;
    /** Images declared by {@link #idxDeclares65536x2775}: 909 M pixels, 3.6 GB as floats. */
    public static final int TALL_COUNT = 5;
    /** A count x rows x cols whose product overflows {@code long} to a negative value with a negative int part. */
    public static final int[] OVERFLOW_HEADER = {2_069_367_023, 2_069_367_023, 28};
    /** Width and height of {@link #giantPng}. */
    public static final int GIANT_SIDE = 40_000;
    /** Uncompressed bytes of {@link #csvZipBomb}'s CSV rows (the header row adds a few more). */
    public static final long CSV_BOMB_BYTES = 1L << 30;
    /** The stray label of {@link #labelOutsideClasses}, among labels 0-9. */
    public static final int STRAY_LABEL = 57;
    /** The 1-based line of {@link #labelOutsideClasses} that holds {@link #STRAY_LABEL}. */
    public static final int STRAY_LINE = 23;

    private HostileFiles() {
    }

    /** Writes every hostile drop into {@code dir} (created if missing) and returns them in a fixed order. */
    public static List<Path> writeAll(Path dir) {
        List<Path> files = new ArrayList<>();
        files.add(idxHeaderBomb(dir));
        files.add(csvZipBomb(dir));
        files.add(idxDeclares65536x2775(dir));
        files.add(overflowHeader(dir));
        files.add(giantPngZip(dir));
        files.add(giantJpegZip(dir));
        files.add(emptyFile(dir));
        files.add(truncatedIdx(dir));
        files.add(truncatedIdxZip(dir));
        files.add(corruptZip(dir));
        files.add(truncatedZip(dir));
        files.add(zipNameClash(dir));
        files.add(zipDuplicateEntry(dir));
        files.add(labelOutsideClasses(dir));
        return files;
    }

    /** A zip of an IDX pair whose headers claim {@value #HEADER_BOMB_IMAGES} images of 28x28 and holds 16 of them. */
    public static Path idxHeaderBomb(Path dir) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("train-images-idx3-ubyte", idxImagesHeader(HEADER_BOMB_IMAGES, 28, 28, 16 * 28 * 28));
        entries.put("train-labels-idx1-ubyte", idxLabelsHeader(HEADER_BOMB_IMAGES, 16));
        return zip(dir.resolve("idx-header-bomb.zip"), entries);
    }

    /**
     * A zip of about 1 MB holding train.csv, which expands to {@link #CSV_BOMB_BYTES} plus its header row: 268 M
     * rows {@code 3,0}. Its zip headers state the true sizes; {@link #csvZipBombLyingHeader} does not.
     */
    public static Path csvZipBomb(Path dir) {
        return csvBomb(dir.resolve("csv-zip-bomb.zip"), false);
    }

    /** Like {@link #csvZipBomb}, but the zip headers claim the CSV is 1,000 bytes, so only counting real bytes helps. */
    public static Path csvZipBombLyingHeader(Path dir) {
        return csvBomb(dir.resolve("csv-zip-bomb-lying.zip"), true);
    }

    /** A zip of an IDX pair declaring {@value #TALL_COUNT} images of 65536x2775 and holding a few KB of them. */
    public static Path idxDeclares65536x2775(Path dir) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("train-images-idx3-ubyte", idxImagesHeader(TALL_COUNT, TALL_ROWS, TALL_COLS, 4096));
        entries.put("train-labels-idx1-ubyte", idxLabelsHeader(TALL_COUNT, TALL_COUNT));
        return zip(dir.resolve("idx-65536x2775.zip"), entries);
    }

    /** A zip of an IDX pair whose count x rows x cols ({@link #OVERFLOW_HEADER}) overflows {@code long}. */
    public static Path overflowHeader(Path dir) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("train-images-idx3-ubyte",
                idxImagesHeader(OVERFLOW_HEADER[0], OVERFLOW_HEADER[1], OVERFLOW_HEADER[2], 64));
        entries.put("train-labels-idx1-ubyte", idxLabelsHeader(OVERFLOW_HEADER[0], 64));
        return zip(dir.resolve("idx-overflow-header.zip"), entries);
    }

    /**
     * A valid 8-bit grayscale PNG of {@value #GIANT_SIDE}x{@value #GIANT_SIDE} black pixels, about 1.5 MB: decoded it
     * needs 1.6 GB as bytes and 6.4 GB as floats.
     */
    public static Path giantPng(Path dir) {
        Path file = dir.resolve("giant.png");
        try {
            Files.createDirectories(dir);
            ByteArrayOutputStream idat = new ByteArrayOutputStream(1 << 21);
            idat.write(0x78);
            idat.write(0xDA);
            long raw = (long) GIANT_SIDE * (GIANT_SIDE + 1); // a filter byte (0, none) before every row
            byte[] unit = new byte[1 << 20];
            Adler32 adler = new Adler32();
            repeatDeflate(idat, new byte[0], unit, raw, adler);
            int sum = (int) adler.getValue();
            idat.write(new byte[] {(byte) (sum >>> 24), (byte) (sum >>> 16), (byte) (sum >>> 8), (byte) sum});
            try (OutputStream out = Files.newOutputStream(file)) {
                out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
                ByteBuffer ihdr = ByteBuffer.allocate(13);
                ihdr.putInt(GIANT_SIDE).putInt(GIANT_SIDE).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0)
                        .put((byte) 0);
                pngChunk(out, "IHDR", ihdr.array());
                pngChunk(out, "IDAT", idat.toByteArray());
                pngChunk(out, "IEND", new byte[0]);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A zip of two class folders: {@code a/giant.png} ({@link #giantPng}) and {@code b/ok.png}, a 28x28 image. */
    public static Path giantPngZip(Path dir) {
        Path work = dir.resolve(".giant-png-work");
        Path png = giantPng(work);
        Path zip = dir.resolve("giant-png.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("a/giant.png"));
            Files.copy(png, out);
            out.closeEntry();
            out.putNextEntry(new ZipEntry("b/ok.png"));
            out.write(png(28, 28));
            out.closeEntry();
            Files.delete(png);
            Files.delete(work);
            return zip;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A 16x16 baseline JPEG whose frame header was rewritten to claim 50000x50000 pixels. */
    public static Path giantJpeg(Path dir) {
        return write(dir.resolve("giant.jpg"), giantJpegBytes());
    }

    /** A zip of two class folders: {@code a/giant.jpg} ({@link #giantJpeg}) and {@code b/ok.png}. */
    public static Path giantJpegZip(Path dir) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("a/giant.jpg", giantJpegBytes());
        entries.put("b/ok.png", png(28, 28));
        return zip(dir.resolve("giant-jpeg.zip"), entries);
    }

    /** A 0-byte file named empty.zip. */
    public static Path emptyFile(Path dir) {
        return write(dir.resolve("empty.zip"), new byte[0]);
    }

    /**
     * A single raw IDX images file under a name that does not say IDX ({@code truncated.idx3}): its header declares
     * 100 images of 28x28 (78,400 bytes) and 30,000 bytes follow.
     */
    public static Path truncatedIdx(Path dir) {
        return write(dir.resolve("truncated.idx3"), idxImagesHeader(100, 28, 28, 30_000));
    }

    /** A zip of an IDX pair whose images file declares 100 images of 28x28 and holds 60 of them. */
    public static Path truncatedIdxZip(Path dir) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("train-images-idx3-ubyte", idxImagesHeader(100, 28, 28, 60 * 28 * 28));
        entries.put("train-labels-idx1-ubyte", idxLabelsHeader(100, 100));
        return zip(dir.resolve("truncated-idx.zip"), entries);
    }

    /** A zip of a valid IDX pair whose deflated images entry has garbage in the middle; its directory is intact. */
    public static Path corruptZip(Path dir) {
        Path zip = validIdxZip(dir.resolve(".corrupt-work"));
        try {
            byte[] bytes = Files.readAllBytes(zip);
            // the first entry's data starts after its 30-byte local header and name
            int nameLength = (bytes[26] & 0xff) | (bytes[27] & 0xff) << 8;
            int data = 30 + nameLength + ((bytes[28] & 0xff) | (bytes[29] & 0xff) << 8);
            for (int i = data + 2; i < data + 40; i++) {
                bytes[i] = (byte) 0xff;
            }
            Files.delete(zip);
            Files.delete(zip.getParent());
            return write(dir.resolve("corrupt.zip"), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first 60% of a valid zip: no central directory. */
    public static Path truncatedZip(Path dir) {
        Path zip = validIdxZip(dir.resolve(".truncated-work"));
        try {
            byte[] bytes = Files.readAllBytes(zip);
            Files.delete(zip);
            Files.delete(zip.getParent());
            return write(dir.resolve("truncated.zip"), Arrays.copyOf(bytes, bytes.length * 6 / 10));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A zip with a file {@code data} followed by {@code data/train.csv}: a file and a folder of the same name. */
    public static Path zipNameClash(Path dir) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("data", text("not a folder\n"));
        entries.put("data/train.csv", text(csv(20)));
        return zip(dir.resolve("name-clash.zip"), entries);
    }

    /** A zip with two entries named {@code train.csv} of different content. */
    public static Path zipDuplicateEntry(Path dir) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("train.csv", text(csv(20)));
        entries.put("train#csv", text(csv(10)));
        Path zip = zip(dir.resolve("duplicate-entry.zip"), entries);
        try {
            byte[] bytes = Files.readAllBytes(zip);
            byte[] marker = text("train#csv");
            // ZipOutputStream refuses duplicate names, so the second is renamed in place; no CRC covers names
            for (int i = 0; i + marker.length <= bytes.length; i++) {
                if (Arrays.equals(bytes, i, i + marker.length, marker, 0, marker.length)) {
                    bytes[i + 5] = '.';
                }
            }
            return write(zip, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * label-outside-classes.csv: 40 rows with labels 0-9, none of them 2 (those rows say 3), and line
     * {@value #STRAY_LINE} labelled {@value #STRAY_LABEL}; read with {@code classes=0-9}.
     */
    public static Path labelOutsideClasses(Path dir) {
        StringBuilder text = new StringBuilder("label,a,b,c,d\n");
        for (int row = 0; row < 40; row++) {
            int line = row + 2;
            int label = line == STRAY_LINE ? STRAY_LABEL : (row % 10 == 2 ? 3 : row % 10);
            text.append(label).append(',').append(row).append(",1,2,3\n");
        }
        return write(dir.resolve("label-outside-classes.csv"), text(text.toString()));
    }

    /** A valid zip of an IDX pair: 40 images of 28x28, labels 0-9 in turn; a good drop to send after the bad ones. */
    public static Path validIdxZip(Path dir) {
        int count = 40;
        byte[] images = idxImagesHeader(count, 28, 28, count * 28 * 28);
        for (int i = 16; i < images.length; i++) {
            images[i] = (byte) ((i * 31) % 256);
        }
        byte[] labels = idxLabelsHeader(count, count);
        for (int i = 0; i < count; i++) {
            labels[8 + i] = (byte) (i % 10);
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("train-images-idx3-ubyte", images);
        entries.put("train-labels-idx1-ubyte", labels);
        return zip(dir.resolve("valid-idx.zip"), entries);
    }

    /** A valid CSV drop: 40 rows with labels 0-9 in turn and four numeric features. */
    public static Path validCsv(Path dir) {
        return write(dir.resolve("valid.csv"), text(csv(40)));
    }

    // ---------------------------------------------------------------------------------------------------------

    private static String csv(int rows) {
        StringBuilder text = new StringBuilder("label,a,b,c,d\n");
        for (int row = 0; row < rows; row++) {
            text.append(row % 10).append(',').append(row).append(",1,2,3\n");
        }
        return text.toString();
    }

    /** An IDX images header followed by {@code present} zero bytes. */
    private static byte[] idxImagesHeader(int count, int rows, int cols, int present) {
        return ByteBuffer.allocate(16 + present).putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows)
                .putInt(cols).array();
    }

    /** An IDX labels header followed by {@code present} zero bytes (label 0). */
    private static byte[] idxLabelsHeader(int count, int present) {
        return ByteBuffer.allocate(8 + present).putInt(IdxReader.LABELS_MAGIC).putInt(count).array();
    }

    private static Path csvBomb(Path zip, boolean lie) {
        byte[] header = text("label,a\n");
        // a 4-byte row repeats at distance 4, which deflate codes without extra bits: ratio about 1000
        byte[] row = text("3,0\n");
        byte[] unit = new byte[row.length * 65_536];
        for (int i = 0; i < unit.length; i += row.length) {
            System.arraycopy(row, 0, unit, i, row.length);
        }
        ByteArrayOutputStream data = new ByteArrayOutputStream(1 << 21);
        CRC32 crc = new CRC32();
        long size = repeatDeflate(data, header, unit, header.length + CSV_BOMB_BYTES, crc);
        byte[] compressed = data.toByteArray();
        long declared = lie ? 1_000 : size;
        byte[] name = text("train.csv");
        try {
            Files.createDirectories(zip.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(zip)) {
                ByteBuffer local = ByteBuffer.allocate(30 + name.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                local.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 8)
                        .putShort((short) 0).putShort((short) 0x21).putInt((int) crc.getValue())
                        .putInt(compressed.length).putInt((int) declared).putShort((short) name.length)
                        .putShort((short) 0).put(name);
                out.write(local.array());
                out.write(compressed);
                ByteBuffer central = ByteBuffer.allocate(46 + name.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                central.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0)
                        .putShort((short) 8).putShort((short) 0).putShort((short) 0x21).putInt((int) crc.getValue())
                        .putInt(compressed.length).putInt((int) declared).putShort((short) name.length)
                        .putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                        .putInt(0).putInt(0).put(name);
                out.write(central.array());
                ByteBuffer end = ByteBuffer.allocate(22).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) 1)
                        .putShort((short) 1).putInt(central.capacity()).putInt(local.capacity() + compressed.length)
                        .putShort((short) 0);
                out.write(end.array());
            }
            return zip;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes a raw deflate stream of {@code head} followed by {@code total - head.length} bytes of {@code unit}
     * repeated (the last copy cut short), and feeds the same bytes to {@code checksum}. Each part is deflated once
     * and ends with a full flush, which resets the dictionary, so its compressed bytes can be repeated verbatim.
     *
     * @return the number of uncompressed bytes
     */
    private static long repeatDeflate(OutputStream out, byte[] head, byte[] unit, long total,
                                      java.util.zip.Checksum checksum) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            long body = total - head.length;
            long copies = body / unit.length;
            int rest = (int) (body % unit.length);
            out.write(flushed(deflater, head, head.length));
            checksum.update(head, 0, head.length);
            byte[] block = flushed(deflater, unit, unit.length);
            for (long i = 0; i < copies; i++) {
                out.write(block);
                checksum.update(unit, 0, unit.length);
            }
            out.write(flushed(deflater, unit, rest));
            checksum.update(unit, 0, rest);
            deflater.finish();
            byte[] buffer = new byte[256];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deflater.end();
        }
    }

    private static byte[] flushed(Deflater deflater, byte[] input, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        deflater.setInput(input, 0, length);
        byte[] buffer = new byte[1 << 16];
        int n;
        do {
            n = deflater.deflate(buffer, 0, buffer.length, Deflater.FULL_FLUSH);
            out.write(buffer, 0, n);
        } while (n == buffer.length || !deflater.needsInput());
        return out.toByteArray();
    }

    private static void pngChunk(OutputStream out, String type, byte[] data) throws IOException {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(name);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static byte[] png(int width, int height) {
        return encode(new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY), "png");
    }

    private static byte[] giantJpegBytes() {
        byte[] jpeg = encode(new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY), "jpeg");
        for (int i = 2; i + 9 < jpeg.length; i++) {
            if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == 0xc0) {
                // SOF0: marker, length (2), precision (1), height (2), width (2)
                jpeg[i + 5] = (byte) (50_000 >> 8);
                jpeg[i + 6] = (byte) 50_000;
                jpeg[i + 7] = (byte) (50_000 >> 8);
                jpeg[i + 8] = (byte) 50_000;
                return jpeg;
            }
        }
        throw new IllegalStateException("no SOF0 marker in the JPEG ImageIO wrote");
    }

    private static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, bytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path zip(Path zip, Map<String, byte[]> entries) {
        try {
            Files.createDirectories(zip.toAbsolutePath().getParent());
            try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
                out.setLevel(Deflater.BEST_COMPRESSION);
                for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                    out.putNextEntry(new ZipEntry(entry.getKey()));
                    out.write(entry.getValue());
                    out.closeEntry();
                }
            }
            return zip;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
