package dev.graft.registry;

import dev.graft.io.FileWrites;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.PublishedVersion;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

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
 *
 * <p>This class holds the locking and the public face; {@link RegistryPaths} (names and folders),
 * {@link RegistryReader} (the JSON files, whole versions), {@link AliasWriter} (alias moves) and
 * {@link VersionPublisher} (publish, adopt, leftovers) do the work.
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

    private static final String LOCK_FILE = ".lock";

    /**
     * FileChannel.lock excludes other processes only (two channels of one JVM on one file throw
     * OverlappingFileLockException), so the threads of this JVM are serialised per model folder on one monitor each,
     * shared by every ModelRegistry instance; publishes of different models run in parallel.
     */
    private static final ConcurrentHashMap<Path, Object> MODEL_LOCKS = new ConcurrentHashMap<>();

    private final FileWrites io;
    private final RegistryPaths paths;
    private final RegistryReader reader;
    private final AliasWriter aliasWriter;
    private final VersionPublisher publisher;
    private final VersionEditor editor;

    public ModelRegistry(Path root) {
        this(root, FileWrites.SYSTEM);
    }

    /** A registry whose writes go through {@code io} (tests make them fail as a full disk would). */
    public ModelRegistry(Path root, FileWrites io) {
        this.io = io;
        this.paths = new RegistryPaths(root);
        this.reader = new RegistryReader(paths);
        this.aliasWriter = new AliasWriter(paths, reader, io);
        this.publisher = new VersionPublisher(paths, reader, aliasWriter, io);
        this.editor = new VersionEditor(paths, reader, aliasWriter, new VersionNotes(paths, io), io);
    }

    public Path root() {
        return paths.root();
    }

    /** True when {@code name} can be a model name: letters, digits, '.', '-', '_', starting with a letter or digit. */
    public static boolean isValidName(String name) {
        return RegistryPaths.isValidName(name);
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
        Path modelDir = paths.modelDir(name);
        synchronized (modelLock(modelDir)) {
            io.createDirectories(modelDir.resolve("versions"));
            try (FileChannel lockFile = openLock(modelDir); FileLock ignored = lockFile.lock()) {
                return publisher.publish(name, modelDir, writer, metadata, aliases, key);
            }
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
            Path modelDir = paths.modelDir(name);
            synchronized (modelLock(modelDir)) {
                try (FileChannel lockFile = openLock(modelDir); FileLock lock = lockFile.tryLock()) {
                    if (lock != null) {
                        cleaned += VersionPublisher.cleanLeftovers(modelDir);
                    }
                }
            }
        }
        return cleaned;
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
        locked(name, () -> {
            if (!versions(name).contains(version)) {
                throw new ConfigurationException("models: no version " + version + " of '" + name + "'; expected one of "
                        + versions(name));
            }
            reader.requireWhole(name, version, true);
            editor.refuseArchived(name, version);
            aliasWriter.point(name, List.of(alias), version);
            return null;
        });
    }

    /**
     * Moves an alias back to the version it pointed to before its last move.
     *
     * @return the version the alias points to now
     * @throws ConfigurationException when the alias has no earlier version, or that version no longer exists or
     *                                is not whole
     */
    public int rollback(String name, String alias) throws IOException {
        return locked(name, () -> aliasWriter.rollBack(name, alias));
    }

    /** Work done under a model's lock. */
    @FunctionalInterface
    private interface LockedWork<T> {
        T run() throws IOException;
    }

    /** Runs {@code work} holding the lock of an existing model (this JVM's monitor, then the file lock). */
    private <T> T locked(String name, LockedWork<T> work) throws IOException {
        Path modelDir = paths.existingModel(name);
        synchronized (modelLock(modelDir)) {
            try (FileChannel lockFile = openLock(modelDir); FileLock ignored = lockFile.lock()) {
                return work.run();
            }
        }
    }

    /** One version with its aliases, tags, description and archived flag. */
    public VersionInfo version(String name, int version) {
        return editor.info(name, version);
    }

    /** Every version of a model, ascending, archived ones included. */
    public List<VersionInfo> versionInfos(String name) {
        paths.existingModel(name);
        return editor.infos(name);
    }

    /** The versions of every model that {@code query} finds, by model name then version; unreadable models skipped. */
    public List<VersionInfo> search(VersionQuery query) {
        List<VersionInfo> out = new ArrayList<>();
        for (String name : names()) {
            try {
                editor.infos(name).stream().filter(query::matches).forEach(out::add);
            } catch (ConfigurationException e) {
                // deliberately swallowed: GET /models and 'models list' show the broken model with its reason
                org.slf4j.LoggerFactory.getLogger(ModelRegistry.class).debug("registry: {} not searched ({})", name,
                        e.getMessage());
            }
        }
        return out;
    }

    /** Adds and removes tags of a version (at most 32, each a plain word of up to 64 characters). */
    public void tag(String name, int version, List<String> add, List<String> remove) throws IOException {
        locked(name, () -> {
            editor.tag(name, version, add, remove);
            return null;
        });
    }

    /** Sets a version's description (at most 2000 characters; empty clears it). */
    public void describe(String name, int version, String text) throws IOException {
        locked(name, () -> {
            editor.describe(name, version, text);
            return null;
        });
    }

    /**
     * Archives a version (hidden from searches by default, never promoted) or, with {@code archived} false, takes
     * it back into use.
     *
     * @throws ConfigurationException when archiving a version an alias points to
     */
    public void archive(String name, int version, boolean archived) throws IOException {
        locked(name, () -> {
            editor.archive(name, version, archived);
            return null;
        });
    }

    /**
     * Deletes a version and forgets it in the alias history.
     *
     * @throws ConfigurationException when an alias (the champion, say) points to it
     */
    public void delete(String name, int version) throws IOException {
        locked(name, () -> {
            editor.delete(name, version);
            return null;
        });
    }

    /** Every move of every alias, oldest first: alias to the versions it pointed at. */
    public Map<String, List<Integer>> history(String name) {
        return reader.history(name);
    }

    /** Version numbers of a model, ascending; empty when the model does not exist. */
    public List<Integer> versions(String name) {
        return paths.versions(name);
    }

    /**
     * Whether any model has a version that route {@code routeId} published from a drop with these bytes: a run
     * that was killed after its publish left it, and the drop's next run will adopt it. Unreadable models count
     * as not having one.
     */
    public boolean publishedFrom(String routeId, String dropSha256) {
        PublishKey key = new PublishKey(null, routeId, dropSha256);
        for (String name : names()) {
            try {
                if (publisher.findPublished(name, key).isPresent()) {
                    return true;
                }
            } catch (RuntimeException e) {
                // deliberately swallowed: an unreadable model cannot hold the version asked about
                org.slf4j.LoggerFactory.getLogger(ModelRegistry.class).debug(
                        "registry: model {} not searched for drop {} ({})", name, dropSha256, e.toString());
            }
        }
        return false;
    }

    /** Model names in the registry, sorted. */
    public List<String> names() {
        return paths.names();
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
        return reader.aliases(name);
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
                        + version + ", which does not exist '" + paths.versionPath(name, version) + "'; expected one of "
                        + versions + "; run 'graft models promote " + name + " <version> --alias " + ref + "'");
            }
        }
        Path dir = reader.requireWhole(name, version, false);
        return Optional.of(new ResolvedModel(name, version, dir.resolve(MODEL_FILE), dir));
    }

    /**
     * The metadata of a version as a JSON tree.
     *
     * @throws ConfigurationException when the file is missing, truncated or not JSON (the message names it)
     */
    public Map<String, Object> metadata(String name, int version) throws IOException {
        return reader.metadata(name, version);
    }
}
