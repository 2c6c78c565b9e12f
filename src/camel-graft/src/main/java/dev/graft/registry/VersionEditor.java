package dev.graft.registry;

import dev.graft.io.DurableFiles;
import dev.graft.io.FileWrites;
import dev.graft.registry.VersionNotes.Note;
import dev.graft.spi.ConfigurationException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Reads versions as people see them ({@link VersionInfo}) and edits what may change after a publish: tags,
 * description, archived; deletes versions no alias points to. Callers of the edits hold the model's lock.
 */
record VersionEditor(RegistryPaths paths, RegistryReader reader, AliasWriter aliases, VersionNotes notes,
                     FileWrites io) {

    /** Every version of a model, ascending. */
    List<VersionInfo> infos(String name) {
        Map<Integer, Note> all = notes.read(name);
        Map<String, Integer> pointing = reader.aliases(name);
        List<VersionInfo> out = new ArrayList<>();
        for (int version : paths.versions(name)) {
            out.add(info(name, version, all.getOrDefault(version, Note.NONE), pointing));
        }
        return out;
    }

    VersionInfo info(String name, int version) {
        requireVersion(name, version);
        return info(name, version, notes.read(name).getOrDefault(version, Note.NONE), reader.aliases(name));
    }

    private VersionInfo info(String name, int version, Note note, Map<String, Integer> pointing) {
        Map<String, Object> metadata;
        String error = null;
        try {
            metadata = reader.metadata(name, version);
        } catch (ConfigurationException e) {
            metadata = Map.of();
            error = e.getMessage();
        }
        List<String> aliasesOf = pointing.entrySet().stream().filter(e -> e.getValue() == version)
                .map(Map.Entry::getKey).sorted().toList();
        List<String> tags = note.tags() != null ? note.tags()
                : metadata.get(VersionInfo.TAGS_FIELD) instanceof List<?> l ? l.stream().map(String::valueOf).toList()
                : List.of();
        String description = note.description() != null ? note.description()
                : metadata.get(VersionInfo.DESCRIPTION_FIELD) instanceof String s ? s : "";
        return new VersionInfo(name, version, aliasesOf, tags, description, note.archived(), metadata, error);
    }

    void tag(String name, int version, List<String> add, List<String> remove) throws IOException {
        VersionInfo v = info(name, version);
        List<String> tags = new ArrayList<>(v.tags());
        tags.removeAll(remove);
        tags.addAll(add);
        Note old = notes.read(name).getOrDefault(version, Note.NONE);
        notes.write(name, version, new Note(VersionNotes.checkTags(tags), old.description(), old.archived()));
    }

    void describe(String name, int version, String text) throws IOException {
        requireVersion(name, version);
        Note old = notes.read(name).getOrDefault(version, Note.NONE);
        notes.write(name, version, new Note(old.tags(), VersionNotes.checkDescription(text), old.archived()));
    }

    void archive(String name, int version, boolean archived) throws IOException {
        VersionInfo v = info(name, version);
        if (archived) {
            refusePointedTo(v, "archive");
        }
        Note old = notes.read(name).getOrDefault(version, Note.NONE);
        notes.write(name, version, new Note(old.tags(), old.description(), archived));
    }

    /** Deletes a version: its folder renamed aside, then removed; its note and alias history entries forgotten. */
    void delete(String name, int version) throws IOException {
        VersionInfo v = info(name, version);
        refusePointedTo(v, "delete");
        Path dir = paths.versionPath(name, version);
        notes.recordDeleted(name, version); // first: a crash after it leaves the version, its number never reused
        Path trash = paths.modelDir(name).resolve(VersionPublisher.TRASH_PREFIX + UUID.randomUUID());
        io.move(dir, trash, false);
        io.syncDirectory(dir.getParent());
        aliases.forget(name, version);
        notes.write(name, version, Note.NONE);
        DurableFiles.deleteRecursively(trash);
    }

    /** Refuses a version that is archived, for promotion. */
    void refuseArchived(String name, int version) {
        if (notes.read(name).getOrDefault(version, Note.NONE).archived()) {
            throw new ConfigurationException("models: version " + version + " of '" + name + "' is archived; expected "
                    + "a version in use; unarchive it first ('graft models archive " + name + " " + version + " --undo')");
        }
    }

    private static void refusePointedTo(VersionInfo v, String what) {
        if (!v.aliases().isEmpty()) {
            throw new ConfigurationException("models: cannot " + what + " version " + v.version() + " of '" + v.name()
                    + "': aliases " + v.aliases() + " point to it; expected a version no alias points to; promote "
                    + "another version to " + v.aliases() + " first");
        }
    }

    private void requireVersion(String name, int version) {
        List<Integer> versions = paths.versions(name);
        if (!versions.contains(version)) {
            paths.existingModel(name);
            throw new ConfigurationException("models: no version " + version + " of '" + name + "'; expected one of "
                    + versions);
        }
    }
}
