package dev.graft.engine;

import dev.graft.io.DurableFiles;
import dev.graft.spi.Step;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads plugin steps from a folder: each {@code *.jar} (steps listed in its
 * {@code META-INF/services/dev.graft.spi.Step}), each single-file {@code *.java} source, and each
 * sub-folder (its sources compiled together, its jars loaded). Every plugin gets its own class loader whose
 * parent is Graft's, so plugins see Graft's API but not each other. A plugin that fails is reported,
 * never fatal.
 */
final class PluginLoader {

    private static final Logger LOG = LoggerFactory.getLogger(PluginLoader.class);

    private static final Pattern PACKAGE = Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;");
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "(?m)^\\s*public\\s+(?:final\\s+|abstract\\s+|sealed\\s+)*(?:class|record|enum|interface)\\s+(\\w+)");
    static final String SPI_VERSION_ATTRIBUTE = "Graft-Spi-Version";

    /** A step and the plugin file it came from. */
    record PluginStep(Step step, String origin) {
    }

    /** What a folder yielded: the steps and, per failed plugin, why. */
    record Loaded(List<PluginStep> steps, List<String> problems) {
    }

    private PluginLoader() {
    }

    static Loaded load(Path folder, ClassLoader parent) {
        List<PluginStep> steps = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return new Loaded(steps, problems);
        }
        for (Path entry : list(folder)) {
            String name = entry.getFileName().toString();
            if (name.startsWith(".")) {
                continue;
            }
            try {
                if (Files.isDirectory(entry)) {
                    List<Path> sources = list(entry).stream().filter(p -> p.toString().endsWith(".java")).toList();
                    if (!sources.isEmpty()) {
                        steps.addAll(fromSources(entry, sources, parent));
                    }
                    for (Path jar : list(entry).stream().filter(p -> p.toString().endsWith(".jar")).toList()) {
                        steps.addAll(fromJar(jar, parent));
                    }
                } else if (name.endsWith(".jar")) {
                    steps.addAll(fromJar(entry, parent));
                } else if (name.endsWith(".java")) {
                    steps.addAll(fromSources(entry, List.of(entry), parent));
                }
            } catch (PluginException e) {
                problems.add(e.getMessage());
            }
        }
        return new Loaded(steps, problems);
    }

    private static List<Path> list(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list plugin folder " + folder, e);
        }
    }

    private static List<PluginStep> fromJar(Path jar, ClassLoader parent) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Attributes attributes = file.getManifest() == null ? null : file.getManifest().getMainAttributes();
            String version = attributes == null ? null : attributes.getValue(SPI_VERSION_ATTRIBUTE);
            if (version != null && !version.trim().equals(String.valueOf(Step.SPI_VERSION))) {
                throw new PluginException(jar + ": built against Graft SPI version " + version.trim()
                        + "; expected " + Step.SPI_VERSION + "; rebuild the plugin against this Graft");
            }
        } catch (IOException e) {
            throw new PluginException(jar + ": not a readable jar (" + e.getMessage() + "); expected a jar file", e);
        }
        URLClassLoader loader = new URLClassLoader("plugin " + jar.getFileName(), new URL[] {url(jar)}, parent);
        List<PluginStep> steps = new ArrayList<>();
        try {
            for (ServiceLoader.Provider<Step> provider : ServiceLoader.load(Step.class, loader).stream().toList()) {
                if (provider.type().getClassLoader() == loader) {
                    steps.add(new PluginStep(instantiate(jar, provider.type()), jar.toString()));
                }
            }
        } catch (ServiceConfigurationError | LinkageError e) {
            throw new PluginException(jar + ": cannot load its steps (" + rootMessage(e) + "); expected classes "
                    + "implementing dev.graft.spi.Step built against Graft's SPI version " + Step.SPI_VERSION, e);
        }
        if (steps.isEmpty()) {
            throw new PluginException(jar + ": registers no step; expected META-INF/services/dev.graft.spi.Step "
                    + "listing its dev.graft.spi.Step classes");
        }
        return steps;
    }

    private static List<PluginStep> fromSources(Path plugin, List<Path> sources, ClassLoader parent) {
        Map<Path, String> texts = new java.util.LinkedHashMap<>();
        for (Path source : sources) {
            try {
                texts.put(source, Files.readString(source, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new PluginException(source + ": cannot read (" + e.getMessage() + ")", e);
            }
        }
        Path cached = compiledRoot().resolve(compileKey(plugin, texts));
        Path out;
        if (Files.isDirectory(cached)) {
            out = cached;
            cached.toFile().setLastModified(System.currentTimeMillis()); // recently used: kept by the pruning
        } else {
            out = compile(plugin, texts, cached);
            // javac grew the heap by a few hundred MB of garbage; hand it back before any training runs
            System.gc();
        }
        URLClassLoader loader = new URLClassLoader("plugin " + plugin.getFileName(), new URL[] {url(out)}, parent);
        List<PluginStep> steps = new ArrayList<>();
        List<Path> classes;
        try (Stream<Path> walk = Files.walk(out)) {
            classes = walk.filter(p -> p.toString().endsWith(".class")).sorted().toList();
        } catch (IOException e) {
            throw new PluginException(plugin + ": cannot list compiled classes: " + e.getMessage(), e);
        }
        for (Path c : classes) {
            String name = out.relativize(c).toString().replaceFirst("\\.class$", "").replace('/', '.');
            Class<?> type;
            try {
                type = Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new PluginException(plugin + ": cannot load compiled class " + name + ": " + rootMessage(e), e);
            }
            if (Step.class.isAssignableFrom(type) && !type.isInterface() && !Modifier.isAbstract(type.getModifiers())
                    && Modifier.isPublic(type.getModifiers())) {
                steps.add(new PluginStep(instantiate(plugin, type.asSubclass(Step.class)), plugin.toString()));
            }
        }
        if (steps.isEmpty()) {
            throw new PluginException(plugin + ": defines no step; expected a public class implementing "
                    + "dev.graft.spi.Step with a public no-argument constructor");
        }
        return steps;
    }

    /**
     * Compiled source plugins are kept here between runs, one folder per key, so a run compiles only plugins
     * whose sources (or Graft, or the JDK) changed since the last; javac costs about a second a plugin. The folder
     * is the user's own ({@link PrivateCacheFolder}: mode 0700, owner checked, never a symbolic link), since Graft
     * loads classes from it; when it cannot be trusted, plugins compile into a private folder for this run only.
     */
    static Path compiledRoot() {
        Path folder = PrivateCacheFolder.defaultLocation();
        String[] why = new String[1];
        Optional<Path> open = PrivateCacheFolder.open(folder, why);
        if (open.isPresent()) {
            return open.get();
        }
        synchronized (PluginLoader.class) {
            if (privateFallback == null) {
                LOG.warn("source plugins: not caching compiled plugins in {}: {}; compiling into a private "
                        + "temporary folder for this run instead", folder, why[0]);
                try {
                    privateFallback = Files.createTempDirectory("graft-plugins-",
                            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
                } catch (IOException e) {
                    throw new PluginException("source plugins: cannot create a private folder to compile into: "
                            + e.getMessage(), e);
                }
            }
            return privateFallback;
        }
    }

    /** This run's private compile folder when the user's cache folder cannot be trusted. */
    private static Path privateFallback;

    /** SHA-256 of what the compiled classes depend on: the sources, Graft's class path (paths, sizes, times), the JDK. */
    static String compileKey(Path plugin, Map<Path, String> texts) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            StringBuilder meta = new StringBuilder("graft-plugin-cache-1\n").append(Runtime.version()).append('\n')
                    .append(Step.SPI_VERSION).append('\n');
            for (String entry : ClassPaths.current().split(java.io.File.pathSeparator)) {
                Path p = Path.of(entry);
                meta.append(entry).append(' ');
                if (Files.isRegularFile(p)) {
                    meta.append(Files.size(p)).append(' ').append(Files.getLastModifiedTime(p).toMillis());
                } else if (Files.isDirectory(p)) {
                    try (Stream<Path> walk = Files.walk(p)) {
                        meta.append(walk.filter(Files::isRegularFile).mapToLong(f -> f.toFile().lastModified()).max()
                                .orElse(0));
                    }
                }
                meta.append('\n');
            }
            sha.update(meta.toString().getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<Path, String> e : texts.entrySet()) {
                sha.update(plugin.relativize(e.getKey()).toString().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(e.getValue().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException | IOException e) {
            throw new PluginException(plugin + ": cannot fingerprint the sources to find a compiled copy: "
                    + e.getMessage(), e);
        }
    }

    /** Deletes compiled copies unused for a week (best effort: the folder is a cache). */
    private static void pruneCompiled() {
        long cutoff = System.currentTimeMillis() - java.util.concurrent.TimeUnit.DAYS.toMillis(7);
        try (Stream<Path> entries = Files.list(compiledRoot())) {
            for (Path entry : entries.filter(e -> e.toFile().lastModified() < cutoff).toList()) {
                try {
                    DurableFiles.deleteRecursively(entry);
                } catch (IOException e) {
                    // left for the next pruning; the other entries are still pruned
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // a cache folder that cannot be tidied is still usable
        }
    }

    /**
     * Compiles a source plugin into {@code target}, atomically: into a sibling folder first, renamed when done,
     * so a half-written folder is never taken for a compiled plugin.
     */
    private static Path compile(Path plugin, Map<Path, String> texts, Path target) {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new PluginException(plugin + ": source plugins need a JDK (javac), but Graft runs on a JRE; "
                    + "run Graft on a JDK 17 or package the plugin as a jar");
        }
        Path out;
        try {
            out = Files.createTempDirectory(target.getParent(), target.getFileName() + ".part-");
        } catch (IOException e) {
            throw new PluginException(plugin + ": cannot create a folder to compile into under " + target.getParent() + ": "
                    + e.getMessage(), e);
        }
        Map<URI, Path> originals = new HashMap<>();
        List<JavaFileObject> units = new ArrayList<>();
        for (Map.Entry<Path, String> entry : texts.entrySet()) {
            Path source = entry.getKey();
            String text = entry.getValue();
            Matcher type = PUBLIC_TYPE.matcher(text);
            String simple = type.find() ? type.group(1)
                    : source.getFileName().toString().replaceFirst("\\.java$", "").replaceAll("\\W", "_");
            Matcher pkg = PACKAGE.matcher(text);
            String path = (pkg.find() ? pkg.group(1).replace('.', '/') + "/" : "") + simple + ".java";
            URI uri = URI.create("string:///" + path);
            originals.put(uri, source);
            units.add(new SimpleJavaFileObject(uri, JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return text;
                }
            });
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> options = List.of("-d", out.toString(), "-classpath", ClassPaths.current(), "--release", "17",
                "-proc:none", "-encoding", "UTF-8");
        boolean ok;
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            ok = compiler.getTask(null, files, diagnostics, options, null, units).call();
        } catch (IOException e) {
            throw new PluginException(plugin + ": compiler failed: " + e.getMessage(), e);
        }
        if (!ok) {
            List<String> errors = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    Path file = d.getSource() == null ? plugin : originals.getOrDefault(d.getSource().toUri(), plugin);
                    errors.add(file + ":" + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT));
                }
            }
            throw new PluginException(plugin + ": does not compile against Graft's API: " + String.join("; ", errors)
                    + "; fix the source or remove it from the plugins folder");
        }
        pruneCompiled();
        try {
            Files.move(out, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            // another Graft compiled the same sources first (or the move is refused): use this copy
            return out;
        }
    }

    private static Step instantiate(Path plugin, Class<? extends Step> type) {
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            throw new PluginException(plugin + ": cannot create step " + type.getName() + " (" + rootMessage(e)
                    + "); expected a public no-argument constructor that does not throw", e);
        }
    }

    private static URL url(Path path) {
        try {
            return path.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new PluginException(path + ": not a valid location: " + e.getMessage(), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.toString();
    }

    /** One plugin's failure; carries the message for {@link Loaded#problems()}. */
    static final class PluginException extends RuntimeException {
        PluginException(String message) {
            super(message);
        }

        PluginException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
