package dev.graft.data;

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

/** Reads MNIST-style IDX files of unsigned bytes, raw or gzipped (detected from the content). */
final class IdxReader {

    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    private static final int BUFFER = 1 << 16;

    private IdxReader() {
    }

    static SourceData read(Layout.Idx layout, DataRoot root) {
        List<Path> files = new ArrayList<>(List.of(layout.trainImages(), layout.trainLabels()));
        RawExamples train = readPair(layout.trainImages(), layout.trainLabels(), root);
        RawExamples test = null;
        if (layout.testImages() != null) {
            files.add(layout.testImages());
            files.add(layout.testLabels());
            test = readPair(layout.testImages(), layout.testLabels(), root);
            long[] a = train.exampleShape();
            long[] b = test.exampleShape();
            if (a[1] != b[1] || a[2] != b[2]) {
                throw new DataException(DatasetLoader.STEP + ": test images of another size '"
                        + root.name(layout.testImages()) + "' has " + b[1] + "x" + b[2] + "; expected " + a[1] + "x"
                        + a[2] + " like '" + root.name(layout.trainImages()) + "'");
            }
        }
        return new SourceData(train, test, SourceData.numericNames(train, test), files);
    }

    /** Reads an images file and its labels file into examples of shape {1, rows, cols}. */
    static RawExamples readPair(Path imagesFile, Path labelsFile, DataRoot root) {
        String imagesName = root.name(imagesFile);
        String labelsName = root.name(labelsFile);
        float[] pixels;
        int count;
        int rows;
        int cols;
        try (DataInputStream in = open(imagesFile)) {
            checkMagic(in, IMAGES_MAGIC, "images", imagesName);
            count = dimension(in, "image count", imagesName);
            rows = dimension(in, "rows", imagesName);
            cols = dimension(in, "columns", imagesName);
            long size = (long) count * rows * cols;
            if (size > Integer.MAX_VALUE - 8 || rows == 0 || cols == 0) {
                throw new DataException(DatasetLoader.STEP + ": unusable IDX images header '" + imagesName + "' says "
                        + count + " images of " + rows + "x" + cols + "; expected non-zero sizes and under 2^31 pixels");
            }
            pixels = new float[(int) size];
            readBody(in, pixels, null, imagesName, count + " images of " + rows + "x" + cols);
        } catch (IOException e) {
            throw unreadable(imagesName, e);
        }
        int[] labels;
        try (DataInputStream in = open(labelsFile)) {
            checkMagic(in, LABELS_MAGIC, "labels", labelsName);
            int labelCount = dimension(in, "label count", labelsName);
            if (labelCount != count) {
                throw new DataException(DatasetLoader.STEP + ": IDX image and label counts differ: '" + imagesName
                        + "' has " + count + " images but '" + labelsName + "' has " + labelCount
                        + " labels; expected one label per image");
            }
            labels = new int[labelCount];
            readBody(in, null, labels, labelsName, labelCount + " labels");
        } catch (IOException e) {
            throw unreadable(labelsName, e);
        }
        return new RawExamples(pixels, labels, new long[] {1, rows, cols});
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            in = new BufferedInputStream(new GZIPInputStream(in, BUFFER), BUFFER);
        }
        return new DataInputStream(in);
    }

    private static void checkMagic(DataInputStream in, int expected, String kind, String name) throws IOException {
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

    private static int dimension(DataInputStream in, String what, String name) throws IOException {
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

    /** Fills {@code pixels} or {@code labels} from unsigned bytes and checks that exactly that many follow. */
    private static void readBody(DataInputStream in, float[] pixels, int[] labels, String name, String promised)
            throws IOException {
        int expected = pixels != null ? pixels.length : labels.length;
        byte[] buffer = new byte[BUFFER];
        int done = 0;
        while (done < expected) {
            int n;
            try {
                n = in.read(buffer, 0, Math.min(buffer.length, expected - done));
            } catch (EOFException e) {
                n = -1; // a cut gzip stream ends like this; reported as truncation below
            }
            if (n < 0) {
                throw new DataException(DatasetLoader.STEP + ": truncated IDX file '" + name + "': the header says "
                        + promised + "; expected " + expected + " data bytes after the header"
                        + ", got " + done + " (uncompressed)");
            }
            if (pixels != null) {
                for (int i = 0; i < n; i++) {
                    pixels[done + i] = buffer[i] & 0xff;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    labels[done + i] = buffer[i] & 0xff;
                }
            }
            done += n;
        }
        long extra = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            extra += n;
        }
        if (extra > 0) {
            throw new DataException(DatasetLoader.STEP + ": trailing bytes in IDX file '" + name + "': the header says "
                    + promised + "; expected " + expected + " data bytes after the header, got " + extra + " more");
        }
    }

    private static DataException unreadable(String name, IOException e) {
        return new DataException(DatasetLoader.STEP + ": cannot read IDX file '" + name
                + "'; expected a readable raw or gzipped IDX file: " + e.getMessage(), e);
    }
}
