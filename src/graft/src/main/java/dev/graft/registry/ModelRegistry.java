package dev.graft.registry;

import dev.graft.spi.PublishedVersion;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.graft.spi.ConfigurationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A model registry in a folder: {@code <root>/<name>/versions/<n>/} holds {@code model.zip} and
 * {@code metadata.json}; {@code <root>/<name>/aliases.json} maps aliases such as {@code champion} to
 * versions.
 *
 * <p>Publishing writes a version into a staging folder and renames it into place atomically, under a
 * file lock, so readers never see half a version and concurrent publishers (threads or processes) get
 * distinct version numbers. A failed publish leaves nothing behind.
 */
public final class ModelRegistry {

    /** Writes the model file into the staging folder; may throw. */
    @FunctionalInterface
    public interface ModelWriter {
        void write(Path file) throws IOException;
    }

    /** A version found by name and alias or number. */
    public record ResolvedModel(String name, int version, Path modelFile, Path directory) {
    }

    public static final String MODEL_FILE = "model.zip";
    public static final String METADATA_FILE = "metadata.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final Object PUBLISH_LOCK = new Object();

    private final Path root;

    public ModelRegistry(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /**
     * Publishes a new version.
     *
     * @param name     model name: letters, digits, dot, dash, underscore
     * @param writer   writes model.zip
     * @param metadata written as metadata.json, with {@code name} and {@code version} added
     * @param aliases  aliases to point at the new version (empty: none move)
     */
    public PublishedVersion publish(String name, ModelWriter writer, Map<String, Object> metadata,
                                    List<String> aliases) throws IOException {
        checkName(name);
        // FileChannel.lock excludes other processes only; threads of this JVM are serialised here.
        synchronized (PUBLISH_LOCK) {
            return publishLocked(name, writer, metadata, aliases);
        }
    }

    private PublishedVersion publishLocked(String name, ModelWriter writer, Map<String, Object> metadata,
                                           List<String> aliases) throws IOException {
        Path modelDir = root.resolve(name);
        Path versions = modelDir.resolve("versions");
        Files.createDirectories(versions);
        Path staging = modelDir.resolve(".staging-" + UUID.randomUUID());
        try (FileChannel lockFile = FileChannel.open(modelDir.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock ignored = lock(lockFile)) {
            int version = versions(name).stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
            Files.createDirectories(staging);
            writer.write(staging.resolve(MODEL_FILE));
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("name", name);
            meta.put("version", version);
            meta.putAll(metadata);
            JSON.writeValue(staging.resolve(METADATA_FILE).toFile(), meta);
            Path target = versions.resolve(String.valueOf(version));
            move(staging, target);
            for (String alias : aliases) {
                pointAlias(name, alias, version);
            }
            return new PublishedVersion(name, version, target, aliases);
        } finally {
            deleteRecursively(staging);
        }
    }

    private static FileLock lock(FileChannel channel) throws IOException {
        return channel.lock();
    }

    /**
     * Points an alias at an existing version (promote), remembering the previous target for
     * {@link #rollback}.
     *
     * @throws ConfigurationException when the version does not exist
     */
    public void promote(String name, String alias, int version) throws IOException {
        checkName(name);
        synchronized (PUBLISH_LOCK) {
            try (FileChannel lockFile = FileChannel.open(root.resolve(name).resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                 FileLock ignored = lock(lockFile)) {
                if (!versions(name).contains(version)) {
                    throw new ConfigurationException("models: no version " + version + " of '" + name + "'; expected one of "
                            + versions(name));
                }
                pointAlias(name, alias, version);
            }
        }
    }

    /**
     * Moves an alias back to the version it pointed to before its last move.
     *
     * @return the version the alias points to now
     * @throws ConfigurationException when the alias has no earlier version
     */
    public int rollback(String name, String alias) throws IOException {
        checkName(name);
        synchronized (PUBLISH_LOCK) {
            Path modelDir = root.resolve(name);
            try (FileChannel lockFile = FileChannel.open(modelDir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                 FileLock ignored = lock(lockFile)) {
                Map<String, List<Integer>> history = history(name);
                List<Integer> stack = history.getOrDefault(alias, new ArrayList<>());
                if (stack.size() < 2) {
                    throw new ConfigurationException("models: alias '" + alias + "' of '" + name + "' has no earlier "
                            + "version to roll back to; expected an alias moved at least twice (history " + stack + ")");
                }
                stack.remove(stack.size() - 1);
                int previous = stack.get(stack.size() - 1);
                Map<String, Integer> current = aliases(name);
                current.put(alias, previous);
                writeAtomically(modelDir.resolve("alias-history.json"), JSON.writeValueAsBytes(history));
                writeAtomically(modelDir.resolve("aliases.json"), JSON.writeValueAsBytes(current));
                return previous;
            }
        }
    }

    /** Every move of every alias, oldest first: alias to the versions it pointed at. */
    public Map<String, List<Integer>> history(String name) {
        Path file = root.resolve(name).resolve("alias-history.json");
        if (!Files.isRegularFile(file)) {
            return new TreeMap<>();
        }
        try {
            Map<String, List<Integer>> read = JSON.readValue(file.toFile(), JSON.getTypeFactory().constructMapType(
                    TreeMap.class, JSON.getTypeFactory().constructType(String.class),
                    JSON.getTypeFactory().constructCollectionType(ArrayList.class, Integer.class)));
            return new TreeMap<>(read);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read alias history of model '" + name + "' in " + file, e);
        }
    }

    private void pointAlias(String name, String alias, int version) throws IOException {
        Path modelDir = root.resolve(name);
        Map<String, List<Integer>> history = history(name);
        history.computeIfAbsent(alias, a -> new ArrayList<>()).add(version);
        Map<String, Integer> current = aliases(name);
        current.put(alias, version);
        writeAtomically(modelDir.resolve("alias-history.json"), JSON.writeValueAsBytes(history));
        writeAtomically(modelDir.resolve("aliases.json"), JSON.writeValueAsBytes(current));
    }

    /** Version numbers of a model, ascending; empty when the model does not exist. */
    public List<Integer> versions(String name) {
        Path versions = root.resolve(name).resolve("versions");
        if (!Files.isDirectory(versions)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(versions)) {
            return s.map(p -> p.getFileName().toString()).filter(f -> f.matches("\\d+"))
                    .map(Integer::valueOf).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Model names in the registry, sorted. */
    public List<String> names() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> Files.isDirectory(p.resolve("versions"))).map(p -> p.getFileName().toString())
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The aliases of a model: alias to version. */
    public Map<String, Integer> aliases(String name) {
        Path file = root.resolve(name).resolve("aliases.json");
        if (!Files.isRegularFile(file)) {
            return new TreeMap<>();
        }
        try {
            Map<String, Integer> read = JSON.readValue(file.toFile(),
                    JSON.getTypeFactory().constructMapType(TreeMap.class, String.class, Integer.class));
            return new TreeMap<>(read);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read aliases of model '" + name + "' in " + file, e);
        }
    }

    /**
     * Finds a version by alias ({@code champion}), number ({@code 3}) or {@code latest}.
     *
     * @return empty when the model, alias or version does not exist
     */
    public Optional<ResolvedModel> resolve(String name, String ref) {
        List<Integer> versions = versions(name);
        if (versions.isEmpty()) {
            return Optional.empty();
        }
        Integer version;
        if (ref.equals("latest")) {
            version = versions.get(versions.size() - 1);
        } else if (ref.matches("\\d+")) {
            version = Integer.valueOf(ref);
            if (!versions.contains(version)) {
                return Optional.empty();
            }
        } else {
            version = aliases(name).get(ref);
            if (version == null) {
                return Optional.empty();
            }
        }
        Path dir = root.resolve(name).resolve("versions").resolve(String.valueOf(version));
        return Optional.of(new ResolvedModel(name, version, dir.resolve(MODEL_FILE), dir));
    }

    /** The metadata of a version as a JSON tree. */
    public Map<String, Object> metadata(String name, int version) throws IOException {
        Path file = root.resolve(name).resolve("versions").resolve(String.valueOf(version)).resolve(METADATA_FILE);
        return JSON.readValue(file.toFile(), JSON.getTypeFactory().constructMapType(LinkedHashMap.class,
                String.class, Object.class));
    }

    private static void checkName(String name) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ConfigurationException("publish: bad model name '" + name + "'; expected letters, digits, "
                    + "'.', '-' or '_', starting with a letter or digit");
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the registry's file system cannot rename atomically (" + from + " -> " + to
                    + "); put the registry on a local file system", e);
        }
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.forEach(paths::add);
        }
        paths.sort(Comparator.reverseOrder());
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }
}
