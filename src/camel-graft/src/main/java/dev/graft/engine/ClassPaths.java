package dev.graft.engine;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** The JVM's class path with jar manifests' Class-Path entries expanded, for compiling source plugins. */
final class ClassPaths {

    private ClassPaths() {
    }

    /**
     * The entries of {@code java.class.path} plus, recursively, those named in each jar's manifest
     * {@code Class-Path} (how {@code java -jar graft.jar} and test runners pass the libraries), plus the jar or
     * folder Graft itself was loaded from (under spark-submit, the application jar, which is not on
     * {@code java.class.path}).
     */
    static String current() {
        Set<Path> seen = new LinkedHashSet<>();
        Deque<Path> todo = new ArrayDeque<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                todo.add(Path.of(entry).toAbsolutePath().normalize());
            }
        }
        ownLocation().ifPresent(todo::add);
        while (!todo.isEmpty()) {
            Path p = todo.pop();
            if (!seen.add(p) || !p.toString().endsWith(".jar") || !Files.isRegularFile(p)) {
                continue;
            }
            try (JarFile jar = new JarFile(p.toFile())) {
                Manifest manifest = jar.getManifest();
                String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                if (classPath == null) {
                    continue;
                }
                for (String item : classPath.trim().split("\\s+")) {
                    todo.add(resolve(p.getParent(), item));
                }
            } catch (IOException | RuntimeException e) {
                // an unreadable jar contributes only itself; javac reports anything then missing
            }
        }
        StringBuilder out = new StringBuilder();
        for (Path p : seen) {
            if (Files.exists(p)) {
                out.append(out.length() == 0 ? "" : File.pathSeparator).append(p);
            }
        }
        return out.toString();
    }

    private static Optional<Path> ownLocation() {
        CodeSource source = ClassPaths.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(source.getLocation().toURI()).toAbsolutePath().normalize());
        } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return Optional.empty(); // not a file (a nested or remote jar): javac reports what is then missing
        }
    }

    private static Path resolve(Path base, String item) {
        if (item.startsWith("file:")) {
            return Path.of(URI.create(item)).toAbsolutePath().normalize();
        }
        return base.resolve(item).toAbsolutePath().normalize();
    }
}
