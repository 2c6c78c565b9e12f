package dev.graft.data;

import static dev.graft.data.StreamingTest.all;
import static dev.graft.data.StreamingTest.assertSameExamples;
import static dev.graft.data.StreamingTest.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import dev.graft.spi.DataSplits;
import dev.graft.testing.ColourImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ShardsTest {

    @TempDir
    Path dir;

    /** Three shards of colour images, each {@code perClass} an image a class, different images in each. */
    private List<Path> folders(Path parent, int perClass) throws IOException {
        List<Path> shards = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            shards.add(ColourImages.write(parent.resolve("part-" + i), perClass, 40 + i));
        }
        return shards;
    }

    /** Copies every shard's class folders into one folder, each file renamed by its shard, in the shards' order. */
    private Path merged(List<Path> shards) throws IOException {
        Path all = dir.resolve("merged");
        for (int s = 0; s < shards.size(); s++) {
            Path shard = shards.get(s);
            try (Stream<Path> walk = Files.walk(shard)) {
                for (Path f : walk.filter(Files::isRegularFile).toList()) {
                    Path to = all.resolve(f.getParent().getFileName().toString()).resolve(s + "-" + f.getFileName());
                    Files.createDirectories(to.getParent());
                    Files.copy(f, to);
                }
            }
        }
        return all;
    }

    /** The sum of every value of every split, whatever the order of the examples. */
    private static double total(DataSplits data) {
        double sum = 0;
        for (INDArray x : List.of(data.train().features(), data.validation().features(), data.test().features())) {
            sum += x.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).sumNumber().doubleValue();
        }
        return sum;
    }

    @Test
    void aGlobOfZipsReadsTheirImagesAsOneDataSetStreamedAndInMemoryAlike() throws IOException {
        List<Path> folders = folders(dir.resolve("src"), 4);
        Path shards = Files.createDirectories(dir.resolve("shards"));
        for (Path folder : folders) {
            TestData.zipFolder(shards.resolve("photos-" + folder.getFileName() + ".zip"), folder, "");
        }
        Files.writeString(shards.resolve("README.txt"), "not a shard, not matched by the glob");
        String glob = shards + "/photos-*.zip";
        DataSplits memory = DatasetLoader.load(spec(glob, StreamSettings.Mode.FALSE), null);
        DataSplits streamed = DatasetLoader.load(spec(glob, StreamSettings.Mode.TRUE), null);
        assertSameExamples(streamed, memory, 5);
        assertThat(memory.classNames()).containsExactly("blue", "green", "red");
        assertThat(memory.train().size() + memory.validation().size() + memory.test().size()).isEqualTo(36);
        assertThat(streamed.sha256()).isEqualTo(memory.sha256());
        // the same images as one folder holding every shard's files
        DataSplits one = DatasetLoader.load(spec(merged(folders), StreamSettings.Mode.FALSE), null);
        assertThat(total(memory)).isCloseTo(total(one), org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void aCommaListOfFoldersIsReadInSortedOrderWhateverOrderItNamesThem() throws IOException {
        List<Path> folders = folders(dir.resolve("src"), 3);
        String list = folders.get(2) + ", " + folders.get(0) + "," + folders.get(1);
        DataSplits memory = DatasetLoader.load(spec(list, StreamSettings.Mode.FALSE), null);
        DataSplits streamed = DatasetLoader.load(spec(list, StreamSettings.Mode.TRUE), null);
        assertSameExamples(streamed, memory, 7);
        DataSplits one = DatasetLoader.load(spec(merged(folders), StreamSettings.Mode.FALSE), null);
        assertThat(total(memory)).isCloseTo(total(one), org.assertj.core.data.Offset.offset(1e-6));
        DataSplits sorted = DatasetLoader.load(spec(folders.get(0) + "," + folders.get(1) + "," + folders.get(2),
                StreamSettings.Mode.FALSE), null);
        assertThat(sorted.sha256()).isEqualTo(memory.sha256());
    }

    @Test
    void aFolderAndAZipMixInOneGlob() throws IOException {
        List<Path> folders = folders(dir.resolve("shards"), 2);
        TestData.zipFolder(dir.resolve("shards/part-3.zip"), ColourImages.write(dir.resolve("extra"), 2, 9), "top/");
        String glob = dir.resolve("shards") + "/part-*";
        DataSplits memory = DatasetLoader.load(spec(glob, StreamSettings.Mode.FALSE), null);
        DataSplits streamed = DatasetLoader.load(spec(glob, StreamSettings.Mode.TRUE), null);
        assertSameExamples(streamed, memory, 3);
        assertThat(memory.train().size() + memory.validation().size() + memory.test().size()).isEqualTo(24);
        assertThat(folders).hasSize(3);
    }

    @Test
    void aGlobMatchingNothingIsATypedErrorNamingThePattern() throws IOException {
        Files.createDirectories(dir.resolve("shards"));
        String glob = dir.resolve("shards") + "/photos-*.zip";
        assertThatThrownBy(() -> DatasetLoader.load(spec(glob, StreamSettings.Mode.AUTO), null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("glob matches nothing '" + glob + "'");
        String missing = dir.resolve("nowhere") + "/part-*";
        assertThatThrownBy(() -> DatasetLoader.load(spec(missing, StreamSettings.Mode.AUTO), null))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(missing)
                .hasMessageContaining("does not exist");
    }

    @Test
    void aGlobNeverClimbsOutOfItsFolder() throws IOException {
        List<Path> folders = folders(dir.resolve("outside"), 1);
        Path shards = Files.createDirectories(dir.resolve("shards"));
        Files.createSymbolicLink(shards.resolve("part-0"), folders.get(0));
        assertThatThrownBy(() -> DatasetLoader.load(spec(shards + "/*/../../outside/part-*", StreamSettings.Mode.AUTO),
                null)).isInstanceOf(ConfigurationException.class).hasMessageContaining("'..'");
        assertThatThrownBy(() -> DatasetLoader.load(spec(shards + "/part-*", StreamSettings.Mode.AUTO), null))
                .isInstanceOf(DataException.class).hasMessageContaining("leads outside");
    }

    @Test
    void shardsWithDifferentClassesAreATypedErrorNamingBoth() throws IOException {
        List<Path> folders = folders(dir.resolve("shards"), 1);
        Path extra = Files.createDirectories(folders.get(2).resolve("yellow"));
        Files.copy(folders.get(2).resolve("red/000.png"), extra.resolve("000.png"));
        String glob = dir.resolve("shards") + "/part-*";
        for (StreamSettings.Mode mode : StreamSettings.Mode.values()) {
            assertThatThrownBy(() -> DatasetLoader.load(spec(glob, mode), null)).isInstanceOf(DataException.class)
                    .hasMessageContaining("shard '" + folders.get(2) + "' has the classes [blue, green, red, yellow]")
                    .hasMessageContaining("shard '" + folders.get(0) + "'");
        }
    }

    @Test
    void aCommaListNamingAMissingShardOrACsvIsATypedError() throws IOException {
        List<Path> folders = folders(dir.resolve("shards"), 1);
        Path csv = Files.writeString(dir.resolve("data.csv"), "label,a\n0,1\n");
        assertThatThrownBy(() -> DatasetLoader.load(spec(folders.get(0) + "," + dir.resolve("gone"),
                StreamSettings.Mode.AUTO), null)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("shard does not exist '" + dir.resolve("gone") + "'");
        assertThatThrownBy(() -> DatasetLoader.load(spec(folders.get(0) + "," + csv, StreamSettings.Mode.AUTO), null))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("neither a folder nor a zip");
        assertThatThrownBy(() -> DatasetLoader.load(spec(folders.get(0) + ",,", StreamSettings.Mode.AUTO), null))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("empty element");
    }

    @Test
    void everyStreamedRecordComesOnceAPassAcrossShards() throws IOException {
        folders(dir.resolve("shards"), 3);
        DataSplits streamed = DatasetLoader.load(spec(dir.resolve("shards") + "/part-*", StreamSettings.Mode.TRUE),
                null);
        INDArray train = all(streamed.train(), 4);
        INDArray validation = all(streamed.validation(), 4);
        INDArray test = all(streamed.test(), 4);
        INDArray every = Nd4j.concat(0, train, validation, test).reshape(27, -1);
        // 27 different images: no two rows equal, so none is read twice and (by the count) none left out
        for (int i = 0; i < 27; i++) {
            for (int j = i + 1; j < 27; j++) {
                assertThat(every.getRow(i).equals(every.getRow(j))).as(i + " vs " + j).isFalse();
            }
        }
    }
}
