package dev.graft.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few seconds of {@link ReaderFuzzer} with a fixed seed in every build; the {@code fuzz} Maven profile runs it
 * for minutes with a fresh seed ({@link ReaderFuzzIT}).
 */
class ReaderFuzzTest {

    @TempDir
    Path dir;

    @Test
    void everyReaderEndsMutatedInputsWithTypedErrorsAndWithinTheBudget() {
        long seconds = Long.getLong("graft.fuzz.quickSeconds", 4);
        ReaderFuzzer.Report report = new ReaderFuzzer(1, dir, Path.of("target/fuzz-findings"))
                .run(Duration.ofSeconds(seconds));

        System.out.println(report.summary());
        assertThat(report.findings()).as(report.summary()).isEmpty();
        assertThat(report.inputs()).isGreaterThan(20);
        assertThat(report.outcomes()).containsKey("DataException");
    }
}
