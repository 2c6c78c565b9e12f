package dev.graft.data;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads MNIST-style IDX files of unsigned bytes, raw or gzipped (detected from the content). Every size the header
 * declares is checked before anything is allocated for it: against the bytes present for a raw file, and against
 * the {@link ReadBudget} for both; a gzipped body is read into buffers that grow only as real bytes arrive.
 */
final class IdxReader {

    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    static final int IMAGES_HEADER = 16;
    static final int LABELS_HEADER = 8;
    private static final int BUFFER = 1 << 16;
    /** A gzipped body is read in chunks of this many bytes, each allocated when the previous one is full. */
    private static final int CHUNK = 1 << 20;

    private IdxReader() {
    }

    static SourceData read(Layout.Idx layout, DataRoot root, BudgetMeter meter) {
        List<Path> files = new ArrayList<>(List.of(layout.trainImages(), layout.trainLabels()));
        RawExamples train = readPair(layout.trainImages(), layout.trainLabels(), root, meter);
        RawExamples test = null;
        if (layout.testImages() != null) {
            files.add(layout.testImages());
            files.add(layout.testLabels());
            test = readPair(layout.testImages(), layout.testLabels(), root, meter);
            long[] a = train.exampleShape();
            long[] b = test.exampleShape();
            if (a[1] != b[1] || a[2] != b[2]) {
                throw new DataException(DatasetLoader.STEP + ": test images of another size '"
                        + root.name(layout.testImages()) + "' has " + b[1] + "x" + b[2] + "; expected " + a[1] + "x"
                        + a[2] + " like '" + root.name(layout.trainImages()) + "'");
            }
        }
        String trainLabels = root.name(layout.trainLabels());
        String testLabels = layout.testLabels() == null ? null : root.name(layout.testLabels());
        SourceData.Locator locator = (inTest, index) -> "'" + (inTest ? testLabels : trainLabels) + "' label #"
                + index + " (byte " + (LABELS_HEADER + (long) index) + ")";
        return new SourceData(train, test, SourceData.numericNames(train, test), files, locator);
    }

    /** An IDX images header: the declared sizes, checked to be non-negative. */
    record Header(int count, int rows, int cols) {
        String describe() {
            return count + " images of " + rows + "x" + cols;
        }
    }

    /** Receives the bytes of a body, in order, as unsigned values. */
    private interface UnsignedBytes {
        void put(int index, int value);
    }

    private static void forEachUnsigned(byte[][] body, UnsignedBytes sink) {
        int offset = 0;
        for (byte[] chunk : body) {
            for (int i = 0; i < chunk.length; i++) {
                sink.put(offset + i, chunk[i] & 0xff);
            }
            offset += chunk.length;
        }
    }

    /** Reads an images file and its labels file into examples of shape {1, rows, cols}. */
    static RawExamples readPair(Path imagesFile, Path labelsFile, DataRoot root, BudgetMeter meter) {
        String imagesName = root.name(imagesFile);
        String labelsName = root.name(labelsFile);
        float[] pixels;
        Header header;
        try (DataInputStream in = open(imagesFile)) {
            header = readImagesHeader(in, imagesName);
            int size = (int) checkImages(header, imagesFile, imagesName, meter);
            byte[][] body = readBody(in, size, isGzip(imagesFile), imagesName, header.describe());
            float[] values = new float[size];
            forEachUnsigned(body, (i, value) -> values[i] = value);
            pixels = values;
        } catch (IOException e) {
            throw unreadable(imagesName, e);
        }
        int[] labels;
        try (DataInputStream in = open(labelsFile)) {
            checkMagic(in, LABELS_MAGIC, "labels", labelsName);
            int labelCount = dimension(in, "label count", labelsName);
            if (labelCount != header.count()) {
                throw new DataException(DatasetLoader.STEP + ": IDX image and label counts differ: '" + imagesName
                        + "' has " + header.count() + " images but '" + labelsName + "' has " + labelCount
                        + " labels; expected one label per image");
            }
            checkPresent(labelsFile, labelsName, LABELS_HEADER, labelCount, labelCount + " labels");
            byte[][] body = readBody(in, labelCount, isGzip(labelsFile), labelsName, labelCount + " labels");
            int[] values = new int[labelCount];
            forEachUnsigned(body, (i, value) -> values[i] = value);
            labels = values;
        } catch (IOException e) {
            throw unreadable(labelsName, e);
        }
        return new RawExamples(pixels, labels, new long[] {1, header.rows(), header.cols()});
    }

