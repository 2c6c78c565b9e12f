package dev.graft.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Small generated data files for the data tests. */
final class TestData {

    static final int ROWS = 3;
    static final int COLS = 2;

    private TestData() {
    }

    /** Example i has pixel p = (i + p) % 256, so its first pixel tells which example it was. */
    static byte[] idxImages(int count, int rows, int cols) {
        ByteBuffer buffer = ByteBuffer.allocate(16 + count * rows * cols);
        buffer.putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows).putInt(cols);
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < rows * cols; p++) {
                buffer.put((byte) ((i + p) % 256));
            }
        }
        return buffer.array();
    }

    static byte[] idxLabels(int[] labels) {
        ByteBuffer buffer = ByteBuffer.allocate(8 + labels.length);
        buffer.putInt(IdxReader.LABELS_MAGIC).putInt(labels.length);
        for (int label : labels) {
            buffer.put((byte) label);
        }
        return buffer.array();
    }

    /** Labels 0, 1, ..., classes-1, 0, 1, ... */
    static int[] cyclicLabels(int count, int classes) {
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % classes;
        }
        return labels;
    }

    /** Writes train-* (and t10k-* when testLabels is not null) IDX files of 3x2 images into {@code dir}. */
    static Path idxFolder(Path dir, int[] trainLabels, int[] testLabels, boolean gzip) {
        String suffix = gzip ? ".gz" : "";
        write(dir.resolve("train-images-idx3-ubyte" + suffix), idxImages(trainLabels.length, ROWS, COLS), gzip);
        write(dir.resolve("train-labels-idx1-ubyte" + suffix), idxLabels(trainLabels), gzip);
        if (testLabels != null) {
            write(dir.resolve("t10k-images-idx3-ubyte" + suffix), idxImages(testLabels.length, ROWS, COLS), gzip);
            write(dir.resolve("t10k-labels-idx1-ubyte" + suffix), idxLabels(testLabels), gzip);
        }
        return dir;
    }

    static Path write(Path file, byte[] bytes, boolean gzip) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, gzip ? gzip(bytes) : bytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path writeText(Path file, String text) {
        return write(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A uniformly coloured image in the format the extension names. */
    static Path image(Path file, int width, int height, int rgb) {
        String name = file.getFileName().toString();
        String format = name.substring(name.lastIndexOf('.') + 1);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        try {
            Files.createDirectories(file.getParent());
            if (!ImageIO.write(image, format.equals("jpg") ? "jpeg" : format, file.toFile())) {
                throw new IllegalArgumentException("no writer for " + format);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path grayImage(Path file, int width, int height, int gray) {
        return image(file, width, height, (gray << 16) | (gray << 8) | gray);
    }

    /** Zips every file under {@code folder}, with paths relative to it prefixed by {@code prefix}. */
    static Path zipFolder(Path zip, Path folder, String prefix) {
        try (Stream<Path> walk = Files.walk(folder); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new ZipEntry(prefix + DataRoot.relative(folder, file)));
                Files.copy(file, out);
                out.closeEntry();
            }
            return zip;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A zip with the given entry names and contents, in the given order. */
    static Path zipEntries(Path zip, Map<String, byte[]> entries) {
        try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(entry.getKey()));
                out.write(entry.getValue());
                out.closeEntry();
            }
            return zip;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float[] values(INDArray array) {
        return array.dup().data().asFloat();
    }

    /** The output label of each row of a one-hot label matrix. */
    static int[] labels(INDArray oneHot) {
        return oneHot.argMax(1).toIntVector();
    }

    /** The first feature value of each row: for generated IDX data, which example the row came from. */
    static int[] firstFeatures(INDArray features) {
        int n = (int) features.size(0);
        float[] all = values(features);
        int length = all.length / n;
        int[] first = new int[n];
        for (int i = 0; i < n; i++) {
            first[i] = Math.round(all[i * length]);
        }
        return first;
    }

    static FetchSpec spec(String source, double testFraction, double validationFraction, List<Integer> classes,
                          boolean remap, int trainLimit, int testLimit, double scale, long seed) {
        return new FetchSpec(source, DataFormat.AUTO, testFraction, validationFraction, classes, remap, trainLimit,
                testLimit, scale, seed, 0, 0, "label");
    }
}
