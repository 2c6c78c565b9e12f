package dev.graft.data;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A {@code source} that names several data sets read as one: a glob ({@code photos-*.zip}, {@code shards/part-*})
 * or a comma list of folders and zips, each element of which may be a glob too. The shards are image folders or
 * zips of them; they are concatenated in sorted path order into one record list, class folders merged by name. A
 * glob reads nothing outside the folder its pattern starts in (its data root): no {@code ..} in the pattern, and a
 * link that leads out of that folder is refused.
 */
final class Shards {

    private static final String GLOB_CHARS = "*?[{";

    private Shards() {
    }

    /**
     * Whether {@code source} names several shards: a comma or glob character in something that is not an existing
     * path, a URL, {@code classpath:}, {@code newest:} or {@code trigger}.
     */
    static boolean isMany(String source) {
        String lower = source.toLowerCase(Locale.ROOT);
        if (source.equals(DataSource.TRIGGER) || lower.startsWith("http://") || lower.startsWith("https://")
                || lower.startsWith(DataSource.CLASSPATH) || lower.startsWith(DataSource.NEWEST)
                || lower.startsWith("file:")) {
            return false;
        }
        if (source.indexOf(',') < 0 && source.chars().noneMatch(c -> GLOB_CHARS.indexOf(c) >= 0)) {
            return false;
        }
        try {
            return !Files.exists(Path.of(source));
        } catch (InvalidPathException e) {
            return true;
        }
    }

    /**
     * The shards {@code source} names, sorted by path, each once.
     *
     * @throws ConfigurationException when an element is empty, a pattern matches nothing or climbs out of its folder,
     *                                or a named shard does not exist
     */
    static List<Path> paths(String source) {
        TreeSet<Path> found = new TreeSet<>();
        for (String element : source.split(",", -1)) {
            String part = element.strip();
            if (part.isEmpty()) {
                throw new ConfigurationException(DatasetLoader.STEP + ": option 'source' has an empty element in '"
                        + source + "'; expected a comma list of folders, zips or globs such as 'shards/part-*.zip'");
            }
            if (part.chars().anyMatch(c -> GLOB_CHARS.indexOf(c) >= 0)) {
                found.addAll(glob(part, source));
            } else {
                Path path = path(part, source);
                if (!Files.exists(path)) {
                    throw new ConfigurationException(DatasetLoader.STEP + ": shard does not exist '" + part
                            + "' in source '" + source + "'; expected an existing folder or zip (resolved to '"
                            + path.toAbsolutePath() + "')");
                }
                found.add(path.normalize());
            }
        }
        return List.copyOf(found);
    }

    private static Path path(String text, String source) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new ConfigurationException(DatasetLoader.STEP + ": option 'source' is not a valid path '" + text
                    + "' in '" + source + "'; expected folders, zips or globs separated by commas", e);
        }
    }

    /** The files and folders {@code pattern} matches, its fixed leading folders being the folder searched. */
    private static List<Path> glob(String pattern, String source) {
        String[] parts = pattern.replace('\\', '/').split("/", -1);
        int fixed = 0;
        while (fixed < parts.length - 1 && parts[fixed].chars().noneMatch(c -> GLOB_CHARS.indexOf(c) >= 0)) {
            fixed++;
        }
        List<String> rest = List.of(parts).subList(fixed, parts.length);
        if (rest.contains("..") || rest.contains(".") || rest.contains("")) {
            throw new ConfigurationException(DatasetLoader.STEP + ": glob climbs or repeats folders '" + pattern
                    + "' in source '" + source + "'; expected a pattern without '.', '..' or '//' after its first "
                    + "wildcard, such as 'shards/part-*.zip'");
        }
        String base = String.join("/", List.of(parts).subList(0, fixed));
        Path folder = path(base.isEmpty() ? (pattern.startsWith("/") ? "/" : ".") : base, source);
        if (!Files.isDirectory(folder)) {
            throw new ConfigurationException(DatasetLoader.STEP + ": glob matches nothing '" + pattern + "': its "
                    + "folder '" + folder + "' does not exist; expected a folder holding the shards");
        }
        PathMatcher matcher;
        try {
            matcher = FileSystems.getDefault().getPathMatcher("glob:" + String.join("/", rest));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(DatasetLoader.STEP + ": not a valid glob '" + pattern + "' in source '"
                    + source + "'; expected wildcards * ? [abc] {a,b} as in 'photos-*.zip': " + e.getMessage(), e);
        }
        Path real = realPath(folder);
        List<Path> matches = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(folder, rest.size())) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path relative = folder.relativize(p);
                if (relative.getNameCount() != rest.size() || relative.toString().isEmpty()
                        || !matcher.matches(relative) || hidden(relative)) {
                    continue;
                }
                if (!realPath(p).startsWith(real)) {
                    throw new DataException(DatasetLoader.STEP + ": shard '" + p + "' matched by '" + pattern
                            + "' leads outside '" + folder + "'; expected shards inside the glob's folder (a link "
                            + "out of it is not followed)");
                }
                matches.add(p.normalize());
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new DataException(DatasetLoader.STEP + ": cannot list '" + folder + "' for glob '" + pattern
                    + "'; expected a readable folder: " + e, e);
        }
        if (matches.isEmpty()) {
            throw new ConfigurationException(DatasetLoader.STEP + ": glob matches nothing '" + pattern + "' in '"
                    + folder.toAbsolutePath().normalize() + "'; expected at least one folder or zip; found "
                    + Listing.describe(folder, DataRoot.local()));
        }
        return matches;
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (Listing.hidden(part)) {
                return true;
            }
        }
        return false;
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new DataException(DatasetLoader.STEP + ": cannot resolve '" + p + "'; expected a readable shard: "
                    + e, e);
        }
    }

    /** The checksum of several shards: the SHA-256 over each shard's label and checksum, in order. */
    static String sha(List<String> labels, List<String> shas) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < labels.size(); i++) {
                digest.update((labels.get(i) + "\0" + shas.get(i) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
