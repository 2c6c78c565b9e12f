package dev.graft.registry;

import static dev.graft.registry.RegistryReader.JSON;

import com.fasterxml.jackson.databind.JavaType;
import dev.graft.io.DurableFiles;
import dev.graft.io.FileWrites;
import dev.graft.spi.ConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What people say about versions after publishing them: tags, a description and whether a version is archived,
 * kept in {@code <model>/notes.json} (version number to note), replaced atomically. A note's tags and description
 * win over those metadata.json recorded at publish; metadata.json is never rewritten. Writers hold the model's lock.
 */
final class VersionNotes {

    static final String FILE = "notes.json";
    /** The versions deleted, so that their numbers are never given to another version. */
    static final String DELETED_FILE = "deleted.json";
    static final int MAX_TAGS = 32;
    static final int MAX_DESCRIPTION = 2000;
    static final Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    private static final JavaType NOTES = JSON.getTypeFactory().constructMapType(TreeMap.class,
            JSON.getTypeFactory().constructType(String.class), JSON.getTypeFactory().constructType(Note.class));

    /**
     * One version's note.
     *
     * @param tags        null: the tags recorded at publish
     * @param description null: the description recorded at publish
     * @param archived    hidden from listings by default; never promoted
     */
    record Note(List<String> tags, String description, boolean archived) {
        static final Note NONE = new Note(null, null, false);
    }

    private final RegistryPaths paths;
    private final FileWrites io;

    VersionNotes(RegistryPaths paths, FileWrites io) {
        this.paths = paths;
        this.io = io;
    }

    /** Every note of a model, by version. */
    Map<Integer, Note> read(String name) {
        Path file = paths.modelDir(name).resolve(FILE);
        Map<Integer, Note> out = new TreeMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try {
            Map<String, Note> read = JSON.readValue(file.toFile(), NOTES);
            if (read != null) {
                read.forEach((v, note) -> out.put(Integer.valueOf(v), note == null ? Note.NONE : note));
            }
            return out;
        } catch (IOException | NumberFormatException e) {
            throw new ConfigurationException("registry: cannot read '" + file + "' of model '" + name + "' (" + e
                    .getMessage().lines().findFirst().orElse("") + "); expected a JSON object of version to "
                    + "{tags, description, archived}; fix it or delete it to forget the tags and descriptions", e);
        }
    }

    /** Replaces one version's note; a note with nothing in it is removed. */
    void write(String name, int version, Note note) throws IOException {
        Map<Integer, Note> all = read(name);
        if (note.equals(Note.NONE)) {
            all.remove(version);
        } else {
            all.put(version, note);
        }
        Map<String, Note> out = new TreeMap<>();
        all.forEach((v, n) -> out.put(String.valueOf(v), n));
        DurableFiles.writeAtomically(io, paths.modelDir(name).resolve(FILE), JSON.writeValueAsBytes(out));
    }

    /** The version numbers deleted from a model, ascending; empty when none were. */
    List<Integer> deleted(String name) {
        Path file = paths.modelDir(name).resolve(DELETED_FILE);
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            return List.of(JSON.readValue(file.toFile(), Integer[].class));
        } catch (IOException | NullPointerException e) {
            throw new ConfigurationException("registry: cannot read '" + file + "' of model '" + name + "' (" + e
                    + "); expected a JSON list of deleted version numbers such as [2, 5]; restore it (deleting it lets "
                    + "a new publish reuse a deleted version's number)", e);
        }
    }

    /** Records a version as deleted, before its folder goes. */
    void recordDeleted(String name, int version) throws IOException {
        java.util.TreeSet<Integer> all = new java.util.TreeSet<>(deleted(name));
        all.add(version);
        DurableFiles.writeAtomically(io, paths.modelDir(name).resolve(DELETED_FILE), JSON.writeValueAsBytes(all));
    }

    /** The tags, checked: at most {@value #MAX_TAGS}, each a plain word; duplicates dropped, order kept. */
    static List<String> checkTags(List<String> tags) {
        Set<String> out = new LinkedHashSet<>();
        for (String tag : tags) {
            String t = tag.trim();
            if (!TAG.matcher(t).matches()) {
                throw new ConfigurationException("registry: bad tag '" + tag + "'; expected 1 to 64 letters, digits, "
                        + "'.', ':', '-' or '_', starting with a letter or digit");
            }
            out.add(t);
        }
        if (out.size() > MAX_TAGS) {
            throw new ConfigurationException("registry: " + out.size() + " tags; expected at most " + MAX_TAGS);
        }
        return new ArrayList<>(out);
    }

    /** The description, checked: at most {@value #MAX_DESCRIPTION} characters, no control characters but newlines. */
    static String checkDescription(String text) {
        if (text.length() > MAX_DESCRIPTION) {
            throw new ConfigurationException("registry: description of " + text.length() + " characters; expected at "
                    + "most " + MAX_DESCRIPTION);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && c != '\n' && c != '\t') {
                throw new ConfigurationException("registry: description holds control character U+"
                        + String.format("%04X", (int) c) + " at " + i + "; expected text and newlines");
            }
        }
        return text;
    }
}
