package dev.graft.registry;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JavaType;
import dev.graft.spi.PublishedVersion;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.graft.io.DurableFiles;
import dev.graft.io.FileWrites;
import dev.graft.spi.ConfigurationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model registry in a folder: {@code <root>/<name>/versions/<n>/} holds {@code model.zip} and
 * {@code metadata.json}; {@code <root>/<name>/aliases.json} maps aliases such as {@code champion} to
 * versions.
 *
 * <p>Publishing writes a version into a staging folder, forces it to the device and renames it into place
 * atomically, then moves the aliases with atomic replacements, all under a per-model file lock, so readers
 * never see half a version and concurrent publishers (threads or processes) get distinct, contiguous version
 * numbers. A publish that fails at any write leaves nothing behind: a version whose alias move failed is
 * removed again. A publish that carries a {@link PublishKey} is done once: publishing the same key again
 * adopts the version published before (the re-run of a run interrupted by a crash).
 *
 * <p>Every method validates the model name and stays inside the registry folder; versions that are not whole
 * (missing or empty {@code model.zip} or {@code metadata.json}) are never resolved, promoted or rolled back to.
 * Instances are cheap and thread-safe.
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

    /**
     * What makes two publishes the same publish: the same run, or the same route run on the same drop.
     *
     * @param runId      the run's id; null when unknown
     * @param routeId    the route's id; null when unknown
     * @param dropSha256 SHA-256 of the file that triggered the run; null when no file did
     */
    public record PublishKey(String runId, String routeId, String dropSha256) {

        boolean matches(Map<?, ?> recorded) {
            if (runId != null && runId.equals(recorded.get("runId"))) {
                return true;
            }
            return routeId != null && dropSha256 != null && routeId.equals(recorded.get("routeId"))
                    && dropSha256.equals(recorded.get("dropSha256"));
        }
    }

    /**
     * One model as listed: its versions and aliases, or, when its files cannot be read, why (the others list
     * regardless).
     *
     * @param error null when the model's files read; else what is wrong and how to fix it
     */
    public record ModelSummary(String name, List<Integer> versions, Map<String, Integer> aliases, String error) {
    }

    public static final String MODEL_FILE = "model.zip";
    public static final String METADATA_FILE = "metadata.json";
    public static final String ALIASES_FILE = "aliases.json";
    public static final String HISTORY_FILE = "alias-history.json";
    /** The metadata field holding the publish's identity: run id, route id, drop hash and the aliases it moved. */
    public static final String PUBLISH_FIELD = "publish";
    static final String STAGING_PREFIX = ".staging-";
    static final String TRASH_PREFIX = ".trash-";
    private static final String LOCK_FILE = ".lock";
    private static final int MAX_NAME = 200;

    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JavaType ALIASES = JSON.getTypeFactory().constructMapType(TreeMap.class, String.class,
            Integer.class);
    private static final JavaType HISTORY = JSON.getTypeFactory().constructMapType(TreeMap.class,
            JSON.getTypeFactory().constructType(String.class),
            JSON.getTypeFactory().constructCollectionType(ArrayList.class, Integer.class));
    private static final JavaType METADATA = JSON.getTypeFactory().constructMapType(LinkedHashMap.class,
            String.class, Object.class);

    /**
     * FileChannel.lock excludes other processes only (two channels of one JVM on one file throw
     * OverlappingFileLockException), so the threads of this JVM are serialised per model folder on one monitor each,
     * shared by every ModelRegistry instance; publishes of different models run in parallel.
     */
    private static final ConcurrentHashMap<Path, Object> MODEL_LOCKS = new ConcurrentHashMap<>();

    private final Path root;
    private final FileWrites io;

    public ModelRegistry(Path root) {
        this(root, FileWrites.SYSTEM);
    }

    /** A registry whose writes go through {@code io} (tests make them fail as a full disk would). */
    public ModelRegistry(Path root, FileWrites io) {
        this.root = root.toAbsolutePath().normalize();
        this.io = io;
    }

    public Path root() {
        return root;
    }

    /** True when {@code name} can be a model name: letters, digits, '.', '-', '_', starting with a letter or digit. */
    public static boolean isValidName(String name) {
        return name != null && name.length() <= MAX_NAME && name.matches("[A-Za-z0-9][A-Za-z0-9._-]*");
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
        return publish(name, writer, metadata, aliases, null);
    }

    /**
     * Publishes a new version once per key: when a version of {@code name} already carries {@code key} (same run
     * id, or same route and drop hash), nothing is written and that version is adopted instead; the aliases it
     * was published to move are moved to it unless they point to it or to a later version already.
     *
     * @param key the publish's identity, recorded in metadata.json under {@value #PUBLISH_FIELD}; null: always new
     */
    public PublishedVersion publish(String name, ModelWriter writer, Map<String, Object> metadata,
                                    List<String> aliases, PublishKey key) throws IOException {
        Path modelDir = modelDir(name);
        synchronized (modelLock(modelDir)) {
            io.createDirectories(modelDir.resolve("versions"));
            try (FileChannel lockFile = openLock(modelDir); FileLock ignored = lockFile.lock()) {
                cleanLeftovers(modelDir); // the lock is ours: whatever staging is there, its publisher is dead
                if (key != null) {
                    Optional<Integer> earlier = findPublished(name, key);
                    if (earlier.isPresent()) {
                        return adopt(name, earlier.get());
                    }
                }
                return publishLocked(name, modelDir, writer, metadata, aliases, key);
            }
        }
    }

    private PublishedVersion publishLocked(String name, Path modelDir, ModelWriter writer,
                                           Map<String, Object> metadata, List<String> aliases, PublishKey key)
            throws IOException {
        Path versions = modelDir.resolve("versions");
        int version = versions(name).stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        Path staging = modelDir.resolve(STAGING_PREFIX + UUID.randomUUID());
        Path target = versions.resolve(String.valueOf(version));
        try {
            io.createDirectories(staging);
            io.write(staging.resolve(MODEL_FILE), writer::write);
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("name", name);
            meta.put("version", version);
            Map<String, Object> identity = new LinkedHashMap<>();
            identity.put("runId", key == null ? null : key.runId());
            identity.put("routeId", key == null ? null : key.routeId());
            identity.put("dropSha256", key == null ? null : key.dropSha256());
            identity.put("aliases", List.copyOf(aliases));
            meta.put(PUBLISH_FIELD, identity);
            metadata.forEach((k, v) -> {
                if (!meta.containsKey(k)) {
                    meta.put(k, v);
                }
            });
            byte[] json = JSON.writeValueAsBytes(meta);
            io.write(staging.resolve(METADATA_FILE), f -> Files.write(f, json));
            io.syncDirectory(staging);
            io.move(staging, target, false);
            try {
                io.syncDirectory(versions);
                pointAliases(name, aliases, version);
            } catch (IOException | RuntimeException e) {
                unpublish(target, e);
                throw e;
            }
            return new PublishedVersion(name, version, target, aliases);
        } finally {
            DurableFiles.deleteRecursively(staging);
        }
    }

    /** Takes a version published in place again: renamed aside first, so that no reader sees it half deleted. */
    private void unpublish(Path version, Exception cause) {
        Path trash = version.getParent().getParent().resolve(TRASH_PREFIX + UUID.randomUUID());
        try {
            Files.move(version, trash, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.deleteRecursively(trash);
        } catch (IOException e) {
            cause.addSuppressed(new IOException("could not remove the version again: '" + version + "'", e));
        }
    }

    private PublishedVersion adopt(String name, int version) throws IOException {
        Map<?, ?> recorded = publishRecord(name, version).orElse(Map.of());
        List<String> intended = recorded.get("aliases") instanceof List<?> l
                ? l.stream().map(String::valueOf).toList() : List.of();
        Map<String, Integer> current = aliases(name);
        // move an alias as the interrupted publish would have, unless a later publish has moved it since
        List<String> move = intended.stream().filter(a -> current.getOrDefault(a, 0) < version).toList();
        pointAliases(name, move, version);
        List<String> pointing = intended.stream().filter(a -> aliases(name).getOrDefault(a, 0) == version).toList();
        LOG.info("registry: {} v{} was already published for this run or drop (run {}); adopted it, aliases {}",
                name, version, recorded.get("runId"), pointing);
        return new PublishedVersion(name, version, versionPath(name, version), pointing, true);
    }

    /** The newest version of {@code name} that carries {@code key}. */
    private Optional<Integer> findPublished(String name, PublishKey key) {
        List<Integer> all = new ArrayList<>(versions(name));
        for (int i = all.size() - 1; i >= 0; i--) {
            Optional<Map<?, ?>> recorded = publishRecord(name, all.get(i));
            if (recorded.isPresent() && key.matches(recorded.get())) {
                return Optional.of(all.get(i));
            }
        }
        return Optional.empty();
    }

    /** The {@value #PUBLISH_FIELD} object of a version's metadata, read without parsing the rest; empty when absent. */
    private Optional<Map<?, ?>> publishRecord(String name, int version) {
        Path file = versionPath(name, version).resolve(METADATA_FILE);
        try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals(PUBLISH_FIELD) && value == JsonToken.START_OBJECT) {
                    return Optional.of(p.readValueAs(Map.class));
                }
                p.skipChildren();
            }
            return Optional.empty();
        } catch (IOException e) {
            // an unreadable metadata.json is not a match; resolve and promote refuse that version with the reason
            LOG.warn("registry: cannot read '{}' ({}); ignoring it when looking for an earlier publish", file, e.toString());
            return Optional.empty();
        }
    }

    /**
     * Deletes what dead publishers left: staging folders, half-removed versions and temporary alias files, in
     * every model whose lock no live publisher (of any process) holds; models being published are skipped.
     *
     * @return how many leftovers were deleted
     */
    public int cleanStaleStaging() throws IOException {
        int cleaned = 0;
        for (String name : names()) {
            Path modelDir = modelDir(name);
            synchronized (modelLock(modelDir)) {
                try (FileChannel lockFile = openLock(modelDir); FileLock lock = lockFile.tryLock()) {
                    if (lock != null) {
                        cleaned += cleanLeftovers(modelDir);
                    }
                }
            }
        }
        return cleaned;
    }

    /** Deletes the leftovers in a model folder whose lock the caller holds. */
    private static int cleanLeftovers(Path modelDir) throws IOException {
        List<Path> leftovers;
        try (Stream<Path> s = Files.list(modelDir)) {
            leftovers = s.filter(p -> {
                String f = p.getFileName().toString();
                return f.startsWith(STAGING_PREFIX) || f.startsWith(TRASH_PREFIX) || f.contains(DurableFiles.TEMP_MARK);
            }).toList();
        }
        for (Path p : leftovers) {
            DurableFiles.deleteRecursively(p);
            LOG.info("registry: deleted '{}', left by a publish that did not finish", p);
        }
        return leftovers.size();
    }

    /** This JVM's monitor for a model folder, whatever path spelling reached it. */
    private static Object modelLock(Path modelDir) {
        return MODEL_LOCKS.computeIfAbsent(modelDir.toAbsolutePath().normalize(), dir -> new Object());
    }

    private static FileChannel openLock(Path modelDir) throws IOException {
        return FileChannel.open(modelDir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    /**
     * Points an alias at an existing version (promote), remembering the previous target for
     * {@link #rollback}.
     *
     * @throws ConfigurationException when the version does not exist or is not whole
     */
    public void promote(String name, String alias, int version) throws IOException {
        Path modelDir = existingModel(name);
        synchronized (modelLock(modelDir)) {
            try (FileChannel lockFile = openLock(modelDir); FileLock ignored = lockFile.lock()) {
                if (!versions(name).contains(version)) {
                    throw new ConfigurationException("models: no version " + version + " of '" + name + "'; expected one of "
                            + versions(name));
                }
                requireWhole(name, version, true);
                pointAliases(name, List.of(alias), version);
            }
        }
    }

    /**
     * Moves an alias back to the version it pointed to before its last move.
     *
     * @return the version the alias points to now
     * @throws ConfigurationException when the alias has no earlier version, or that version no longer exists or
     *                                is not whole
     */
    public int rollback(String name, String alias) throws IOException {
        Path modelDir = existingModel(name);
        synchronized (modelLock(modelDir)) {
            try (FileChannel lockFile = openLock(modelDir); FileLock ignored = lockFile.lock()) {
                Map<String, List<Integer>> history = history(name);
                List<Integer> stack = history.getOrDefault(alias, new ArrayList<>());
                Integer now = aliases(name).get(alias);
                // entries after the current target are moves that did not complete (a failed write): not history
                while (now != null && !stack.isEmpty() && !stack.get(stack.size() - 1).equals(now) && stack.contains(now)) {
                    stack.remove(stack.size() - 1);
                }
                if (stack.size() < 2) {
                    throw new ConfigurationException("models: alias '" + alias + "' of '" + name + "' has no earlier "
                            + "version to roll back to; expected an alias moved at least twice (history " + stack + ")");
                }
                stack.remove(stack.size() - 1);
                int previous = stack.get(stack.size() - 1);
                if (!versions(name).contains(previous)) {
                    throw new ConfigurationException("models: cannot roll back alias '" + alias + "' of '" + name
                            + "' to version " + previous + ": it no longer exists '" + versionPath(name, previous)
                            + "'; expected an existing version; promote one of " + versions(name) + " instead");
                }
                requireWhole(name, previous, true);
                Map<String, Integer> current = aliases(name);
                current.put(alias, previous);
                writeAliases(modelDir, history, current);
                return previous;
            }
        }
    }

    /** Every move of every alias, oldest first: alias to the versions it pointed at. */
    public Map<String, List<Integer>> history(String name) {
        Path file = modelDir(name).resolve(HISTORY_FILE);
        if (!Files.isRegularFile(file)) {
            return new TreeMap<>();
        }
        try {
            Map<String, List<Integer>> read = JSON.readValue(file.toFile(), HISTORY);
            return read == null ? new TreeMap<>() : new TreeMap<>(read);
        } catch (IOException e) {
            throw unreadable(name, file, e, "a JSON object of alias to the versions it pointed at, such as "
                    + "{\"champion\": [1, 3]}; delete the file to forget the history (rollback then has nothing to undo)");
        }
    }

    /** Points aliases at a version; on failure both alias files are as they were. Caller holds the lock. */
    private void pointAliases(String name, List<String> aliases, int version) throws IOException {
        if (aliases.isEmpty()) {
            return;
        }
        Path modelDir = modelDir(name);
        Map<String, List<Integer>> history = history(name);
        Map<String, Integer> current = aliases(name);
        for (String alias : aliases) {
            history.computeIfAbsent(alias, a -> new ArrayList<>()).add(version);
            current.put(alias, version);
        }
        writeAliases(modelDir, history, current);
    }

    /** Writes the history, then the aliases (the commit point); a failure restores both files' old bytes. */
    private void writeAliases(Path modelDir, Map<String, List<Integer>> history, Map<String, Integer> aliases)
            throws IOException {
        Path historyFile = modelDir.resolve(HISTORY_FILE);
        Path aliasesFile = modelDir.resolve(ALIASES_FILE);
        byte[] oldHistory = readIfPresent(historyFile);
        byte[] oldAliases = readIfPresent(aliasesFile);
        try {
            DurableFiles.writeAtomically(io, historyFile, JSON.writeValueAsBytes(history));
            DurableFiles.writeAtomically(io, aliasesFile, JSON.writeValueAsBytes(aliases));
        } catch (IOException | RuntimeException e) {
            restore(historyFile, oldHistory, e);
            restore(aliasesFile, oldAliases, e);
            throw e;
        }
    }

    private void restore(Path file, byte[] old, Exception cause) {
        try {
            byte[] now = readIfPresent(file);
            if (Arrays.equals(now, old)) {
                return;
            }
            if (old == null) {
                Files.deleteIfExists(file);
            } else {
                DurableFiles.writeAtomically(io, file, old);
            }
        } catch (IOException e) {
            cause.addSuppressed(new IOException("could not restore '" + file + "'", e));
        }
    }

    private static byte[] readIfPresent(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Version numbers of a model, ascending; empty when the model does not exist. */
    public List<Integer> versions(String name) {
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

    /** Model names in the registry, sorted. */
    public List<String> names() {
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

    /** Every model with its versions and aliases; a model whose files cannot be read carries the reason instead. */
    public List<ModelSummary> summaries() {
        List<ModelSummary> out = new ArrayList<>();
        for (String name : names()) {
            try {
                out.add(new ModelSummary(name, versions(name), aliases(name), null));
            } catch (RuntimeException e) {
                out.add(new ModelSummary(name, List.of(), Map.of(), e.getMessage()));
            }
        }
        return out;
    }

    /**
     * The aliases of a model: alias to version.
     *
     * @throws ConfigurationException when aliases.json is not readable JSON (the message names the file and the fix)
     */
    public Map<String, Integer> aliases(String name) {
        Path file = modelDir(name).resolve(ALIASES_FILE);
        if (!Files.isRegularFile(file)) {
            return new TreeMap<>();
        }
        try {
            Map<String, Integer> read = JSON.readValue(file.toFile(), ALIASES);
            if (read == null || read.containsValue(null)) {
                throw new IOException("not an object of alias to version number");
            }
            return new TreeMap<>(read);
        } catch (IOException e) {
            throw unreadable(name, file, e, "a JSON object of alias to version, such as {\"champion\": 3}; "
                    + "rewrite it, or delete it and run 'graft models promote " + name + " <version>'");
        }
    }

    /**
     * Finds a version by alias ({@code champion}), number ({@code 3}) or {@code latest}.
     *
     * @return empty when the model, alias or version does not exist
     * @throws ConfigurationException when the name is not a model name, or the version found is not whole
     */
    public Optional<ResolvedModel> resolve(String name, String ref) {
        List<Integer> versions = versions(name);
        if (versions.isEmpty()) {
            return Optional.empty();
        }
        Integer version;
        if (ref.equals("latest")) {
            version = versions.get(versions.size() - 1);
        } else if (ref.matches("\\d{1,9}")) {
            version = Integer.valueOf(ref);
            if (!versions.contains(version)) {
                return Optional.empty();
            }
        } else {
            version = aliases(name).get(ref);
            if (version == null) {
                return Optional.empty();
            }
            if (!versions.contains(version)) {
                throw new ConfigurationException("registry: alias '" + ref + "' of '" + name + "' points to version "
                        + version + ", which does not exist '" + versionPath(name, version) + "'; expected one of "
                        + versions + "; run 'graft models promote " + name + " <version> --alias " + ref + "'");
            }
        }
        Path dir = requireWhole(name, version, false);
        return Optional.of(new ResolvedModel(name, version, dir.resolve(MODEL_FILE), dir));
    }

    /**
     * The metadata of a version as a JSON tree.
     *
     * @throws ConfigurationException when the file is missing, truncated or not JSON (the message names it)
     */
    public Map<String, Object> metadata(String name, int version) throws IOException {
        Path file = versionPath(name, version).resolve(METADATA_FILE);
        try {
            Map<String, Object> read = JSON.readValue(file.toFile(), METADATA);
            if (read == null) {
                throw new IOException("empty");
            }
            return read;
        } catch (IOException e) {
            throw unreadable(name, file, e, "the JSON object the publish step wrote; restore the version's folder "
                    + "or promote another version");
        }
    }

    /**
     * The folder of a version that is whole: inside the registry (links out are refused), with non-empty
     * model.zip and metadata.json, and with {@code deep}, a metadata.json that parses.
     */
    private Path requireWhole(String name, int version, boolean deep) {
        Path dir = versionPath(name, version);
        for (String file : List.of(MODEL_FILE, METADATA_FILE)) {
            Path f = dir.resolve(file);
            String problem = !Files.exists(f) ? "is missing" : !Files.isRegularFile(f) ? "is not a file"
                    : !Files.isReadable(f) ? "is not readable" : size(f) == 0 ? "is empty" : null;
            if (problem != null) {
                throw new ConfigurationException("registry: version " + version + " of '" + name + "' is not whole: '"
                        + f + "' " + problem + "; expected " + MODEL_FILE + " and " + METADATA_FILE
                        + " in it; promote another version of " + versions(name));
            }
        }
        if (deep) {
            try {
                metadata(name, version);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    private static ConfigurationException unreadable(String name, Path file, IOException e, String expected) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
        return new ConfigurationException("registry: cannot read '" + file + "' of model '" + name + "' (" + why
                + "); expected " + expected, e);
    }

    /** The folder of a model that exists. */
    private Path existingModel(String name) {
        Path dir = modelDir(name);
        if (!Files.isDirectory(dir.resolve("versions"))) {
            throw new ConfigurationException("models: no model '" + name + "' in '" + root + "'; expected one of "
                    + names());
        }
        return dir;
    }

    /** The folder of a model, after checking that the name is one and that the folder lies inside the registry. */
    private Path modelDir(String name) {
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
    private Path versionPath(String name, int version) {
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
