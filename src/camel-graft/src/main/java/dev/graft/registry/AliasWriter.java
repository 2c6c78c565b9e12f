package dev.graft.registry;

import static dev.graft.registry.ModelRegistry.ALIASES_FILE;
import static dev.graft.registry.ModelRegistry.HISTORY_FILE;
import static dev.graft.registry.RegistryReader.JSON;
import static dev.graft.registry.RegistryReader.readIfPresent;

import dev.graft.io.DurableFiles;
import dev.graft.io.FileWrites;
import dev.graft.spi.ConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Moves a model's aliases: {@code alias-history.json} first, then {@code aliases.json} (the commit point), each
 * replaced atomically; a failure restores both files' old bytes. Callers hold the model's lock.
 */
final class AliasWriter {

    private final RegistryPaths paths;
    private final RegistryReader reader;
    private final FileWrites io;

    AliasWriter(RegistryPaths paths, RegistryReader reader, FileWrites io) {
        this.paths = paths;
        this.reader = reader;
        this.io = io;
    }

    /** Points aliases at a version; on failure both alias files are as they were. */
    void point(String name, List<String> aliases, int version) throws IOException {
        if (aliases.isEmpty()) {
            return;
        }
        Map<String, List<Integer>> history = reader.history(name);
        Map<String, Integer> current = reader.aliases(name);
        for (String alias : aliases) {
            history.computeIfAbsent(alias, a -> new ArrayList<>()).add(version);
            current.put(alias, version);
        }
        write(paths.modelDir(name), history, current);
    }

    /**
     * Moves an alias back to the version it pointed to before its last move.
     *
     * @return the version the alias points to now
     */
    int rollBack(String name, String alias) throws IOException {
        Map<String, List<Integer>> history = reader.history(name);
        List<Integer> stack = history.getOrDefault(alias, new ArrayList<>());
        Integer now = reader.aliases(name).get(alias);
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
        List<Integer> versions = paths.versions(name);
        if (!versions.contains(previous)) {
            throw new ConfigurationException("models: cannot roll back alias '" + alias + "' of '" + name
                    + "' to version " + previous + ": it no longer exists '" + paths.versionPath(name, previous)
                    + "'; expected an existing version; promote one of " + versions + " instead");
        }
        reader.requireWhole(name, previous, true);
        Map<String, Integer> current = reader.aliases(name);
        current.put(alias, previous);
        write(paths.modelDir(name), history, current);
        return previous;
    }

    /** Forgets a deleted version in the alias history, so that no rollback leads to it; no alias points to it. */
    void forget(String name, int version) throws IOException {
        Map<String, List<Integer>> history = reader.history(name);
        if (history.values().stream().noneMatch(l -> l.contains(version))) {
            return;
        }
        history.values().forEach(l -> l.removeIf(v -> v == version));
        write(paths.modelDir(name), history, reader.aliases(name));
    }

    /** Writes the history, then the aliases (the commit point); a failure restores both files' old bytes. */
    private void write(Path modelDir, Map<String, List<Integer>> history, Map<String, Integer> aliases)
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
}
