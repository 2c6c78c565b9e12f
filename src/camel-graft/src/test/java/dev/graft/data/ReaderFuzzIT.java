package dev.graft.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The long reader fuzz: {@code mvn -B verify -Pfuzz} runs {@link ReaderFuzzer} for {@code graft.fuzz.seconds}
 * (default 120) with the seed {@code graft.fuzz.seed} (default: the clock, printed so a finding can be replayed).
 * Findings and their inputs are kept in {@code target/fuzz-findings}.
 */
class ReaderFuzzIT {

    @TempDir
    Path dir;

    @Test
    void noReaderThrowsAnErrorOrAnUntypedExceptionOrAllocatesPastTheBudget() {
        long seconds = Long.getLong("graft.fuzz.seconds", 120);
        long seed = Long.getLong("graft.fuzz.seed", System.currentTimeMillis());
        System.out.println("reader fuzz: seed " + seed + " for " + seconds + " s (replay with -Dgraft.fuzz.seed="
                + seed + ")");

        ReaderFuzzer.Report report = new ReaderFuzzer(seed, dir, Path.of("target/fuzz-findings"))
                .run(Duration.ofSeconds(seconds));

        System.out.println(report.summary());
        report.findings().stream().limit(10).forEach(f -> System.out.println("  finding: input " + f.iteration()
                + " reader " + f.reader() + " " + f.kind() + " saved " + f.saved() + "\n" + f.what()));
        assertThat(report.findings()).as(report.summary()).isEmpty();
    }
}
