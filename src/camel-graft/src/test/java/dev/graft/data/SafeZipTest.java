package dev.graft.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.DataException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeZipTest {

    @TempDir
    Path dir;

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void extractsNestedEntriesAndDescendsIntoTheOnlyTopFolder() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("data/", new byte[0]);
        entries.put("data/train/a.txt", text("a"));
        entries.put("data/./b.txt", text("b"));
        entries.put("__MACOSX/data/._a.txt", text("junk"));
        Path zip = TestData.zipEntries(dir.resolve("x.zip"), entries);
        Path target = Files.createDirectories(dir.resolve("out"));

        SafeZip.extract(zip, "x.zip", target);

        assertThat(target.resolve("data/train/a.txt")).hasContent("a");
        assertThat(target.resolve("data/b.txt")).hasContent("b");
        assertThat(SafeZip.contentRoot(target, DataRoot.local())).isEqualTo(target.resolve("data"));
    }

    @Test
    void rejectsAnEntryThatEscapesTheFolderNamingTheZipAndTheEntry() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("train.csv", text("label,a\n0,1\n"));
        // a name no other process on the machine uses, so that "it was not written" is this test's own finding
        String escape = "graft-safezip-escape-" + java.util.UUID.randomUUID();
        entries.put("../" + escape, text("evil"));
        Path zip = TestData.zipEntries(dir.resolve("evil.zip"), entries);

        assertThatThrownBy(() -> DatasetLoader.load(FetchSpec.defaults(zip.toString()), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("zip entry '../" + escape + "' in '" + zip + "' escapes the extraction folder");
        assertThat(dir.getParent().resolve(escape)).doesNotExist();
    }

    @Test
    void rejectsAnEntryWithAnAbsolutePathOrDeepEscape() {
        Path absolute = TestData.zipEntries(dir.resolve("abs.zip"), Map.of("/tmp/graft-evil", text("x")));
        Path deep = TestData.zipEntries(dir.resolve("deep.zip"), Map.of("a/b/../../../c", text("x")));

        assertThatThrownBy(() -> SafeZip.extract(absolute, "abs.zip", dir.resolve("out1")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("'/tmp/graft-evil' in 'abs.zip'");
        assertThatThrownBy(() -> SafeZip.extract(deep, "deep.zip", dir.resolve("out2")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("'a/b/../../../c' in 'deep.zip'");
    }

    @Test
    void rejectsAFileNamedZipThatIsNoArchive() throws Exception {
        Path zip = TestData.writeText(dir.resolve("data.zip"), "not a zip at all");

        assertThatThrownBy(() -> DatasetLoader.load(FetchSpec.defaults(zip.toString()), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("not a readable zip archive '" + zip + "'");
    }

    @Test
    void rejectsAnEntryWhoseCompressedDataIsCorrupt() throws Exception {
        byte[] body = new byte[4000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31 % 7);
        }
        Path zip = TestData.zipEntries(dir.resolve("bad.zip"), Map.of("train.csv", body));
        byte[] bytes = Files.readAllBytes(zip);
        for (int i = 40; i < 60; i++) {
            bytes[i] = (byte) 0xff; // inside the deflated data of the only entry
        }
        Files.write(zip, bytes);

        assertThatThrownBy(() -> SafeZip.extract(zip, "bad.zip", dir.resolve("out")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("'train.csv' in zip 'bad.zip'");
    }
}
