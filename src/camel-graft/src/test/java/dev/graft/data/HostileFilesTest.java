package dev.graft.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generator writes what the issue describes: small files that declare or expand to huge ones. */
class HostileFilesTest {

    @TempDir
    Path dir;

    @Test
    void writesEveryDropSmallAndNamedAsListed() throws Exception {
        List<Path> files = HostileFiles.writeAll(dir);

        assertThat(files).hasSize(14).allSatisfy(f -> assertThat(f).exists().hasParent(dir));
        assertThat(Files.size(HostileFiles.idxHeaderBomb(dir))).isLessThan(1_000);
        assertThat(Files.size(HostileFiles.idxDeclares65536x2775(dir))).isLessThan(2_000);
        assertThat(Files.size(HostileFiles.csvZipBomb(dir))).isBetween(500_000L, 2_000_000L);
        assertThat(Files.size(HostileFiles.emptyFile(dir))).isZero();
        try (Stream list = new Stream(dir)) {
            assertThat(list.names()).doesNotContain(".giant-png-work", ".corrupt-work", ".truncated-work");
        }
    }

    @Test
    void csvBombInflatesToAGibibyteOfRowsBehindItsHeader() throws Exception {
        Path zip = HostileFiles.csvZipBomb(dir);
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            ZipEntry entry = archive.getEntry("train.csv");
            long header = "label,a\n".length();
            assertThat(entry.getSize()).isEqualTo(HostileFiles.CSV_BOMB_BYTES + header);
            try (InputStream in = archive.getInputStream(entry)) {
                byte[] start = in.readNBytes(16);
                assertThat(new String(start, "UTF-8")).isEqualTo("label,a\n3,0\n3,0\n");
                long total = start.length;
                byte[] buffer = new byte[1 << 20];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    total += n;
                }
                assertThat(total).isEqualTo(entry.getSize()); // ZipFile also checks the CRC at the end
            }
        }
    }

    @Test
    void giantPngHeaderSays40000By40000() throws Exception {
        Path png = HostileFiles.giantPng(dir);
        assertThat(Files.size(png)).isBetween(1_000_000L, 2_000_000L);
        try (ImageInputStream in = ImageIO.createImageInputStream(png.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            ImageReader reader = readers.next();
            reader.setInput(in);
            assertThat(reader.getWidth(0)).isEqualTo(HostileFiles.GIANT_SIDE);
            assertThat(reader.getHeight(0)).isEqualTo(HostileFiles.GIANT_SIDE);
            reader.dispose();
        }
        try (DataInputStream in = new DataInputStream(Files.newInputStream(png))) {
            in.skipNBytes(8 + 8 + 13 + 4);
            int idatLength = in.readInt();
            assertThat(in.readInt()).isEqualTo(0x49444154); // "IDAT"
            byte[] idat = in.readNBytes(idatLength);
            java.util.zip.Inflater inflater = new java.util.zip.Inflater();
            inflater.setInput(idat);
            byte[] out = new byte[1 << 20];
            long total = 0;
            while (!inflater.finished()) {
                total += inflater.inflate(out);
            }
            inflater.end();
            assertThat(total).isEqualTo((long) HostileFiles.GIANT_SIDE * (HostileFiles.GIANT_SIDE + 1));
        }
    }

    @Test
    void giantJpegHeaderSays50000By50000() throws Exception {
        Path jpeg = HostileFiles.giantJpeg(dir);
        try (ImageInputStream in = ImageIO.createImageInputStream(jpeg.toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            assertThat(reader.getWidth(0)).isEqualTo(50_000);
            assertThat(reader.getHeight(0)).isEqualTo(50_000);
            reader.dispose();
        }
    }

    @Test
    void duplicateEntryZipHoldsTwoEntriesOfTheSameName() throws Exception {
        Path zip = HostileFiles.zipDuplicateEntry(dir);
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
            assertThat(in.getNextEntry().getName()).isEqualTo("train.csv");
            assertThat(in.getNextEntry().getName()).isEqualTo("train.csv");
        }
    }

    private record Stream(Path dir) implements AutoCloseable {
        List<String> names() throws java.io.IOException {
            try (java.util.stream.Stream<Path> s = Files.list(dir)) {
                return s.map(p -> p.getFileName().toString()).toList();
            }
        }

        @Override
        public void close() {
        }
    }
}
