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
 * @param adopted   true when this publish wrote nothing: the same run or drop had published the version before
 *                  (a run interrupted by a crash, run again)
 */
public record PublishedVersion(String name, int version, Path directory, List<String> aliases, boolean adopted) {

    public PublishedVersion {
        aliases = List.copyOf(aliases);
    }

    /** A version this publish wrote. */
    public PublishedVersion(String name, int version, Path directory, List<String> aliases) {
        this(name, version, directory, aliases, false);
    }
}
