package dev.graft.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {

    @TempDir
    Path dir;

    private long entries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void replaceWritesTheNewContentWholeAndLeavesNoTemporaryFile() throws IOException {
        Path file = Files.writeString(dir.resolve("report.html"), "old");
        for (FileWrites io : new FileWrites[] {FileWrites.SYSTEM, FileWrites.UNFORCED}) {
            DurableFiles.replace(io, file, t -> {
                assertThat(t).doesNotExist();
                assertThat(t.getParent()).isEqualTo(dir);
                assertThat(DurableFiles.isTemporary(t.getFileName().toString())).isTrue();
                Files.writeString(t, "new " + io);
            });
            assertThat(file).hasContent("new " + io);
            assertThat(entries()).isEqualTo(1);
        }
    }

    @Test
    void aFailedReplaceLeavesTheOldContentAndNoTemporaryFile() throws IOException {
        Path file = Files.writeString(dir.resolve("entry.features"), "old");
        assertThatThrownBy(() -> DurableFiles.replace(FileWrites.UNFORCED, file, t -> {
            Files.writeString(t, "half");
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(file).hasContent("old");
        assertThat(entries()).isEqualTo(1);
    }

    @Test
    void deleteRecursivelyRemovesAFolderTreeAndIgnoresWhatIsAbsent() throws IOException {
        Path tree = Files.createDirectories(dir.resolve("a/b/c"));
        Files.writeString(tree.resolve("f"), "x");
        Files.writeString(dir.resolve("a/g"), "y");
        DurableFiles.deleteRecursively(dir.resolve("a"));
        assertThat(dir.resolve("a")).doesNotExist();
        DurableFiles.deleteRecursively(dir.resolve("a"));
        assertThat(entries()).isZero();
    }
}
