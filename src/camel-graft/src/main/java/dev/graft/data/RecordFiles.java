package dev.graft.data;

import dev.graft.data.image.DecodedImage;
import dev.graft.data.image.ImageDecoder;
import dev.graft.data.image.Preprocessing;
import dev.graft.data.image.Resampling;
import dev.graft.spi.DataException;
import dev.graft.spi.InputContract.Preprocess;
import dev.graft.spi.RemoteFeaturization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A listed image folder's records as another machine reads them: the data root as a URI, each file's path under
 * it, and the decoder that turns a file's bytes into the values {@link ImageFolderReader#list}'s records give (the
 * same {@link ImageDecoder}, size, channel and resize rules, then the same {@link Preprocessing}). Immutable.
 *
 * @param root  the data root, a folder every listed file is under
 * @param train the training files' paths under {@code root}, '/'-separated, in listing order
 * @param test  the test files' paths, in listing order (empty without a test folder)
 * @param image how every image is decoded, fixed by the first one
 */
record RecordFiles(Path root, List<String> train, List<String> test, Pixels image) {

    RecordFiles {
        train = List.copyOf(train);
        test = List.copyOf(test);
    }

    /** The common folder of the listed files' folders, and their paths under it. */
    static RecordFiles of(Path train, Path test, List<Path> trainFiles, List<Path> testFiles, Pixels image) {
        Path root = train.toAbsolutePath().normalize();
        if (test != null) {
            Path other = test.toAbsolutePath().normalize();
            while (!other.startsWith(root)) {
                root = root.getParent();
            }
        }
        return new RecordFiles(root, relative(root, trainFiles), relative(root, testFiles), image);
    }

    private static List<String> relative(Path root, List<Path> files) {
        List<String> out = new ArrayList<>(files.size());
        for (Path f : files) {
            out.add(DataRoot.relative(root, f.toAbsolutePath().normalize()));
        }
        return out;
    }

    /** The records of one split's rows, decoded and preprocessed as the local stream does. */
    RemoteFeaturization.Records split(String name, boolean inTest, int[] rows, long[] exampleShape,
                                      Preprocess preprocess) {
        List<String> from = inTest ? test : train;
        List<String> paths = new ArrayList<>(rows.length);
        for (int row : rows) {
            paths.add(from.get(row));
        }
        int channels = exampleShape.length == 3 ? (int) exampleShape[0] : 1;
        return new RemoteFeaturization.Records(name, root.toUri().toString(), paths, exampleShape,
                new Decoder(image, preprocess.name(), preprocess.divisor(), preprocess.bgr(), preprocess.mean(),
                        preprocess.std(), channels));
    }

    /**
     * What every image of the data set becomes, as {@link ImageFolderReader} fixed it from the first image.
     *
     * @param requested 1, 3 or {@link ImageDecoder#AUTO}, as the route asked
     * @param channels  1 or 3, the first image's when {@code requested} is auto
     * @param first     the first image's name, for messages
     */
    record Pixels(int height, int width, boolean resize, boolean centerCrop, int requested, int channels,
                  String first, int maxSide, long maxPixels, long memoryBytes) implements java.io.Serializable {

        /** The pixels (0-255, channels first) of one image file's bytes, exactly as the folder reader makes them. */
        float[] pixels(byte[] bytes, String name) {
            String expected = "expected image files ending in " + String.join(", ", ImageFolderReader.EXTENSIONS)
                    + " inside class folders (hidden files are skipped)";
            String lower = name.toLowerCase(Locale.ROOT);
            if (ImageFolderReader.EXTENSIONS.stream().noneMatch(lower::endsWith)) {
                throw new DataException(DatasetLoader.STEP + ": not an image file '" + name + "'; " + expected);
            }
            DecodedImage image = ImageDecoder.decode(bytes, DatasetLoader.STEP, name, expected, requested,
                    new ImageDecoder.Limits(maxSide, maxPixels, memoryBytes, "options maxImageSide, maxImagePixels",
                            "raise them to read it"));
            if (requested == ImageDecoder.AUTO && image.channels() != channels) {
                if (image.channels() != 1) {
                    throw new DataException(DatasetLoader.STEP + ": colour image '" + name + "' in a data set whose"
                            + " first image '" + first + "' is grey (channels=auto); expected images of one kind; "
                            + "set channels=3 to read all as RGB, or channels=1 to read all as grey");
                }
                image = image.toRgb();
            }
            if (image.height() == height && image.width() == width) {
                return image.pixels();
            }
            if (!resize) {
                throw new DataException(DatasetLoader.STEP + ": image of another size '" + name + "' is "
                        + image.height() + "x" + image.width() + " (height x width); expected " + height + "x"
                        + width + " like '" + first + "'; set height and width (or resize=WxH) to resize every image");
            }
            return Resampling.resize(image, height, width, centerCrop).pixels();
        }
    }

    /** A record's bytes to its preprocessed values: {@link Pixels}, then the split's {@link Preprocess}. */
    private record Decoder(Pixels image, String preprocess, double divisor, boolean bgr, double[] mean, double[] std,
                           int channels) implements RemoteFeaturization.RecordDecoder {

        @Override
        public long maxRecordBytes() {
            // a file is read whole before decoding: at most what the decoder may take of the memory budget
            return Math.min(Integer.MAX_VALUE - 8L, Math.max(1L << 20, image.memoryBytes() / 8));
        }

        @Override
        public float[] decode(byte[] bytes, String name) {
            float[] values = image.pixels(bytes, name);
            float[] out = new float[values.length];
            Preprocessing.apply(new Preprocess(preprocess, divisor, bgr, mean, std), values, 0, out, 0, values.length,
                    channels);
            return out;
        }
    }
}
