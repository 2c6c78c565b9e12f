package dev.graft.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.RunContext;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginLoaderTest {

    @TempDir
    Path plugins;

    @TempDir
    Path work;

    /** A step that records its option in the run's attributes, named and classed as given. */
    private static String stepSource(String className, String stepName) {
        return """
                import dev.graft.spi.*;
                import java.util.List;

                public final class %s implements Step {
                    public String name() { return "%s"; }
                    public String description() { return "Records its message."; }
                    static final OptionSpec<String> MESSAGE = OptionSpec.string("message", "hello", "What to record.");
                    public List<OptionSpec<?>> options() {
                        return List.of(MESSAGE);
                    }
                    public StepAction configure(StepOptions o) {
                        String message = o.get(MESSAGE);
                        return run -> run.attributes().put("%s", message);
                    }
                }
                """.formatted(className, stepName, stepName);
    }

    private Path jarPlugin(String className, String stepName, String spiVersion) throws IOException {
        Path src = Files.createDirectories(work.resolve("src-" + className));
        Path classes = Files.createDirectories(work.resolve("classes-" + className));
        Files.writeString(src.resolve(className + ".java"), stepSource(className, stepName));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), "-classpath",
                ClassPaths.current(), src.resolve(className + ".java").toString());
        assertThat(rc).isZero();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (spiVersion != null) {
            manifest.getMainAttributes().putValue("Graft-Spi-Version", spiVersion);
        }
        Path jar = plugins.resolve(className.toLowerCase() + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new JarEntry("META-INF/services/dev.graft.spi.Step"));
            out.write((className + "\n").getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new JarEntry(className + ".class"));
            out.write(Files.readAllBytes(classes.resolve(className + ".class")));
        }
        return jar;
    }

    private RunContext runRoute(StepRegistry registry, String... steps) throws IOException {
        StringBuilder yaml = new StringBuilder("- route:\n    id: p\n    from:\n      uri: direct:p\n      steps:\n");
        for (String s : steps) {
            yaml.append("        - to: ").append(s).append('\n');
        }
        Path route = Files.writeString(work.resolve("p.yaml"), yaml);
        try (GraftEngine engine = new GraftEngine(registry, Map.of("graft.reports", work.resolve("reports").toString()))) {
            engine.load(route);
            engine.prepareRunOnce();
            return engine.runOnce("p");
        }
    }

    @Test
    void loadsAJarAndASingleFileSourcePluginAndRunsThemInARealRoute() throws IOException {
        jarPlugin("JarStep", "from-jar", String.valueOf(dev.graft.spi.Step.SPI_VERSION));
        Files.writeString(plugins.resolve("SourceStep.java"), stepSource("SourceStep", "from-source"));
        StepRegistry registry = StepRegistry.discover(plugins);
        assertThat(registry.problems()).isEmpty();
        assertThat(registry.names()).contains("from-jar", "from-source", "train");
        assertThat(registry.origin("from-jar")).startsWith("plugin ").endsWith("jarstep.jar");
        assertThat(registry.origin("from-source")).endsWith("SourceStep.java");
        assertThat(registry.origin("train")).startsWith(StepRegistry.BUILT_IN);

        RunContext run = runRoute(registry, "graft:from-jar?message=one", "graft:from-source?message=two");
        assertThat(run.attributes()).containsEntry("from-jar", "one").containsEntry("from-source", "two");
    }

    @Test
    void aSourcePluginIsCompiledOnceAndRecompiledWhenItsSourceChanges() throws IOException {
        Path source = Files.writeString(plugins.resolve("CachedStep.java"), stepSource("CachedStep", "cached"));
        Path compiled = PluginLoader.compiledRoot().resolve(PluginLoader.compileKey(source,
                java.util.Map.of(source, Files.readString(source))));
        assertThat(StepRegistry.discover(plugins).names()).contains("cached");
        assertThat(compiled.resolve("CachedStep.class")).exists();
        java.nio.file.attribute.FileTime first = Files.getLastModifiedTime(compiled.resolve("CachedStep.class"));
        assertThat(StepRegistry.discover(plugins).names()).contains("cached");
        assertThat(Files.getLastModifiedTime(compiled.resolve("CachedStep.class"))).isEqualTo(first);

        Files.writeString(source, stepSource("CachedStep", "cached-again"));
        assertThat(StepRegistry.discover(plugins).names()).contains("cached-again").doesNotContain("cached");
    }

    @Test
    void pluginOptionsAreCheckedWhenTheRouteLoads() throws IOException {
        Files.writeString(plugins.resolve("SourceStep.java"), stepSource("SourceStep", "from-source"));
        StepRegistry registry = StepRegistry.discover(plugins);
        assertThatThrownBy(() -> runRoute(registry, "graft:from-source?mesage=x"))
                .hasMessageContaining("from-source: unknown option 'mesage'; expected one of [message]");
    }

    @Test
    void twoPluginsClaimingOneNameAreReportedAndTheOthersKeepWorking() throws IOException {
        jarPlugin("FirstStep", "same-name", null);
        Files.writeString(plugins.resolve("SecondStep.java"), stepSource("SecondStep", "same-name"));
        Files.writeString(plugins.resolve("OtherStep.java"), stepSource("OtherStep", "other"));
        StepRegistry registry = StepRegistry.discover(plugins);
        assertThat(registry.problems()).singleElement().asString()
                .contains("step name 'same-name' is claimed twice")
                .contains("firststep.jar").contains("SecondStep.java");
        assertThat(registry.names()).contains("same-name", "other", "train");
    }

    @Test
    void aPluginThatDoesNotCompileIsNamedWithItsLineAndTheOthersKeepWorking() throws IOException {
        Files.writeString(plugins.resolve("Broken.java"), "import dev.graft.spi.*;\npublic class Broken implements Step {\n  int x = ;\n}\n");
        Files.writeString(plugins.resolve("OtherStep.java"), stepSource("OtherStep", "other"));
        StepRegistry registry = StepRegistry.discover(plugins);
        assertThat(registry.problems()).singleElement().asString()
                .contains(plugins.resolve("Broken.java") + ": does not compile against Graft's API")
                .contains(plugins.resolve("Broken.java") + ":3:");
        assertThat(registry.names()).contains("other", "train");
        assertThatThrownBy(() -> registry.configure("broken", Map.of()))
                .hasMessageContaining("some plugins failed to load");
    }

    @Test
    void aJarBuiltForAnotherSpiVersionIsRefusedByName() throws IOException {
        jarPlugin("FutureStep", "future", "99");
        StepRegistry registry = StepRegistry.discover(plugins);
        assertThat(registry.problems()).singleElement().asString()
                .contains("futurestep.jar: built against Graft SPI version 99; expected " + dev.graft.spi.Step.SPI_VERSION);
        assertThat(registry.names()).doesNotContain("future");
    }

    @Test
    void aJarWithoutStepsOrWithAMissingClassIsReported() throws IOException {
        Path jar = plugins.resolve("empty.jar");
        try (OutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.flush();
        }
        Path bad = plugins.resolve("bad.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(bad))) {
            out.putNextEntry(new JarEntry("META-INF/services/dev.graft.spi.Step"));
            out.write("NoSuchStep\n".getBytes(StandardCharsets.UTF_8));
        }
        List<String> problems = StepRegistry.discover(plugins).problems();
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("empty.jar: registers no step"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("bad.jar: cannot load its steps"));
    }

    @Test
    void theReadmeExampleStepCompilesAndRuns() throws IOException {
        String readme = Files.readString(Path.of("plugins/README.md"));
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(m.find()).isTrue();
        String source = m.group(1);
        assertThat(source.lines().count()).isLessThan(40);
        Files.writeString(plugins.resolve("StampStep.java"), source);
        StepRegistry registry = StepRegistry.discover(plugins);
        assertThat(registry.problems()).isEmpty();
        Path stamp = work.resolve("stamp.txt");
        assertThatThrownBy(() -> runRoute(registry, "graft:stamp?file=" + stamp))
                .hasMessageContaining("stamp: no evaluation in this run; expected step 'evaluate' to run before 'stamp'");
    }
}