    /**
     * Checks a single IDX file that was given as the whole source: a truncated or otherwise broken one is bad
     * data, a sound one is a configuration error (it needs its partner).
     *
     * @return true when {@code file} starts like an IDX file (raw or gzipped), after which it has thrown
     */
    static boolean refuseSingleFile(Path file, DataRoot root, String layoutHint) {
        String name = root.name(file);
        int magic;
        try (DataInputStream in = open(file)) {
            magic = in.readInt();
            if (magic == IMAGES_MAGIC) {
                Header header = new Header(dimension(in, "image count", name), dimension(in, "rows", name),
                        dimension(in, "columns", name));
                long size = BudgetMeter.product(name, header.describe(), header.count(), header.rows(),
                        header.cols());
                long present = isGzip(file) ? countRest(in, size) : Files.size(file) - IMAGES_HEADER;
                checkCount(name, header.describe(), size, present);
            } else if (magic == LABELS_MAGIC) {
                int count = dimension(in, "label count", name);
                long present = isGzip(file) ? countRest(in, count) : Files.size(file) - LABELS_HEADER;
                checkCount(name, count + " labels", count, present);
            } else {
                return false;
            }
        } catch (EOFException e) {
            return false; // shorter than a magic number: not recognisably IDX
        } catch (IOException e) {
            return false; // not a readable gzip stream or file: the caller reports it as an unknown layout
        }
        throw new ConfigurationException(DatasetLoader.STEP + ": a single IDX file is not enough '" + name
                + "'; expected " + layoutHint + ", or a .zip of it");
    }

    static Header readImagesHeader(DataInputStream in, String name) throws IOException {
        checkMagic(in, IMAGES_MAGIC, "images", name);
        Header header = new Header(dimension(in, "image count", name), dimension(in, "rows", name),
                dimension(in, "columns", name));
        if (header.rows() == 0 || header.cols() == 0) {
            throw new DataException(DatasetLoader.STEP + ": unusable IDX images header '" + name + "' says "
                    + header.describe() + "; expected non-zero sizes and under 2^31 pixels");
        }
        return header;
    }

    /** Every check a declared images header must pass before its pixels are allocated; returns the pixel count. */
    private static long checkImages(Header header, Path file, String name, BudgetMeter meter) throws IOException {
        String declared = header.describe();
        long size = BudgetMeter.product(name, declared, header.count(), header.rows(), header.cols());
        checkPresent(file, name, IMAGES_HEADER, size, declared);
        ReadBudget budget = meter.budget();
        long perImage = (long) header.rows() * header.cols();
        if (header.rows() > budget.maxImageSide() || header.cols() > budget.maxImageSide()
                || perImage > budget.maxImagePixels()) {
            throw new DataException(DatasetLoader.STEP + ": IDX images too large '" + name + "': " + declared
                    + "; expected at most " + budget.maxImageSide() + " pixels a side and " + budget.maxImagePixels()
                    + " pixels an image (options maxImageSide, maxImagePixels); raise them to read it");
        }
        meter.reserveExamples(header.count(), name, () -> declared);
        // 4 bytes a pixel as float, 4 a label as int
        long bytes = BudgetMeter.sum(name, declared, BudgetMeter.product(name, declared, size, Float.BYTES),
                BudgetMeter.product(name, declared, header.count(), Integer.BYTES));
        meter.reserveBytes(bytes, name, () -> declared);
        if (size > Integer.MAX_VALUE - 8) {
            throw new DataException(DatasetLoader.STEP + ": unusable IDX images header '" + name + "' says "
                    + declared + "; expected non-zero sizes and under 2^31 pixels");
        }
        return size;
    }

    /** For a raw file, compares the declared body with the bytes on disk before anything is allocated. */
    static void checkPresent(Path file, String name, int headerBytes, long declared, String what)
            throws IOException {
        if (isGzip(file)) {
            return; // the uncompressed size is not known up front: readBody counts the real bytes
        }
        checkCount(name, what, declared, Files.size(file) - headerBytes);
    }

