package dev.graft.data;

import dev.graft.spi.DataSplits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.graft.spi.DataException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each hostile input of issue 13 is refused as bad data, fast, with a message that names the file, what it declares
 * against what is present or allowed, and the fix; and reading it allocates next to nothing.
 */
class HostileInputsTest {

    /** Far below what any of these files declares (2 GB to 10^27 bytes), far above what a refusal needs. */
    private static final long MAX_ALLOCATED = 64L << 20;

    @TempDir
    Path dir;

    private static DataException refused(FetchSpec spec) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long allocatedBefore = threads.getThreadAllocatedBytes(id);
        long start = System.nanoTime();
        Throwable thrown = catchThrowable(() -> DatasetLoader.load(spec, null));
        long millis = (System.nanoTime() - start) / 1_000_000;
        long allocated = threads.getThreadAllocatedBytes(id) - allocatedBefore;
        assertThat(thrown).isInstanceOf(DataException.class);
        assertThat(millis).as("milliseconds to refuse %s", spec.source()).isLessThan(10_000);
        assertThat(allocated).as("bytes allocated refusing %s", spec.source()).isLessThan(MAX_ALLOCATED);
        return (DataException) thrown;
    }

    private static DataException refused(Path file) {
        return refused(FetchSpec.defaults(file.toString()));
    }

    @Test
    void refusesTheIdxHeaderBombAsTruncatedBeforeAllocating() {
        Path zip = HostileFiles.idxHeaderBomb(dir);

        assertThat(refused(zip)).hasMessage("fetch-dataset: truncated IDX file '" + zip
                + "!/train-images-idx3-ubyte': the header says 2700000 images of 28x28; expected 2116800000 data bytes"
                + " after the header, got 12544; the file was cut short, copy or export it again");
    }

    @Test
    void refusesAnIdxHeaderOverTheMemoryBudgetWhenTheBytesArePresent() {
        Path folder = TestData.idxFolder(dir.resolve("ok"), TestData.cyclicLabels(1000, 10), null, false);
        FetchSpec auto = FetchSpec.defaults(folder.toString())
                .withBudget(ReadBudget.defaults().withMemoryBytes(4096));
        // stream=auto streams the images from their offsets instead; in memory they are refused
        assertThat(DatasetLoader.load(auto, null).train().streamed()).isTrue();
        FetchSpec spec = auto.withStream(new StreamSettings(StreamSettings.Mode.FALSE, 2, 4,
                java.time.Duration.ofSeconds(60)));

        assertThat(refused(spec)).hasMessageContaining("data over the memory budget '"
                        + folder.resolve("train-images-idx3-ubyte") + "': 1000 images of 3x2 take 27.3 KiB (28000 bytes)")
                .hasMessageContaining("expected at most 4.0 KiB (4096 bytes) in all (option memoryBudget")
                .hasMessageContaining("raise memoryBudget");
    }

    @Test
    void refusesTooManyExamplesNamingMaxExamples() {
        Path folder = TestData.idxFolder(dir.resolve("ok"), TestData.cyclicLabels(1000, 10), null, true);
        FetchSpec spec = FetchSpec.defaults(folder.toString()).withBudget(ReadBudget.defaults().withMaxExamples(999));

        assertThat(refused(spec)).hasMessageContaining("too many examples in '"
                        + folder.resolve("train-images-idx3-ubyte.gz") + "': 1000 images of 3x2")
                .hasMessageContaining("expected at most 999 examples in all (option maxExamples)");
    }

    @Test
    void refusesTheCsvZipBombFromItsDeclaredSizes() {
        Path zip = HostileFiles.csvZipBomb(dir);

        assertThat(refused(zip)).hasMessageStartingWith("fetch-dataset: zip archive expands too much '" + zip
                        + "': its entries declare 1.0 GiB (1073741832 bytes) from 1.1 MiB")
                .hasMessageContaining("expected at most 200 uncompressed bytes per byte (option maxCompressionRatio)");
    }

    @Test
    void refusesACsvZipBombWhoseHeaderLiesByCountingTheInflatedBytes() {
        Path zip = HostileFiles.csvZipBombLyingHeader(dir);

        assertThat(refused(zip)).hasMessageContaining("zip archive expands too much '" + zip + "': more than")
                .hasMessageContaining("inflated by entry 'train.csv'");
    }

    @Test
    void refusesAZipOverMaxExtractedBytes() {
        Path zip = HostileFiles.csvZipBomb(dir);
        FetchSpec spec = FetchSpec.defaults(zip.toString())
                .withBudget(ReadBudget.defaults().withMaxExtractedBytes(1 << 20));

        assertThat(refused(spec)).hasMessageContaining("zip archive expands past the budget '" + zip
                + "': its entries declare 1.0 GiB").hasMessageContaining("(option maxExtractedBytes)");
    }

    @Test
    void refusesTheCsvOfTheBombOverTheMemoryBudgetAsRowsArrive() {
        StringBuilder text = new StringBuilder("label,a\n");
        IntStream.range(0, 200_000).forEach(i -> text.append(i % 10).append(",0\n"));
        Path csv = TestData.writeText(dir.resolve("big.csv"), text.toString());
        FetchSpec spec = FetchSpec.defaults(csv.toString()).withBudget(ReadBudget.defaults().withMemoryBytes(1 << 20));

        assertThat(refused(spec)).hasMessageContaining("data over the memory budget '" + csv + "': ")
                .hasMessageMatching("(?s).*examples of 1 values at line \\d+ take .*")
                .hasMessageContaining("(option memoryBudget");
    }

    @Test
    void refusesTheIdxDeclaring65536x2775ImagesAsTruncated() {
        Path zip = HostileFiles.idxDeclares65536x2775(dir);

        assertThat(refused(zip)).hasMessageContaining("truncated IDX file '" + zip + "!/train-images-idx3-ubyte':"
                + " the header says 5 images of 65536x2775; expected 909312000 data bytes after the header, got 4096");
    }

    @Test
    void refusesAnOverflowingHeaderWithoutNegativeSizes() {
        Path zip = HostileFiles.overflowHeader(dir);

        assertThat(refused(zip)).hasMessage("fetch-dataset: sizes overflow in '" + zip + "!/train-images-idx3-ubyte':"
                + " it declares 2069367023 images of 2069367023x28, more than 2^63 values; expected a header of real"
                + " sizes; the file is corrupt or hostile");
    }

    @Test
    void refusesTheGiantPngFromItsHeader() {
        Path zip = HostileFiles.giantPngZip(dir);

        assertThat(refused(zip)).hasMessageContaining("image too large '" + zip + "!/a/giant.png': its header says"
                        + " 40000x40000 (height x width, 1600000000 pixels); expected at most 16384 pixels a side")
                .hasMessageContaining("options maxImageSide, maxImagePixels");
    }

    @Test
    void refusesTheGiantJpegFromItsHeader() {
        Path zip = HostileFiles.giantJpegZip(dir);

        assertThat(refused(zip)).hasMessageContaining("image too large '" + zip + "!/a/giant.jpg': its header says"
                + " 50000x50000");
    }

    @Test
    void refusesAnImageOverMaxImagePixels() {
        TestData.grayImage(dir.resolve("imgs/a/1.png"), 40, 30, 9);
        TestData.grayImage(dir.resolve("imgs/b/1.png"), 40, 30, 9);
        FetchSpec spec = FetchSpec.defaults(dir.resolve("imgs").toString())
                .withBudget(ReadBudget.defaults().withMaxImagePixels(1000));

        assertThat(refused(spec)).hasMessageContaining("image too large '" + dir.resolve("imgs/a/1.png")
                + "': its header says 30x40 (height x width, 1200 pixels); expected at most 16384 pixels a side and"
                + " 1000 pixels");
    }

    @Test
    void refusesImageFoldersOverTheMemoryBudgetNamingTheFolderAndTheImage() {
        for (int i = 0; i < 40; i++) {
            TestData.grayImage(dir.resolve("imgs/a/" + i + ".png"), 16, 16, i);
        }
        FetchSpec spec = FetchSpec.defaults(dir.resolve("imgs").toString())
                .withBudget(ReadBudget.defaults().withMemoryBytes(16_384))
                .withStream(new StreamSettings(StreamSettings.Mode.FALSE, 2, 2, java.time.Duration.ofSeconds(60)));

        assertThat(refused(spec)).hasMessageContaining("data over the memory budget '" + dir.resolve("imgs") + "': ")
                .hasMessageMatching("(?s).* examples of 256 values at '" + java.util.regex.Pattern.quote(
                        dir.resolve("imgs/a").toString()) + "/\\d+\\.png' take .*");
        // with stream=auto, the default, the same folder streams from its files instead of being refused
        assertThat(DatasetLoader.load(spec.withStream(StreamSettings.defaults()), null).train().streamed()).isTrue();
    }

    @Test
    void refusesAnEmptyFile() {
        Path empty = HostileFiles.emptyFile(dir);

        assertThat(refused(empty)).hasMessageStartingWith("fetch-dataset: empty file '" + empty
                + "' (0 bytes); expected a data set: ");
    }

    @Test
    void saysASingleTruncatedIdxFileIsTruncated() {
        Path file = HostileFiles.truncatedIdx(dir);

        assertThat(refused(file)).hasMessage("fetch-dataset: truncated IDX file '" + file + "': the header says 100"
                + " images of 28x28; expected 78400 data bytes after the header, got 30000; the file was cut short,"
                + " copy or export it again");
    }

    @Test
    void saysATruncatedGzippedSingleIdxFileIsTruncated() {
        byte[] images = TestData.idxImages(100, 3, 2);
        Path file = TestData.write(dir.resolve("images.gz"), java.util.Arrays.copyOf(images, 300), true);

        assertThat(refused(file)).hasMessageContaining("truncated IDX file '" + file + "': the header says 100 images"
                + " of 3x2; expected 600 data bytes after the header, got 284");
    }

    @Test
    void refusesATruncatedIdxInsideAZip() {
        Path zip = HostileFiles.truncatedIdxZip(dir);

        assertThat(refused(zip)).hasMessageContaining("truncated IDX file '" + zip + "!/train-images-idx3-ubyte'")
                .hasMessageContaining("expected 78400 data bytes after the header, got 47040");
    }

    @Test
    void refusesACorruptZipEntryAsBadData() {
        Path zip = HostileFiles.corruptZip(dir);

        assertThat(refused(zip)).hasMessageContaining("corrupt entry 'train-images-idx3-ubyte' in zip '" + zip + "'");
    }

    @Test
    void refusesATruncatedZipAsBadData() {
        Path zip = HostileFiles.truncatedZip(dir);

        assertThat(refused(zip)).hasMessageContaining("not a readable zip archive '" + zip + "'");
    }

    @Test
    void refusesAFileAndAFolderOfTheSameNameInAZip() {
        Path zip = HostileFiles.zipNameClash(dir);

        assertThat(refused(zip)).hasMessage("fetch-dataset: clashing zip entry 'data/train.csv' in '" + zip
                + "': a file of the archive has the name of its folder 'data'; expected every path in the archive"
                + " once, as either a file or a folder");
    }

    @Test
    void refusesTwoEntriesOfTheSamePathInAZip() {
        Path zip = HostileFiles.zipDuplicateEntry(dir);

        assertThat(refused(zip)).hasMessageContaining("clashing zip entry 'train.csv' in '" + zip
                + "': another entry of the same path came before it");
    }

    @Test
    void namesALabelOutsideTheDeclaredClassesWithItsLine() {
        Path csv = HostileFiles.labelOutsideClasses(dir);
        FetchSpec spec = TestData.spec(csv.toString(), 0.2, 0, IntStream.range(0, 10).boxed().toList(), true, 0, 0, 1,
                1);

        assertThat(refused(spec)).hasMessage("fetch-dataset: label outside the declared classes '57' at '" + csv
                + "' line 23 (1 example); expected one of the classes [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] of option"
                + " 'classes', of which '2' has no example; fix the labels in the data, or the classes option");
    }

    @Test
    void namesAStrayIdxLabelByItsIndex() {
        int[] labels = TestData.cyclicLabels(20, 3);
        labels[7] = 200;
        Path folder = TestData.idxFolder(dir.resolve("idx"), labels, null, false);
        FetchSpec spec = TestData.spec(folder.toString(), 0.2, 0, List.of(0, 1, 2, 3), true, 0, 0, 1, 1);

        assertThat(refused(spec)).hasMessageStartingWith("fetch-dataset: label outside the declared classes '200' at '"
                + folder.resolve("train-labels-idx1-ubyte") + "' label #7 (byte 15) (1 example)");
    }

    @Test
    void aValidDropReadsAfterEveryHostileOne() {
        List<Integer> zeroToNine = IntStream.range(0, 10).boxed().toList();
        for (Path file : HostileFiles.writeAll(dir.resolve("all"))) {
            // the stray label is only a fault where the route declares the classes 0-9
            FetchSpec spec = TestData.spec(file.toString(), 0.2, 0,
                    file.toString().endsWith(".csv") ? zeroToNine : List.of(), true, 0, 0, 1, 1);
            assertThat(catchThrowable(() -> DatasetLoader.load(spec, null)))
                    .as(file.toString()).isInstanceOf(DataException.class);
        }
        DataSplits data = DatasetLoader.load(FetchSpec.defaults(HostileFiles.validIdxZip(dir).toString()), null);
        assertThat(data.train().size() + data.test().size()).isEqualTo(40);
        DataSplits csv = DatasetLoader.load(FetchSpec.defaults(HostileFiles.validCsv(dir).toString()), null);
        assertThat(csv.numClasses()).isEqualTo(10);
    }
}
