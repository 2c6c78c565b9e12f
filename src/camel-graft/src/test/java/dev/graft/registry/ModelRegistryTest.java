package dev.graft.registry;

import dev.graft.spi.PublishedVersion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.io.DurableFiles;
import dev.graft.spi.ConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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

    private static ModelRegistry.PublishKey drop(String route, String sha) {
        return new ModelRegistry.PublishKey("run-" + UUID.randomUUID(), route, sha);
    }

    @Test
    void theSameRouteOnTheSameDropAdoptsTheVersionPublishedBeforeInsteadOfPublishingAgain() throws IOException {
        ModelRegistry registry = new ModelRegistry(root);
        PublishedVersion first = registry.publish("m", bytes("one"), Map.of(), List.of("champion"), drop("r", "aa"));
        PublishedVersion again = registry.publish("m", bytes("two"), Map.of(), List.of("champion"), drop("r", "aa"));
        assertThat(first.adopted()).isFalse();
        assertThat(again.adopted()).isTrue();
        assertThat(again.version()).isEqualTo(1);
        assertThat(again.aliases()).containsExactly("champion");
        assertThat(registry.versions("m")).containsExactly(1);
        assertThat(Files.readString(registry.resolve("m", "1").orElseThrow().modelFile())).isEqualTo("one");
        // another drop, or the same drop through another route, is another publish
        assertThat(registry.publish("m", bytes("b"), Map.of(), List.of(), drop("r", "bb")).version()).isEqualTo(2);
        assertThat(registry.publish("m", bytes("c"), Map.of(), List.of(), drop("other", "aa")).version()).isEqualTo(3);
        @SuppressWarnings("unchecked")
        Map<String, Object> identity = (Map<String, Object>) registry.metadata("m", 1).get("publish");
        assertThat(identity).containsEntry("routeId", "r").containsEntry("dropSha256", "aa")
                .containsEntry("aliases", List.of("champion"));
    }

    @Test
    void theSameRunIdAdoptsItsVersionEvenWithoutADrop() throws IOException {
        ModelRegistry registry = new ModelRegistry(root);
        var key = new ModelRegistry.PublishKey("run-7", "r", null);
        registry.publish("m", bytes("one"), Map.of(), List.of(), key);
        assertThat(registry.publish("m", bytes("two"), Map.of(), List.of(), key).adopted()).isTrue();
        assertThat(registry.publish("m", bytes("three"), Map.of(), List.of(), new ModelRegistry.PublishKey("run-8", "r", null))
                .version()).isEqualTo(2);
        assertThat(registry.versions("m")).containsExactly(1, 2);
    }

    @Test
    void anAdoptedVersionTakesTheAliasItsInterruptedPublishMeantToMoveUnlessALaterVersionHasItSince() throws IOException {
        ModelRegistry registry = new ModelRegistry(root);
        registry.publish("m", bytes("one"), Map.of(), List.of("champion"), drop("r", "v1"));
        // a publish killed between the rename into versions/2 and its alias write (simulated: the alias write dies)
        var killed = new ModelRegistry(root, new FaultyWrites(8, w -> new Killed()));
        assertThatThrownBy(() -> killed.publish("m", bytes("two"), Map.of(), List.of("champion"), drop("r", "v2")))
                .isInstanceOf(Killed.class);
        assertThat(registry.versions("m")).containsExactly(1, 2);
        assertThat(registry.aliases("m")).containsEntry("champion", 1);

        PublishedVersion rerun = registry.publish("m", bytes("two again"), Map.of(), List.of(), drop("r", "v2"));
        assertThat(rerun.adopted()).isTrue();
        assertThat(rerun.version()).isEqualTo(2);
        assertThat(registry.aliases("m")).as("moved as the interrupted publish would have").containsEntry("champion", 2);
        assertThat(registry.history("m").get("champion")).containsExactly(1, 2);

        // the same, but another drop took the alias in between: the adopted version does not take it back
        assertThatThrownBy(() -> new ModelRegistry(root, new FaultyWrites(8, w -> new Killed()))
                .publish("m", bytes("three"), Map.of(), List.of("champion"), drop("r", "v3"))).isInstanceOf(Killed.class);
        registry.publish("m", bytes("four"), Map.of(), List.of("champion"), drop("r", "v4"));
        PublishedVersion late = registry.publish("m", bytes("three again"), Map.of(), List.of("champion"), drop("r", "v3"));
        assertThat(late.version()).isEqualTo(3);
        assertThat(late.aliases()).isEmpty();
        assertThat(registry.aliases("m")).containsEntry("champion", 4);
        assertThat(registry.versions("m")).containsExactly(1, 2, 3, 4);
    }

    /** Stands for SIGKILL: nothing after it runs, no catch block cleans up. */
    static final class Killed extends Error {
        Killed() {
            super("killed");
        }
    }

    @Test
    void promoteRefusesVersionsThatAreNotWholeOrDoNotExist() throws IOException {
        ModelRegistry registry = new ModelRegistry(root);
        registry.publish("m", bytes("one"), Map.of(), List.of("champion"));
        registry.publish("m", bytes("two"), Map.of(), List.of());
        registry.publish("m", bytes("three"), Map.of(), List.of());
        Path v2 = root.resolve("m/versions/2");
        Files.delete(v2.resolve("model.zip"));
        assertThatThrownBy(() -> registry.promote("m", "champion", 2)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("version 2 of 'm' is not whole: '" + v2.resolve("model.zip") + "' is missing");
        Files.writeString(root.resolve("m/versions/3/metadata.json"), "{\"name\": \"m\", \"ver");
        assertThatThrownBy(() -> registry.promote("m", "champion", 3)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cannot read '" + root.resolve("m/versions/3/metadata.json") + "'");
        assertThatThrownBy(() -> registry.promote("m", "champion", 9)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no version 9 of 'm'; expected one of [1, 2, 3]");
        assertThatThrownBy(() -> registry.promote("nothing", "champion", 1)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no model 'nothing'");
        assertThat(registry.aliases("m")).containsEntry("champion", 1);
    }

    @Test
    void rollbackRefusesAVersionThatNoLongerExistsOrIsNotWhole() throws IOException {
        ModelRegistry registry = new ModelRegistry(root);
        registry.publish("m", bytes("one"), Map.of(), List.of("champion"));
        registry.publish("m", bytes("two"), Map.of(), List.of("champion"));
        registry.publish("m", bytes("three"), Map.of(), List.of("champion"));
        DurableFiles.deleteRecursively(root.resolve("m/versions/2"));
        assertThatThrownBy(() -> registry.rollback("m", "champion")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cannot roll back alias 'champion' of 'm' to version 2: it no longer exists");
        assertThat(registry.aliases("m")).containsEntry("champion", 3);
        registry.publish("m", bytes("four"), Map.of(), List.of("champion"));
        Files.write(root.resolve("m/versions/3/model.zip"), new byte[0]);
        assertThatThrownBy(() -> registry.rollback("m", "champion")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("version 3 of 'm' is not whole").hasMessageContaining("is empty");
        assertThat(registry.aliases("m")).containsEntry("champion", 4);
    }

    @Test
    void resolvingAnAliasToAVersionThatIsMissingOrNotWholeIsATypedError() throws IOException {
        ModelRegistry registry = new ModelRegistry(root);
        registry.publish("m", bytes("one"), Map.of(), List.of("champion"));
        registry.publish("m", bytes("two"), Map.of(), List.of("champion"));
        Files.delete(root.resolve("m/versions/2/metadata.json"));
        assertThatThrownBy(() -> registry.resolve("m", "champion")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("version 2 of 'm' is not whole");
        DurableFiles.deleteRecursively(root.resolve("m/versions/2"));
        assertThatThrownBy(() -> registry.resolve("m", "champion")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("alias 'champion' of 'm' points to version 2, which does not exist");
        assertThat(registry.resolve("m", "1").orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void aTruncatedAliasesFileBreaksOnlyItsOwnModel() throws IOException {
        ModelRegistry registry = new ModelRegistry(root);
        registry.publish("good", bytes("g"), Map.of(), List.of("champion"));
        registry.publish("bad", bytes("b"), Map.of(), List.of("champion"));
        Path file = root.resolve("bad/aliases.json");
        Files.writeString(file, "{\"champ");
        assertThatThrownBy(() -> registry.aliases("bad")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cannot read '" + file + "' of model 'bad'")
                .hasMessageContaining("graft models promote bad <version>");
        assertThat(registry.resolve("good", "champion").orElseThrow().version()).isEqualTo(1);
        assertThat(registry.summaries()).extracting(ModelRegistry.ModelSummary::name).containsExactly("bad", "good");
        assertThat(registry.summaries().get(0).error()).contains(file.toString());
        assertThat(registry.summaries().get(1).aliases()).containsEntry("champion", 1);
        // a value that is not a version number is as unreadable
        Files.writeString(file, "{\"champion\": \"two\"}");
        assertThatThrownBy(() -> registry.resolve("bad", "champion")).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void aTruncatedMetadataFileIsATypedErrorNamingTheFile() throws IOException {
        ModelRegistry registry = new ModelRegistry(root);
        registry.publish("m", bytes("one"), Map.of("k", "v"), List.of());
        Path file = root.resolve("m/versions/1/metadata.json");
        String whole = Files.readString(file);
        Files.writeString(file, whole.substring(0, whole.length() / 2));
        assertThatThrownBy(() -> registry.metadata("m", 1)).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("registry: cannot read '" + file + "' of model 'm'")
                .hasMessageContaining("expected the JSON object the publish step wrote");
    }

    @Test
    void staleStagingIsCleanedUnlessALivePublisherHoldsTheModel() throws Exception {
        ModelRegistry registry = new ModelRegistry(root);
        registry.publish("idle", bytes("1"), Map.of(), List.of("champion"));
        registry.publish("busy", bytes("1"), Map.of(), List.of("champion"));
        Path stale = Files.createDirectories(root.resolve("idle/.staging-dead"));
        Files.writeString(stale.resolve("model.zip"), "half");
        Path tmp = Files.writeString(root.resolve("idle/.aliases.json.tmp-dead"), "{");
        Path held = Files.createDirectories(root.resolve("busy/.staging-live"));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), root.resolve("busy/.lock").toString()).redirectErrorStream(true).start();
        try {
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream()));
            assertThat(out.readLine()).isEqualTo("locked");
            assertThat(registry.cleanStaleStaging()).isEqualTo(2);
            assertThat(stale).doesNotExist();
            assertThat(tmp).doesNotExist();
            assertThat(held).as("another process is publishing busy: its staging is left alone").exists();
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
        }
        assertThat(registry.cleanStaleStaging()).isEqualTo(1);
        assertThat(held).doesNotExist();
        assertThat(registry.versions("idle")).containsExactly(1);
        assertThat(registry.aliases("busy")).containsEntry("champion", 1);
    }

    @Test
    void aPublishCleansWhatADeadPublisherOfItsModelLeft() throws IOException {
        ModelRegistry registry = new ModelRegistry(root);
        registry.publish("m", bytes("1"), Map.of(), List.of());
        Path stale = Files.createDirectories(root.resolve("m/.staging-dead"));
        registry.publish("m", bytes("2"), Map.of(), List.of());
        assertThat(stale).doesNotExist();
        assertThat(registry.versions("m")).containsExactly(1, 2);
    }
}
