package dev.graft.registry;

import dev.graft.spi.ConfigurationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a registry's models and versions lie, and which names are model names: every path it gives is checked
 * to stay inside the registry folder (no {@code ..}, no link out).
 */
final class RegistryPaths {

    static final int MAX_NAME = 200;

    private final Path root;

    RegistryPaths(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    /** True when {@code name} can be a model name: letters, digits, '.', '-', '_', starting with a letter or digit. */
    static boolean isValidName(String name) {
        return name != null && name.length() <= MAX_NAME && name.matches("[A-Za-z0-9][A-Za-z0-9._-]*");
    }

    /** Model names in the registry, sorted. */
    List<String> names() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> isValidName(p.getFileName().toString()) && Files.isDirectory(p.resolve("versions")))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Version numbers of a model, ascending; empty when the model does not exist. */
    List<Integer> versions(String name) {
        Path versions = modelDir(name).resolve("versions");
        if (!Files.isDirectory(versions)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(versions)) {
            return s.map(p -> p.getFileName().toString()).filter(f -> f.matches("\\d{1,9}"))
                    .map(Integer::valueOf).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder of a model that exists. */
    Path existingModel(String name) {
        Path dir = modelDir(name);
        if (!Files.isDirectory(dir.resolve("versions"))) {
            throw new ConfigurationException("models: no model '" + name + "' in '" + root + "'; expected one of "
                    + names());
        }
        return dir;
    }

    /** The folder of a model, after checking that the name is one and that the folder lies inside the registry. */
    Path modelDir(String name) {
        if (!isValidName(name)) {
            throw new ConfigurationException("registry: bad model name '" + name + "'; expected letters, digits, "
                    + "'.', '-' or '_', starting with a letter or digit (at most " + MAX_NAME + " characters)");
        }
        Path dir = root.resolve(name).normalize();
        if (!root.equals(dir.getParent())) {
            throw new ConfigurationException("registry: bad model name '" + name + "'; expected a name that stays "
                    + "inside the registry '" + root + "'");
        }
        requireInside(dir);
        return dir;
    }

    /** A version's folder; a version folder that links outside the registry is refused. */
    Path versionPath(String name, int version) {
        Path dir = modelDir(name).resolve("versions").resolve(String.valueOf(version));
        requireInside(dir);
        return dir;
    }

    /** Refuses a path that exists and whose real location (links followed) is outside the registry's. */
    private void requireInside(Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Path real = path.toRealPath();
            Path realRoot = root.toRealPath();
            if (!real.startsWith(realRoot)) {
                throw new ConfigurationException("registry: '" + path + "' leads outside the registry, to '" + real
                        + "'; expected folders inside '" + realRoot + "'; remove the link");
            }
        } catch (IOException e) {
            throw new ConfigurationException("registry: cannot resolve '" + path + "' (" + e + "); expected a folder "
                    + "inside '" + root + "'", e);
        }
    }
}
