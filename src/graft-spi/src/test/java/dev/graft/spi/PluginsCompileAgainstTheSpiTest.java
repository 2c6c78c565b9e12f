package dev.graft.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin guide's promise, enforced: the shipped plugins and the guide's example compile with this module's
 * class path alone (the SPI and what it depends on: DL4J, ND4J, SLF4J), nothing of Graft's engine.
 */
class PluginsCompileAgainstTheSpiTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void theShippedPluginsCompileAgainstTheSpiAlone(@TempDir Path out) throws IOException {
        List<Path> sources;
        try (Stream<Path> walk = Files.walk(ROOT.resolve("plugins"))) {
            sources = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        assertThat(sources).extracting(p -> p.getFileName().toString())
                .contains("AugmentImagesStep.java", "NotifyWebhookStep.java");
        assertThat(compile(sources, out)).isEmpty();
    }

    @Test
    void thePluginGuidesExampleCompilesAgainstTheSpiAlone(@TempDir Path dir) throws IOException {
        String guide = Files.readString(ROOT.resolve("plugins/README.md"));
        Matcher example = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(guide);
        assertThat(example.find()).as("a java example in plugins/README.md").isTrue();
        Path source = Files.writeString(dir.resolve("StampStep.java"), example.group(1));
        assertThat(compile(List.of(source), Files.createDirectory(dir.resolve("classes")))).isEmpty();
    }

    @Test
    void aPluginThatReachesIntoGraftsEngineDoesNotCompile(@TempDir Path dir) throws IOException {
        Path source = Files.writeString(dir.resolve("Reaching.java"), """
                import dev.graft.engine.StepRegistry;
                public final class Reaching {
                    StepRegistry registry;
                }
                """);
        assertThat(compile(List.of(source), Files.createDirectory(dir.resolve("classes"))))
                .contains("package dev.graft.engine does not exist");
    }

    /** Compiles with this test's class path (graft-spi's classes and dependencies); returns the diagnostics. */
    private static String compile(List<Path> sources, Path out) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null)) {
            Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(sources);
            List<String> options = new ArrayList<>(List.of("-d", out.toString(), "-proc:none",
                    "-classpath", System.getProperty("java.class.path")));
            boolean ok = javac.getTask(errors, files, null, options, null, units).call();
            return ok ? "" : errors.toString();
        }
    }
}
