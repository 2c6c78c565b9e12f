package dev.graft.spi;

import java.nio.file.Path;
import java.util.List;

/**
 * A model version written to the registry.
 *
 * @param name      the model name
 * @param version   the version number, from 1
 * @param directory the version's folder, holding model.zip and metadata.json
 * @param aliases   aliases moved to this version by the publish (empty when the verdict failed)
 */
public record PublishedVersion(String name, int version, Path directory, List<String> aliases) {

    public PublishedVersion {
        aliases = List.copyOf(aliases);
    }
}
