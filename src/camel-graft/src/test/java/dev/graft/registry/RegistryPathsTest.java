package dev.graft.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every read and write of the registry validates the model name and stays inside the registry folder. */
class RegistryPathsTest {

    @TempDir
    Path dir;

    private static final List<String> BAD_NAMES = List.of("..", ".", "../x", "a/b", "a\\b", "/etc", "/tmp/registry",
            "", " ", ".hidden", "%2e%2e", URLDecoder.decode("%2e%2e", StandardCharsets.UTF_8), "a\u0000b", "x".repeat(201));

    private static ModelRegistry.ModelWriter bytes(String content) {
        return file -> Files.writeString(file, content);
    }

    @Test
    void everyMethodRefusesNamesThatAreNotModelNames() throws IOException {
        Path root = Files.createDirectories(dir.resolve("registry"));
        ModelRegistry registry = new ModelRegistry(root);
        // a planted version in the registry's parent, as in the attack: '..' must not reach it
        Files.createDirectories(dir.resolve("versions/7"));
        Files.writeString(dir.resolve("versions/7/model.zip"), "planted");
        Files.writeString(dir.resolve("versions/7/metadata.json"), "{}");
        for (String name : BAD_NAMES) {
            List<ThrowingCallable> calls = List.of(
                    () -> registry.versions(name), () -> registry.aliases(name), () -> registry.history(name),
                    () -> registry.resolve(name, "7"), () -> registry.resolve(name, "champion"),
                    () -> registry.resolve(name, "latest"), () -> registry.metadata(name, 7),
                    () -> registry.promote(name, "champion", 7), () -> registry.rollback(name, "champion"),
                    () -> registry.publish(name, bytes("x"), Map.of(), List.of()));
            for (ThrowingCallable call : calls) {
                assertThatThrownBy(call).as("name '%s'", name).isInstanceOf(ConfigurationException.class)
                        .hasMessageContaining("bad model name '" + name + "'");
            }
        }
        assertThat(registry.names()).isEmpty();
        try (var s = Files.list(root)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void aVersionFolderLinkedOutsideTheRegistryIsRefused() throws IOException {
        Path root = Files.createDirectories(dir.resolve("registry"));
        ModelRegistry registry = new ModelRegistry(root);
        registry.publish("m", bytes("one"), Map.of(), List.of("champion"));
        Path outside = Files.createDirectories(dir.resolve("outside/2"));
        Files.writeString(outside.resolve("model.zip"), "not ours");
        Files.writeString(outside.resolve("metadata.json"), "{}");
        Files.createSymbolicLink(root.resolve("m/versions/2"), outside);
        assertThatThrownBy(() -> registry.resolve("m", "2")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("leads outside the registry");
        assertThatThrownBy(() -> registry.resolve("m", "latest")).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> registry.metadata("m", 2)).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> registry.promote("m", "champion", 2)).isInstanceOf(ConfigurationException.class);
        assertThat(registry.aliases("m")).containsEntry("champion", 1);
        // a link inside the registry is a folder like any other
        Files.delete(root.resolve("m/versions/2"));
        Files.createSymbolicLink(root.resolve("m/versions/2"), root.resolve("m/versions/1"));
        assertThat(registry.resolve("m", "2")).isPresent();
    }

    @Test
    void aModelFolderLinkedOutsideTheRegistryIsRefused() throws IOException {
        Path root = Files.createDirectories(dir.resolve("registry"));
        ModelRegistry elsewhere = new ModelRegistry(dir.resolve("other"));
        elsewhere.publish("m", bytes("one"), Map.of(), List.of("champion"));
        Files.createSymbolicLink(root.resolve("m"), dir.resolve("other/m"));
        ModelRegistry registry = new ModelRegistry(root);
        assertThatThrownBy(() -> registry.resolve("m", "champion")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("leads outside the registry");
        assertThatThrownBy(() -> registry.versions("m")).isInstanceOf(ConfigurationException.class);
    }
}
