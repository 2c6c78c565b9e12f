package dev.graft.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry's lock is per model: a slow publish of one model holds up that model only. */
class ModelLocksTest {

    @TempDir
    Path dir;

    @Test
    void aPublishOfAnotherModelFinishesWhileOneModelsPublishIsStillWriting() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return new ModelRegistry(dir).publish("slow", file -> {
                    writing.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    Files.writeString(file, "slow");
                }, Map.of(), List.of("champion"), null).version();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(writing.await(30, TimeUnit.SECONDS)).as("the slow publish holds its model's lock").isTrue();

        CompletableFuture<Integer> other = CompletableFuture.supplyAsync(() -> {
            try { // another instance on the same folder, as a second route's publish step makes
                return new ModelRegistry(dir.resolve(".")).publish("quick", file -> Files.writeString(file, "quick"),
                        Map.of(), List.of("champion"), null).version();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(other.get(20, TimeUnit.SECONDS)).as("another model publishes meanwhile").isEqualTo(1);
        assertThat(slow).isNotDone();

        CompletableFuture<Integer> sameModel = CompletableFuture.supplyAsync(() -> {
            try { // the same model through another path spelling waits for the slow one
                return new ModelRegistry(dir.resolve("x").resolve("..")).publish("slow",
                        file -> Files.writeString(file, "second"), Map.of(), List.of(), null).version();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(500);
        assertThat(sameModel).as("the same model waits for its lock").isNotDone();
        release.countDown();
        assertThat(slow.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(sameModel.get(30, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(new ModelRegistry(dir).aliases("slow")).containsEntry("champion", 1);
    }
}
