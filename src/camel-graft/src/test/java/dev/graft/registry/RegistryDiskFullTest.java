package dev.graft.registry;

import dev.graft.spi.PublishedVersion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.graft.TinyRoutes;
import dev.graft.engine.GraftEngine;
import dev.graft.engine.StepRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full disk, or a crash, at each write of a publish: a failed publish leaves nothing, a re-run publishes once. */
class RegistryDiskFullTest {

    @TempDir
    Path root;

    private static ModelRegistry.ModelWriter bytes(String content) {
        return file -> Files.writeString(file, content);
    }

    /** The model folder's entries other than versions, aliases, history and lock: leftovers of a publish. */
    private static List<String> leftovers(Path modelDir) throws IOException {
        try (Stream<Path> s = Files.list(modelDir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> !List.of("versions", ".lock", "aliases.json", "alias-history.json").contains(n)).toList();
        }
    }

    private static byte[] bytesOf(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllBytes(file) : null;
    }

    @Test
    void aFullDiskAtEachWriteOfAPublishLeavesNoVersionNoAliasChangeAndNoStaging() throws IOException {
        ModelRegistry registry = new ModelRegistry(root);
        registry.publish("m", bytes("v1"), Map.of(), List.of("champion"));
        Path modelDir = root.resolve("m");
        List<String> failedAt = new ArrayList<>();
        for (int k = 1; ; k++) {
            byte[] aliases = bytesOf(modelDir.resolve("aliases.json"));
            byte[] history = bytesOf(modelDir.resolve("alias-history.json"));
            List<Integer> before = registry.versions("m");
            FaultyWrites faulty = new FaultyWrites(k);
            ModelRegistry failing = new ModelRegistry(root, faulty);
            try {
                PublishedVersion v = failing.publish("m", bytes("next"), Map.of(), List.of("champion"),
                        new ModelRegistry.PublishKey("run-" + k, "r", "drop-" + k));
                // no write failed: every write point has been tried
                assertThat(faulty.calls()).hasSizeLessThan(k);
                assertThat(v.version()).isEqualTo(before.get(before.size() - 1) + 1);
                break;
            } catch (IOException e) {
                assertThat(e).hasMessage("No space left on device");
                failedAt.add(faulty.calls().get(k - 1));
            }
            String at = "after a full disk at " + faulty.calls().get(k - 1);
            assertThat(registry.versions("m")).as(at).isEqualTo(before);
            assertThat(bytesOf(modelDir.resolve("aliases.json"))).as(at).isEqualTo(aliases);
            assertThat(bytesOf(modelDir.resolve("alias-history.json"))).as(at).isEqualTo(history);
            assertThat(leftovers(modelDir)).as(at).isEmpty();
            // the next publish succeeds with the next contiguous number
            PublishedVersion next = registry.publish("m", bytes("ok " + k), Map.of(), List.of("champion"));
            assertThat(next.version()).as(at).isEqualTo(before.get(before.size() - 1) + 1);
            assertThat(registry.aliases("m")).containsEntry("champion", next.version());
        }
        assertThat(failedAt).as("every kind of write of a publish was made to fail").contains(
                "write model.zip", "write metadata.json", "write .alias-history.json.tmp-*", "write .aliases.json.tmp-*",
                "move .aliases.json.tmp-* -> aliases.json", "sync m").hasSizeGreaterThanOrEqualTo(12);
        assertThat(failedAt).anyMatch(w -> w.startsWith("move .staging-* -> ")).anyMatch(w -> w.startsWith("mkdir .staging-"));
        List<Integer> all = registry.versions("m");
        assertThat(all).isEqualTo(java.util.stream.IntStream.rangeClosed(1, all.size()).boxed().toList());
    }