    static void checkCount(String name, String what, long declared, long present) {
        if (present < declared) {
            throw new DataException(DatasetLoader.STEP + ": truncated IDX file '" + name + "': the header says " + what
                    + "; expected " + declared + " data bytes after the header, got " + present
                    + "; the file was cut short, copy or export it again");
        }
        if (present > declared) {
            throw new DataException(DatasetLoader.STEP + ": trailing bytes in IDX file '" + name + "': the header says "
                    + what + "; expected " + declared + " data bytes after the header, got " + (present - declared)
                    + " more");
        }
    }

    /** How many bytes follow in {@code in}, counting at most {@code limit + 1}. */
    private static long countRest(InputStream in, long limit) throws IOException {
        byte[] buffer = new byte[BUFFER];
        long n = 0;
        try {
            for (int r; n <= limit && (r = in.read(buffer)) > 0; ) {
                n += r;
            }
        } catch (EOFException e) {
            // a cut gzip stream: what arrived is what is present
        }
        return Math.min(n, limit + 1);
    }

    static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    static DataInputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            try {
                in = new BufferedInputStream(new GZIPInputStream(in, BUFFER), BUFFER);
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }
        return new DataInputStream(in);
    }

    static void checkMagic(DataInputStream in, int expected, String kind, String name) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new DataException(DatasetLoader.STEP + ": IDX file too short for its header '" + name
                    + "'; expected at least the 4-byte magic number", e);
        }
        if (magic != expected) {
            throw new DataException(DatasetLoader.STEP + ": not an IDX " + kind + " file '" + name + "': magic number "
                    + String.format("0x%08x", magic) + "; expected " + String.format("0x%08x", expected)
                    + " (unsigned bytes, " + (expected & 0xff) + " dimension" + ((expected & 0xff) > 1 ? "s" : "")
                    + ")");
        }
    }

    static int dimension(DataInputStream in, String what, String name) throws IOException {
        int value;
        try {
            value = in.readInt();
        } catch (EOFException e) {
            throw new DataException(DatasetLoader.STEP + ": truncated IDX header '" + name + "' ends before the "
                    + what + "; expected a complete header", e);
        }
        if (value < 0) {
            throw new DataException(DatasetLoader.STEP + ": negative " + what + " in IDX header '" + name + "' "
                    + Integer.toUnsignedString(value) + "; expected at most 2^31-1");
        }
        return value;
    }

    /**
     * Reads exactly {@code expected} body bytes and checks that no more follow. A raw file's size was compared with
     * the header already, so its chunks are allocated at once; a gzipped body gets a new chunk only when the previous
     * one is full, so a header that lies costs no more memory than the bytes that really arrive.
     */
    static byte[][] readBody(DataInputStream in, int expected, boolean gzip, String name, String promised)
            throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        int done = 0;
        while (done < expected) {
            int length = gzip ? Math.min(CHUNK, expected - done) : expected - done;
            byte[] chunk = new byte[length];
            int filled = 0;
            while (filled < length) {
                int n;
                try {
                    n = in.read(chunk, filled, length - filled);
                } catch (EOFException e) {
                    n = -1; // a cut gzip stream ends like this; reported as truncation below
                }
                if (n < 0) {
                    throw new DataException(DatasetLoader.STEP + ": truncated IDX file '" + name + "': the header says "
                            + promised + "; expected " + expected + " data bytes after the header"
                            + ", got " + (done + filled) + (gzip ? " (uncompressed)" : "")
                            + "; the file was cut short, copy or export it again");
                }
                filled += n;
            }
            chunks.add(chunk);
            done += length;
        }
        byte[] buffer = new byte[BUFFER];
        long extra = 0;
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                extra += n;
                if (extra > BUFFER) {
                    break; // enough to say there is more; a gzip bomb's tail is not worth inflating
                }
            }
        } catch (EOFException e) {
            // a cut gzip tail after a complete body: reported as trailing bytes below
            extra = Math.max(extra, 1);
        }
        if (extra > 0) {
            throw new DataException(DatasetLoader.STEP + ": trailing bytes in IDX file '" + name + "': the header says "
                    + promised + "; expected " + expected + " data bytes after the header, got "
                    + (extra > BUFFER ? "more than " + BUFFER : Long.toString(extra)) + " more");
        }
        return chunks.toArray(new byte[0][]);
    }

    static DataException unreadable(String name, IOException e) {
        return new DataException(DatasetLoader.STEP + ": cannot read IDX file '" + name
                + "'; expected a readable raw or gzipped IDX file: " + e.getMessage(), e);
    }
}
