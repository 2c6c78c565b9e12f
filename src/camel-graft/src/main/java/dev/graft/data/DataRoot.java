package dev.graft.data;

import java.nio.file.Path;

/**
 * How files are named in messages: by their own path for local data, or relative to where the user's
 * source was unpacked or downloaded ({@code data.zip!/train/cat/1.png}), never by a temporary path.
 *
 * @param base  the extracted folder or downloaded file that stands for {@code label}; null for local data
 * @param label the source as the user wrote it; null for local data
 */
record DataRoot(Path base, String label) {

    static DataRoot local() {
        return new DataRoot(null, null);
    }

    String name(Path file) {
        if (base == null) {
            return file.toString();
        }
        if (file.equals(base)) {
            return label;
        }
        if (!file.startsWith(base)) {
            return file.toString();
        }
        return label + "!/" + relative(base, file);
    }

    /** The path of {@code file} under {@code dir} with '/' separators, as used for sorting and checksums. */
    static String relative(Path dir, Path file) {
        StringBuilder text = new StringBuilder();
        for (Path part : dir.relativize(file)) {
            if (!text.isEmpty()) {
                text.append('/');
            }
            text.append(part);
        }
        return text.toString();
    }
}
