package dev.graft.registry;

import dev.graft.spi.PublishedVersion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {

    @TempDir
    Path root;

    private static ModelRegistry.ModelWriter bytes(String content) {
        return file -> Files.writeString(file, content);
    }

    @Test
    void publishesNumberedVersionsAndMovesAliases() throws IOException {
        ModelRegistry registry = new ModelRegistry(root);
        PublishedVersion v1 = registry.publish("m", bytes("one"), Map.of("k", "v"), List.of("champion"));
        PublishedVersion v2 = registry.publish("m", bytes("two"), Map.of(), List.of());
        assertThat(v1.version()).isEqualTo(1);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(registry.resolve("m", "champion").orElseThrow().version()).isEqualTo(1);
        assertThat(registry.resolve("m", "latest").orElseThrow().version()).isEqualTo(2);
        assertThat(Files.readString(registry.resolve("m", "2").orElseThrow().modelFile())).isEqualTo("two");
        assertThat(registry.metadata("m", 1)).containsEntry("k", "v").containsEntry("version", 1).containsEntry("name", "m");
        assertThat(registry.resolve("m", "9")).isEmpty();
        assertThat(registry.resolve("other", "champion")).isEmpty();
        assertThat(registry.names()).containsExactly("m");
    }

    @Test
    void aFailedPublishLeavesNoTraceAndKeepsTheAliases() throws IOException {
        ModelRegistry registry = new ModelRegistry(root);
        registry.publish("m", bytes("good"), Map.of(), List.of("champion"));
        assertThatThrownBy(() -> registry.publish("m", file -> {
            Files.writeString(file, "half a mod");
            throw new IOException("disk full");
        }, Map.of(), List.of("champion"))).isInstanceOf(IOException.class).hasMessage("disk full");
        assertThat(registry.versions("m")).containsExactly(1);
        assertThat(registry.aliases("m")).containsEntry("champion", 1);
        try (Stream<Path> files = Files.list(root.resolve("m"))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".staging"));
        }
        // the next good publish takes the next number: nothing was reserved by the failure
        assertThat(registry.publish("m", bytes("next"), Map.of(), List.of()).version()).isEqualTo(2);
    }

    @Test
    void concurrentPublishersGetDistinctVersions() throws Exception {
        ModelRegistry registry = new ModelRegistry(root);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<PublishedVersion>> futures = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String content = "model " + i;
            futures.add(pool.submit(() -> registry.publish("m", bytes(content), Map.of(), List.of("champion"))));
        }
        List<Integer> versions = new ArrayList<>();
        for (Future<PublishedVersion> f : futures) {
            versions.add(f.get().version());
        }
        pool.shutdown();
        assertThat(versions).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertThat(registry.versions("m")).hasSize(12);
    }

    @Test
    void rejectsModelNamesThatCouldEscapeTheRegistry() {
        assertThatThrownBy(() -> new ModelRegistry(root).publish("../x", bytes("x"), Map.of(), List.of()))
                .hasMessageContaining("bad model name '../x'");
    }
}
