package dev.graft.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.data.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DropsTest {

    @TempDir
    Path dir;

    @Test
    void aDropInterruptedTwiceIsPoisonUnlessItsInterruptedRunAlreadyPublished() throws Exception {
        Path drop = Files.writeString(dir.resolve("data.csv"), "label,p0\n1,0.5\n");
        String sha = Sha256.ofFile(drop);
        RunStore store = new RunStore(dir.resolve("runs.db"));
        for (int i = 0; i < Drops.POISON_AFTER; i++) {
            store.started(new RunRecord("earlier-" + i, "route", "file", drop.toString(), sha, "running",
                    Instant.now().toString(), null, null, null, null, null, null, null, null));
        }
        store.markInterrupted(Instant.now().toString());

        assertThat(Drops.check(drop, sha, "route", "now", store, (route, bytes) -> false))
                .isInstanceOf(Drops.Reject.class)
                .extracting(v -> ((Drops.Reject) v).reason()).asString().contains("quarantined as poison");
        // killed after its publish (a crash test's kill, say): the next run adopts that version instead
        assertThat(Drops.check(drop, sha, "route", "now", store, (route, bytes) -> route.equals("route")
                && bytes.equals(sha))).isInstanceOf(Drops.Run.class);
    }
}
