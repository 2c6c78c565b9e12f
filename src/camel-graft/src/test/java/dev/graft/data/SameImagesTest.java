package dev.graft.data;

import dev.graft.spi.LabeledSet;
import dev.graft.spi.DataSplits;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same images as PNG class folders, CSV and IDX read alike; limits and order do not depend on the layout. */
class SameImagesTest {

    private static final int H = 4;
    private static final int W = 5;

    @TempDir
    Path dir;

    /** 30 seeded random 4x5 gray images with labels 0-2. */
    private static byte[][] images(int[] labels) {
        Random random = new Random(7);
        byte[][] images = new byte[labels.length][H * W];
        for (int i = 0; i < labels.length; i++) {
            random.nextBytes(images[i]);
            labels[i] = random.nextInt(3);
        }
        return images;
    }

    private static void png(Path file, byte[] pixels) throws IOException {
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                image.getRaster().setSample(x, y, 0, pixels[y * W + x] & 0xff);
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "png", file.toFile());
    }

    /** Every example of every split as "label: values", sorted: the multiset of examples. */
    private static List<String> examples(DataSplits data) {
        List<String> out = new ArrayList<>();
        for (LabeledSet set : data.validation() == null ? List.of(data.train(), data.test())
                : List.of(data.train(), data.validation(), data.test())) {
            int[] labels = TestData.labels(set.labels());
            float[] values = TestData.values(set.features());
            int length = values.length / labels.length;
            for (int i = 0; i < labels.length; i++) {
                out.add(labels[i] + ": " + Arrays.toString(Arrays.copyOfRange(values, i * length, (i + 1) * length)));
            }
        }
        out.sort(null);
        return out;
    }

    @Test
    void pngFoldersCsvAndIdxOfTheSameImagesYieldTheSameExamples() throws IOException {
        int[] labels = new int[30];
        byte[][] images = images(labels);
        StringBuilder csv = new StringBuilder("label");
        IntStream.range(0, H * W).forEach(p -> csv.append(",p").append(p));
        csv.append('\n');
        ByteBuffer idxImages = ByteBuffer.allocate(16 + images.length * H * W)
                .putInt(IdxReader.IMAGES_MAGIC).putInt(images.length).putInt(H).putInt(W);
        for (int i = 0; i < images.length; i++) {
            png(dir.resolve("png/" + labels[i] + "/" + String.format("%03d.png", i)), images[i]);
            csv.append(labels[i]);
            for (byte b : images[i]) {
                csv.append(',').append(b & 0xff);
            }
            csv.append('\n');
            idxImages.put(images[i]);
        }
        TestData.writeText(dir.resolve("data.csv"), csv.toString());
        TestData.write(dir.resolve("idx/train-images-idx3-ubyte"), idxImages.array(), false);
        TestData.write(dir.resolve("idx/train-labels-idx1-ubyte"), TestData.idxLabels(labels), false);

        List<String> fromPng = examples(DatasetLoader.load(FetchSpec.defaults(dir.resolve("png").toString()), null));
        List<String> fromCsv = examples(DatasetLoader.load(FetchSpec.defaults(dir.resolve("data.csv").toString()),
                null));
        List<String> fromIdx = examples(DatasetLoader.load(FetchSpec.defaults(dir.resolve("idx").toString()), null));

        assertThat(fromPng).hasSize(30).isEqualTo(fromCsv).isEqualTo(fromIdx);
    }

    /** train/ with class folders a-d of 30, 20, 40 and 10 images, in class order; test/ with 2 of each. */
    private Path classOrderedFolders() {
        Map<String, Integer> counts = new TreeMap<>(Map.of("a", 30, "b", 20, "c", 40, "d", 10));
        counts.forEach((name, count) -> {
            for (int i = 0; i < count; i++) {
                TestData.grayImage(dir.resolve("imgs/train/" + name + "/" + i + ".png"), 2, 2, i);
            }
            for (int i = 0; i < 2; i++) {
                TestData.grayImage(dir.resolve("imgs/test/" + name + "/" + i + ".png"), 2, 2, i);
            }
        });
        return dir.resolve("imgs");
    }

    private static Map<Integer, Long> classCounts(LabeledSet set) {
        return IntStream.of(TestData.labels(set.labels())).boxed()
                .collect(Collectors.groupingBy(l -> l, TreeMap::new, Collectors.counting()));
    }

    @Test
    void aTrainLimitOnClassOrderedImageFoldersKeepsEveryClassInProportion() {
        FetchSpec spec = TestData.spec(classOrderedFolders().toString(), 0.2, 0, List.of(), false, 50, 0, 255, 3);

        DataSplits data = DatasetLoader.load(spec, null);

        assertThat(classCounts(data.train())).isEqualTo(Map.of(0, 15L, 1, 10L, 2, 20L, 3, 5L));
        DataSplits first = DatasetLoader.load(spec.withLimitSample(LimitSample.FIRST), null);
        assertThat(classCounts(first.train())).isEqualTo(Map.of(0, 30L, 1, 20L));
    }

    @Test
    void readsImageFilesInSortedNameOrderWhateverOrderTheyWereWritten() {
        for (int value : new int[] {2, 10, 1}) {
            TestData.grayImage(dir.resolve("order/train/a/" + value + ".png"), 1, 1, value);
            TestData.grayImage(dir.resolve("order/train/b/" + value + ".png"), 1, 1, value + 100);
        }
        TestData.grayImage(dir.resolve("order/test/a/0.png"), 1, 1, 0);
        FetchSpec spec = TestData.spec(dir.resolve("order").toString(), 0.2, 0, List.of(), false, 0, 0, 1, 3);

        DataSplits data = DatasetLoader.load(spec, null);

        assertThat(TestData.firstFeatures(data.train().features())).containsExactly(1, 10, 2, 101, 110, 102);
    }
}
