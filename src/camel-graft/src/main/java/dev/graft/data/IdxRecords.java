package dev.graft.data;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists raw IDX files as records for streaming: an example is {@code rows * cols} bytes at an offset computed from the
 * header, read by position when a batch is decoded. The header is checked as {@link IdxReader} checks it (sizes
 * against the bytes present and the budget, the image and label counts equal); only the labels are read up front.
 * A gzipped IDX file cannot be read at an offset: with {@code stream=true} it is refused with the fix (gunzip it),
 * with {@code auto} it is read into memory as before.
 */
final class IdxRecords {

    private IdxRecords() {
    }

    /** The records of one images file and the labels of its labels file. */
    private record Pair(String images, FileChannel channel, int length, int[] labels, long[] shape) {
    }

    /** Whether any file of the layout is gzipped (then it cannot stream). */
    static boolean gzipped(Layout.Idx layout) {
        try {
            for (Path file : files(layout)) {
                if (IdxReader.isGzip(file)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false; // unreadable: the in-memory reader reports it, naming the file
        }
    }

    /** The refusal of {@code stream=true} for gzipped IDX files. */
    static ConfigurationException cannotStreamGzip(Layout.Idx layout, DataRoot root) {
        return new ConfigurationException(DatasetLoader.STEP + ": option 'stream' has a bad value 'true' for the"
                + " gzipped IDX files of '" + root.name(layout.trainImages().getParent()) + "'; expected raw IDX files:"
                + " a gzipped file cannot be read at an offset; gunzip them (gunzip *-ubyte.gz) to stream, or set"
                + " stream=false or auto to read them into memory");
    }

    /**
     * Lists the raw IDX files of {@code layout}; the files stay open in {@code files} for the records to read.
     *
     * @throws DataException as {@link IdxReader#read} does for a truncated, oversized or inconsistent file
     */
    static SourceData list(Layout.Idx layout, DataRoot root, BudgetMeter meter, OpenFiles files) {
        Pair train = pair(layout.trainImages(), layout.trainLabels(), root, meter, files);
        Pair test = layout.testImages() == null ? null
                : pair(layout.testImages(), layout.testLabels(), root, meter, files);
        if (test != null && (train.shape()[1] != test.shape()[1] || train.shape()[2] != test.shape()[2])) {
            throw new DataException(DatasetLoader.STEP + ": test images of another size '" + test.images() + "' has "
                    + test.shape()[1] + "x" + test.shape()[2] + "; expected " + train.shape()[1] + "x"
                    + train.shape()[2] + " like '" + train.images() + "'");
        }
        SourceData.RecordSource records = (inTest, index) -> {
            Pair p = inTest ? test : train;
            byte[] bytes;
            try {
                bytes = OpenFiles.read(p.channel(), IdxReader.IMAGES_HEADER + (long) index * p.length(), p.length());
            } catch (IOException e) {
                throw IdxReader.unreadable(p.images(), e);
            }
            StreamCounters.read(bytes.length);
            float[] values = new float[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                values[i] = bytes[i] & 0xff;
            }
            return values;
        };
        String trainLabels = root.name(layout.trainLabels());
        String testLabels = layout.testLabels() == null ? null : root.name(layout.testLabels());
        SourceData.Locator locator = (inTest, index) -> "'" + (inTest ? testLabels : trainLabels) + "' label #"
                + index + " (byte " + (IdxReader.LABELS_HEADER + (long) index) + ")";
        RawExamples trainExamples = RawExamples.listed(train.labels(), train.shape());
        RawExamples testExamples = test == null ? null : RawExamples.listed(test.labels(), test.shape());
        return new SourceData(trainExamples, testExamples, SourceData.numericNames(trainExamples, testExamples),
                files(layout), locator, records);
    }

    private static List<Path> files(Layout.Idx layout) {
        List<Path> files = new ArrayList<>(List.of(layout.trainImages(), layout.trainLabels()));
        if (layout.testImages() != null) {
            files.add(layout.testImages());
            files.add(layout.testLabels());
        }
        return files;
    }

    private static Pair pair(Path imagesFile, Path labelsFile, DataRoot root, BudgetMeter meter, OpenFiles files) {
        String imagesName = root.name(imagesFile);
        String labelsName = root.name(labelsFile);
        IdxReader.Header header;
        try {
            if (IdxReader.isGzip(imagesFile) || IdxReader.isGzip(labelsFile)) {
                throw new ConfigurationException(DatasetLoader.STEP + ": gzipped IDX file '" + imagesName + "' or '"
                        + labelsName + "' cannot stream; expected raw IDX files: gunzip them, or set stream=false");
            }
        } catch (IOException e) {
            throw IdxReader.unreadable(imagesName, e);
        }
        try (DataInputStream in = IdxReader.open(imagesFile)) {
            header = IdxReader.readImagesHeader(in, imagesName);
            long size = BudgetMeter.product(imagesName, header.describe(), header.count(), header.rows(),
                    header.cols());
            IdxReader.checkPresent(imagesFile, imagesName, IdxReader.IMAGES_HEADER, size, header.describe());
            ReadBudget budget = meter.budget();
            long perImage = (long) header.rows() * header.cols();
            if (header.rows() > budget.maxImageSide() || header.cols() > budget.maxImageSide()
                    || perImage > budget.maxImagePixels()) {
                throw new DataException(DatasetLoader.STEP + ": IDX images too large '" + imagesName + "': "
                        + header.describe() + "; expected at most " + budget.maxImageSide() + " pixels a side and "
                        + budget.maxImagePixels() + " pixels an image (options maxImageSide, maxImagePixels); raise"
                        + " them to read it");
            }
            meter.reserveExamples(header.count(), imagesName, header::describe);
        } catch (IOException e) {
            throw IdxReader.unreadable(imagesName, e);
        }
        int[] labels;
        try (DataInputStream in = IdxReader.open(labelsFile)) {
            IdxReader.checkMagic(in, IdxReader.LABELS_MAGIC, "labels", labelsName);
            int count = IdxReader.dimension(in, "label count", labelsName);
            if (count != header.count()) {
                throw new DataException(DatasetLoader.STEP + ": IDX image and label counts differ: '" + imagesName
                        + "' has " + header.count() + " images but '" + labelsName + "' has " + count
                        + " labels; expected one label per image");
            }
            IdxReader.checkPresent(labelsFile, labelsName, IdxReader.LABELS_HEADER, count, count + " labels");
            meter.reserveBytes((long) count * Integer.BYTES, labelsName, () -> count + " labels");
            byte[][] body = IdxReader.readBody(in, count, false, labelsName, count + " labels");
            labels = new int[count];
            int offset = 0;
            for (byte[] chunk : body) {
                for (int i = 0; i < chunk.length; i++) {
                    labels[offset + i] = chunk[i] & 0xff;
                }
                offset += chunk.length;
            }
            FileChannel channel = files.open(imagesFile);
            return new Pair(imagesName, channel, Math.multiplyExact(header.rows(), header.cols()), labels,
                    new long[] {1, header.rows(), header.cols()});
        } catch (IOException e) {
            throw IdxReader.unreadable(labelsName, e);
        }
    }
}
