package dev.graft.data;

import dev.graft.spi.DataException;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads a folder with one sub-folder of images per class (classes sorted by folder name become labels
 * 0..k-1). Every image becomes one grayscale channel of luminance 0-255 (alpha is ignored), resized
 * bilinearly to the requested size. Hidden files and files beside the class folders (a README) are skipped.
 */
final class ImageFolderReader {

    static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

    private ImageFolderReader() {
    }

    static boolean hasImageExtension(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    /**
     * Reads the layout's images, class folders and the files in each in sorted name order, so a run never depends
     * on the order the file system lists them in.
     *
     * @param height the height every image is resized to; 0 takes the first image's size and requires all to match
     * @param width  the width every image is resized to; 0 as for height
     */
    static SourceData read(Layout.Images layout, int height, int width, DataRoot root, BudgetMeter meter) {
        List<Path> classFolders = Listing.folders(layout.train(), root);
        List<String> classNames = classFolders.stream().map(p -> p.getFileName().toString()).toList();
        Collector collector = new Collector(height, width, height > 0, root, meter);
        for (int label = 0; label < classFolders.size(); label++) {
            collector.addFolder(classFolders.get(label), label);
        }
        RawExamples train = collector.examples();
        List<Path> trainFiles = List.copyOf(collector.files);
        List<Path> files = new ArrayList<>(trainFiles);
        RawExamples test = null;
        List<Path> testFiles = List.of();
        if (layout.test() != null) {
            Collector testCollector = new Collector(collector.height, collector.width, collector.resize, root, meter);
            testCollector.first = collector.first;
            for (Path folder : Listing.folders(layout.test(), root)) {
                int label = classNames.indexOf(folder.getFileName().toString());
                if (label < 0) {
                    throw new DataException(DatasetLoader.STEP + ": test class folder '" + root.name(folder)
                            + "' has no training folder; expected one of " + classNames + " as in '"
                            + root.name(layout.train()) + "'");
                }
                testCollector.addFolder(folder, label);
            }
            test = testCollector.examples();
            testFiles = List.copyOf(testCollector.files);
            files.addAll(testFiles);
        }
        List<Path> testList = testFiles;
        SourceData.Locator locator = (inTest, index) -> "'" + root.name((inTest ? testList : trainFiles).get(index))
                + "'";
        return new SourceData(train, test, classNames, files, locator);
    }

    /** Accumulates the pixels of one split; fixes the size from the first image when none was asked for. */
    private static final class Collector {
        private final DataRoot root;
        private final BudgetMeter meter;
        private final List<Path> files = new ArrayList<>();
        private ExampleStore store;
        private int height;
        private int width;
        private final boolean resize;
        private Path first;

        Collector(int height, int width, boolean resize, DataRoot root, BudgetMeter meter) {
            this.height = height;
            this.width = width;
            this.resize = resize;
            this.root = root;
            this.meter = meter;
        }

        void addFolder(Path folder, int label) {
            for (Path entry : Listing.children(folder, root)) {
                if (Files.isDirectory(entry)) {
                    throw new DataException(DatasetLoader.STEP + ": unexpected folder in a class folder '"
                            + root.name(entry) + "'; expected only image files (" + String.join(", ", EXTENSIONS)
                            + ") inside each class folder");
                }
                float[] pixels = pixels(entry);
                if (store == null) {
                    store = new ExampleStore(height * width, meter, root.name(folder.getParent()));
                }
                store.add(pixels, label, files.size(), () -> "'" + root.name(entry) + "'");
                files.add(entry);
            }
        }

        private float[] pixels(Path file) {
            BufferedImage image = decode(file);
            int h = image.getHeight();
            int w = image.getWidth();
            if (height == 0) {
                height = h;
                width = w;
                first = file;
            }
            if (h == height && w == width) {
                return luminance(image);
            }
            if (!resize) {
                throw new DataException(DatasetLoader.STEP + ": image of another size '" + root.name(file) + "' is "
                        + h + "x" + w + " (height x width); expected " + height + "x" + width + " like '"
                        + root.name(first) + "'; set height and width to resize every image");
            }
            return resizeBilinear(luminance(image), h, w, height, width);
        }

        /**
         * Decodes one image after its header passed the size limits: width and height are read first (ImageIO's
         * {@code ImageReader.getWidth/getHeight}), and only an image within the budget is decoded.
         */
        private BufferedImage decode(Path file) {
            String expected = "expected image files ending in " + String.join(", ", EXTENSIONS)
                    + " inside class folders (hidden files are skipped)";
            if (!hasImageExtension(file)) {
                throw new DataException(DatasetLoader.STEP + ": not an image file '" + root.name(file) + "'; "
                        + expected);
            }
            try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
                Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
                if (readers == null || !readers.hasNext()) {
                    throw new DataException(DatasetLoader.STEP + ": not a readable image '" + root.name(file)
                            + "'; " + expected);
                }
                ImageReader reader = readers.next();
                try {
                    reader.setInput(in, true, true);
                    checkSize(file, reader.getWidth(0), reader.getHeight(0));
                    BufferedImage image = reader.read(0, null);
                    if (image == null) {
                        throw new DataException(DatasetLoader.STEP + ": not a readable image '" + root.name(file)
                                + "'; " + expected);
                    }
                    return image;
                } finally {
                    reader.dispose();
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof DataException dataException) {
                    throw dataException;
                }
                throw new DataException(DatasetLoader.STEP + ": not a readable image '" + root.name(file) + "'; "
                        + expected + ": " + e.getMessage(), e);
            }
        }

        /**
         * Refuses an image whose header declares more than the budget allows: {@code maxImageSide} a side, and
         * {@code maxImagePixels} but also no more than an eighth of the memory budget, which decoding takes (4 bytes
         * a pixel decoded, 4 as gray floats).
         */
        private void checkSize(Path file, int w, int h) {
            ReadBudget budget = meter.budget();
            long pixels = (long) w * h;
            long allowed = Math.min(budget.maxImagePixels(), budget.memoryBytes() / 8);
            if (w <= 0 || h <= 0 || w > budget.maxImageSide() || h > budget.maxImageSide() || pixels > allowed) {
                throw new DataException(DatasetLoader.STEP + ": image too large '" + root.name(file) + "': its header"
                        + " says " + h + "x" + w + " (height x width, " + pixels + " pixels); expected at most "
                        + budget.maxImageSide() + " pixels a side and " + allowed + " pixels (options maxImageSide, "
                        + "maxImagePixels, and an eighth of memoryBudget); raise them to read it");
            }
        }

        RawExamples examples() {
            if (store == null) {
                return new RawExamples(new float[0], new int[0], new long[] {1, height, width});
            }
            return store.toRawExamples(new long[] {1, height, width});
        }
    }

