package dev.graft.registry;

import static dev.graft.registry.ModelRegistry.ALIASES_FILE;
import static dev.graft.registry.ModelRegistry.HISTORY_FILE;
import static dev.graft.registry.ModelRegistry.METADATA_FILE;
import static dev.graft.registry.ModelRegistry.MODEL_FILE;
import static dev.graft.registry.ModelRegistry.PUBLISH_FIELD;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.graft.spi.ConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a registry's JSON files (aliases, alias history, version metadata) and checks that a version is whole;
 * a file that does not read is a {@link ConfigurationException} naming it and the fix.
 */
final class RegistryReader {

    /** How the registry writes its JSON files: indented, for people to read. */
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
    private static final JavaType ALIASES = JSON.getTypeFactory().constructMapType(TreeMap.class, String.class,
            Integer.class);
    private static final JavaType HISTORY = JSON.getTypeFactory().constructMapType(TreeMap.class,
            JSON.getTypeFactory().constructType(String.class),
            JSON.getTypeFactory().constructCollectionType(ArrayList.class, Integer.class));
    private static final JavaType METADATA = JSON.getTypeFactory().constructMapType(LinkedHashMap.class,
            String.class, Object.class);

    private final RegistryPaths paths;

    RegistryReader(RegistryPaths paths) {
        this.paths = paths;
    }

    /** The aliases of a model: alias to version. */
    Map<String, Integer> aliases(String name) {
        Path file = paths.modelDir(name).resolve(ALIASES_FILE);
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

    /** Every move of every alias, oldest first: alias to the versions it pointed at. */
    Map<String, List<Integer>> history(String name) {
        Path file = paths.modelDir(name).resolve(HISTORY_FILE);
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

    /** The metadata of a version as a JSON tree. */
    Map<String, Object> metadata(String name, int version) {
        Path file = paths.versionPath(name, version).resolve(METADATA_FILE);
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

    /** The {@value ModelRegistry#PUBLISH_FIELD} object of a version's metadata, read without parsing the rest; empty when absent. */
    Optional<Map<?, ?>> publishRecord(String name, int version) {
        Path file = paths.versionPath(name, version).resolve(METADATA_FILE);
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
     * The folder of a version that is whole: inside the registry (links out are refused), with non-empty
     * model.zip and metadata.json, and with {@code deep}, a metadata.json that parses.
     */
    Path requireWhole(String name, int version, boolean deep) {
        Path dir = paths.versionPath(name, version);
        for (String file : List.of(MODEL_FILE, METADATA_FILE)) {
            Path f = dir.resolve(file);
            String problem = !Files.exists(f) ? "is missing" : !Files.isRegularFile(f) ? "is not a file"
                    : !Files.isReadable(f) ? "is not readable" : size(f) == 0 ? "is empty" : null;
            if (problem != null) {
                throw new ConfigurationException("registry: version " + version + " of '" + name + "' is not whole: '"
                        + f + "' " + problem + "; expected " + MODEL_FILE + " and " + METADATA_FILE
                        + " in it; promote another version of " + paths.versions(name));
            }
        }
        if (deep) {
            metadata(name, version);
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

    /** Reads a file's bytes; null when it does not exist. */
    static byte[] readIfPresent(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }
}