    @Test
    void aCrashAtAnyWriteOfAPublishThenTheReRunLeavesExactlyOneVersionOfTheDrop() throws IOException {
        for (int k = 1; ; k++) {
            Path dir = root.resolve("crash-" + k);
            ModelRegistry registry = new ModelRegistry(dir);
            registry.publish("m", bytes("v1"), Map.of(), List.of("champion"), new ModelRegistry.PublishKey("r0", "r", "d0"));
            FaultyWrites crash = new FaultyWrites(k, what -> new ModelRegistryTest.Killed());
            try {
                new ModelRegistry(dir, crash).publish("m", bytes("v2"), Map.of(), List.of("champion"),
                        new ModelRegistry.PublishKey("r1", "r", "d1"));
                break; // past the last write: every crash point tried
            } catch (ModelRegistryTest.Killed expected) {
                // the process died here; the service starts again and runs the same drop under a new run id
            }
            String at = "after a crash at " + crash.calls().get(k - 1);
            registry.cleanStaleStaging();
            assertThat(leftovers(dir.resolve("m"))).as(at).isEmpty();
            PublishedVersion rerun = registry.publish("m", bytes("v2 again"), Map.of(), List.of("champion"),
                    new ModelRegistry.PublishKey("r2", "r", "d1"));
            assertThat(registry.versions("m")).as(at).containsExactly(1, 2);
            assertThat(rerun.version()).as(at).isEqualTo(2);
            assertThat(registry.aliases("m")).as(at).containsEntry("champion", 2);
            assertThat(registry.resolve("m", "champion")).as(at).isPresent();
        }
    }

    /**
     * A real, small file system (tmpfs) filled so that k pages stay free, for k = 0, 1, ...: each publish of a
     * route run that does not fit fails the run and leaves no version; the first that fits publishes version 1.
     */
    @Test
    void aRouteRunPublishingOntoAFullTmpfsFailsAndLeavesNoVersion(@TempDir Path work) throws Exception {
        assumeThat(isRoot()).as("mounting a tmpfs needs root").isTrue();
        Path mount = Files.createDirectories(work.resolve("small-fs"));
        Process mounted = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount.toString())
                .inheritIO().start();
        assumeThat(mounted.waitFor()).as("mount -t tmpfs succeeded").isZero();
        try {
            Path registry = mount.resolve("registry");
            Path routeFile = Files.writeString(work.resolve("small.yaml"), """
                    - route:
                        id: small
                        from:
                          uri: direct:small
                          steps:
                            - to: graft:fetch-dataset?source=%s&format=csv&testFraction=0.25
                            - to: graft:create-model?architecture=mlp&seed=1
                            - to: graft:train?epochs=1&batchSize=32
                            - to: graft:publish?registry=%s&name=m&alias=champion
                    """.formatted(TinyRoutes.csvData(work, 80), registry));
            Files.createDirectories(registry);
            int failures = 0;
            try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of("graft.reports", "none"))) {
                engine.load(routeFile);
                engine.prepareRunOnce();
                for (long free = 0; ; free += 4096) {
                    fill(mount, free);
                    try {
                        engine.runOnce("small");
                    } catch (RuntimeException e) {
                        failures++;
                        assertThat(rootMessage(e)).as("with %d bytes free", free).contains("No space left on device");
                        ModelRegistry models = new ModelRegistry(registry);
                        assertThat(models.versions("m")).as("with %d bytes free", free).isEmpty();
                        assertThat(models.aliases("m")).isEmpty();
                        if (Files.isDirectory(registry.resolve("m"))) {
                            assertThat(leftovers(registry.resolve("m"))).isEmpty();
                        }
                        continue;
                    }
                    ModelRegistry models = new ModelRegistry(registry);
                    assertThat(models.versions("m")).containsExactly(1);
                    assertThat(models.aliases("m")).containsEntry("champion", 1);
                    assertThat(failures).as("runs that failed for want of space first").isGreaterThan(3);
                    break;
                }
            }
        } finally {
            new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor();
        }
    }

    /** Fills the file system at {@code mount} until about {@code free} bytes stay free. */
    private static void fill(Path mount, long free) throws IOException {
        Path filler = mount.resolve("filler");
        Files.deleteIfExists(filler);
        long target = Files.getFileStore(mount).getUsableSpace() - free;
        byte[] chunk = new byte[4096];
        try (var out = Files.newOutputStream(filler)) {
            for (long written = 0; written < target; written += chunk.length) {
                out.write(chunk);
            }
        }
    }

    private static String rootMessage(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }

    private static boolean isRoot() {
        try {
            return new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).trim().equals("0");
        } catch (IOException e) {
            return false;
        }
    }
}
