package dev.graft.registry;

import static dev.graft.registry.ModelRegistry.METADATA_FILE;
import static dev.graft.registry.ModelRegistry.MODEL_FILE;
import static dev.graft.registry.ModelRegistry.PUBLISH_FIELD;
import static dev.graft.registry.RegistryReader.JSON;

import dev.graft.io.DurableFiles;
import dev.graft.io.FileWrites;
import dev.graft.spi.PublishedVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes new versions: into a staging folder, forced to the device, renamed into place atomically, then the
 * aliases moved; adopts the version an earlier publish of the same key wrote; deletes what dead publishers left.
 * Callers hold the model's lock.
 */
final class VersionPublisher {

    static final String STAGING_PREFIX = ".staging-";
    static final String TRASH_PREFIX = ".trash-";

    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

    private final RegistryPaths paths;
    private final RegistryReader reader;
    private final AliasWriter aliases;
    private final FileWrites io;
    private final VersionNotes notes;

    VersionPublisher(RegistryPaths paths, RegistryReader reader, AliasWriter aliases, FileWrites io) {
        this.paths = paths;
        this.reader = reader;
        this.aliases = aliases;
        this.io = io;
        this.notes = new VersionNotes(paths, io);
    }

    /** Publishes a new version, or adopts the one an earlier publish of {@code key} wrote (key null: always new). */
    PublishedVersion publish(String name, Path modelDir, ModelRegistry.ModelWriter writer,
                             Map<String, Object> metadata, List<String> aliases, ModelRegistry.PublishKey key)
            throws IOException {
        cleanLeftovers(modelDir); // the lock is ours: whatever staging is there, its publisher is dead
        if (key != null) {
            Optional<Integer> earlier = findPublished(name, key);
            if (earlier.isPresent()) {
                return adopt(name, earlier.get());
            }
        }
        return publishNew(name, modelDir, writer, metadata, aliases, key);
    }

    private PublishedVersion publishNew(String name, Path modelDir, ModelRegistry.ModelWriter writer,
                                        Map<String, Object> metadata, List<String> aliases,
                                        ModelRegistry.PublishKey key) throws IOException {
        Path versions = modelDir.resolve("versions");
        // a deleted version's number is never given to another: runs and lineage name versions by number
        int version = java.util.stream.Stream.concat(paths.versions(name).stream(), notes.deleted(name).stream())
                .mapToInt(Integer::intValue).max().orElse(0) + 1;
        Path staging = modelDir.resolve(STAGING_PREFIX + UUID.randomUUID());
        Path target = versions.resolve(String.valueOf(version));
        try {
            io.createDirectories(staging);
            io.write(staging.resolve(MODEL_FILE), writer::write);
            byte[] json = JSON.writeValueAsBytes(metadata(name, version, metadata, aliases, key));
            io.write(staging.resolve(METADATA_FILE), f -> Files.write(f, json));
            io.syncDirectory(staging);
            io.move(staging, target, false);
            try {
                io.syncDirectory(versions);
                this.aliases.point(name, aliases, version);
            } catch (IOException | RuntimeException e) {
                unpublish(target, e);
                throw e;
            }
            return new PublishedVersion(name, version, target, aliases);
        } finally {
            DurableFiles.deleteRecursively(staging);
        }
    }

    /** metadata.json: name, version and the publish's identity first, then the caller's fields. */
    private static Map<String, Object> metadata(String name, int version, Map<String, Object> metadata,
                                                List<String> aliases, ModelRegistry.PublishKey key) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", name);
        meta.put("version", version);
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("runId", key == null ? null : key.runId());
        identity.put("routeId", key == null ? null : key.routeId());
        identity.put("dropSha256", key == null ? null : key.dropSha256());
        identity.put("aliases", List.copyOf(aliases));
        meta.put(PUBLISH_FIELD, identity);
        metadata.forEach(meta::putIfAbsent);
        return meta;
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
        Map<?, ?> recorded = reader.publishRecord(name, version).orElse(Map.of());
        List<String> intended = recorded.get("aliases") instanceof List<?> l
                ? l.stream().map(String::valueOf).toList() : List.of();
        Map<String, Integer> current = reader.aliases(name);
        // move an alias as the interrupted publish would have, unless a later publish has moved it since
        List<String> move = intended.stream().filter(a -> current.getOrDefault(a, 0) < version).toList();
        aliases.point(name, move, version);
        List<String> pointing = intended.stream().filter(a -> reader.aliases(name).getOrDefault(a, 0) == version)
                .toList();
        LOG.info("registry: {} v{} was already published for this run or drop (run {}); adopted it, aliases {}",
                name, version, recorded.get("runId"), pointing);
        return new PublishedVersion(name, version, paths.versionPath(name, version), pointing, true);
    }

    /** The newest version of {@code name} that carries {@code key}. */
    Optional<Integer> findPublished(String name, ModelRegistry.PublishKey key) {
        List<Integer> all = new ArrayList<>(paths.versions(name));
        for (int i = all.size() - 1; i >= 0; i--) {
            Optional<Map<?, ?>> recorded = reader.publishRecord(name, all.get(i));
            if (recorded.isPresent() && key.matches(recorded.get())) {
                return Optional.of(all.get(i));
            }
        }
        return Optional.empty();
    }

    /** Deletes the leftovers in a model folder whose lock the caller holds. */
    static int cleanLeftovers(Path modelDir) throws IOException {
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
}
