package dev.graft.data;

import dev.graft.spi.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** SHA-256 checksums of the data read, as lowercase hex. */
public final class Sha256 {

    private Sha256() {
    }

    /** The plain SHA-256 of a local file's bytes, equal to what {@code sha256sum} prints. */
    public static String ofFile(Path file) {
        return ofFile(file, DataRoot.local());
    }

    /** The plain SHA-256 of one file's bytes, equal to what {@code sha256sum} prints. */
    static String ofFile(Path file, DataRoot root) {
        MessageDigest digest = newDigest();
        update(digest, file, root);
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * The SHA-256 over several files under {@code dir}, in sorted relative-path order; for each file it
     * hashes the relative path (UTF-8, '/' separators), a zero byte, the size as 8 bytes big-endian and the
     * bytes, so that renaming a class folder changes the checksum as well.
     */
    static String ofFiles(Path dir, List<Path> files, DataRoot root) {
        Map<String, Path> sorted = new TreeMap<>();
        for (Path file : files) {
            sorted.put(DataRoot.relative(dir, file), file);
        }
        MessageDigest digest = newDigest();
        for (Map.Entry<String, Path> entry : sorted.entrySet()) {
            digest.update(entry.getKey().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            try {
                digest.update(ByteBuffer.allocate(Long.BYTES).putLong(Files.size(entry.getValue())).array());
            } catch (IOException e) {
                throw unreadable(entry.getValue(), root, e);
            }
            update(digest, entry.getValue(), root);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void update(MessageDigest digest, Path file, DataRoot root) {
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw unreadable(file, root, e);
        }
    }

    private static DataException unreadable(Path file, DataRoot root, IOException e) {
        return new DataException(DatasetLoader.STEP + ": cannot read '" + root.name(file)
                + "' for its checksum; expected a readable file", e);
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
