package dev.graft.data;

import dev.graft.spi.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Sorted folder listings that skip hidden entries (names starting with '.') and macOS archive clutter. */
final class Listing {

    private Listing() {
    }

    /** The visible entries of {@code dir}, sorted by name. */
    static List<Path> children(Path dir, DataRoot root) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> !hidden(p)).sorted().toList();
        } catch (IOException e) {
            throw new DataException(DatasetLoader.STEP + ": cannot list folder '" + root.name(dir)
                    + "'; expected a readable folder", e);
        }
    }

    static List<Path> folders(Path dir, DataRoot root) {
        return children(dir, root).stream().filter(Files::isDirectory).toList();
    }

    static List<Path> files(Path dir, DataRoot root) {
        return children(dir, root).stream().filter(Files::isRegularFile).toList();
    }

    static boolean hidden(Path path) {
        String name = path.getFileName().toString();
        return name.startsWith(".") || name.equals("__MACOSX");
    }

    /** Up to 20 visible entry names of {@code path} for error messages, folders ending in '/'. */
    static List<String> describe(Path path, DataRoot root) {
        if (!Files.isDirectory(path)) {
            return List.of(path.getFileName().toString());
        }
        List<Path> all = children(path, root);
        List<String> names = new ArrayList<>();
        for (Path p : all.subList(0, Math.min(20, all.size()))) {
            names.add(p.getFileName() + (Files.isDirectory(p) ? "/" : ""));
        }
        if (all.size() > 20) {
            names.add("... " + (all.size() - 20) + " more");
        }
        return names;
    }
}