    /** Gray values 0-255, row-major; gray images are read from the raster so no colour conversion alters them. */
    static float[] luminance(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[] out = new float[Math.multiplyExact(w, h)];
        ColorModel model = image.getColorModel();
        if (model.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(model instanceof IndexColorModel)) {
            Raster raster = image.getRaster();
            float max = (1 << model.getComponentSize(0)) - 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = raster.getSample(x, y, 0) * 255f / max;
                }
            }
            return out;
        }
        int[] rgb = new int[w]; // a row at a time: a whole-image copy would double the decoding memory
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, rgb, 0, w);
            for (int x = 0; x < w; x++) {
                int r = (rgb[x] >> 16) & 0xff;
                int g = (rgb[x] >> 8) & 0xff;
                int b = rgb[x] & 0xff;
                // integer weights summing to 1000 keep gray pixels (r = g = b) exactly at their value
                out[y * w + x] = (299 * r + 587 * g + 114 * b) / 1000f;
            }
        }
        return out;
    }

    /** Bilinear resampling with pixel centres aligned, as most image libraries do. */
    static float[] resizeBilinear(float[] src, int srcH, int srcW, int dstH, int dstW) {
        float[] dst = new float[dstH * dstW];
        for (int y = 0; y < dstH; y++) {
            float sy = clamp((y + 0.5f) * srcH / dstH - 0.5f, srcH - 1);
            int y0 = (int) sy;
            int y1 = Math.min(y0 + 1, srcH - 1);
            float fy = sy - y0;
            for (int x = 0; x < dstW; x++) {
                float sx = clamp((x + 0.5f) * srcW / dstW - 0.5f, srcW - 1);
                int x0 = (int) sx;
                int x1 = Math.min(x0 + 1, srcW - 1);
                float fx = sx - x0;
                float top = lerp(src[y0 * srcW + x0], src[y0 * srcW + x1], fx);
                float bottom = lerp(src[y1 * srcW + x0], src[y1 * srcW + x1], fx);
                dst[y * dstW + x] = lerp(top, bottom, fy);
            }
        }
        return dst;
    }

    /** Exact at both ends and for equal neighbours, so flat regions keep their value. */
    private static float lerp(float a, float b, float t) {
        return a + (b - a) * t;
    }

    private static float clamp(float value, int max) {
        return Math.max(0, Math.min(value, max));
    }
}
