package dev.graft.steps;

import dev.graft.engine.RunState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.DataSplits;
import dev.graft.engine.StepRegistry;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import dev.graft.spi.RunContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FetchDatasetStepTest {

    @TempDir
    Path dir;

    /** 100 rows, labels 0 then 1 in blocks of 50, feature = row number. */
    private Path classOrderedCsv() throws Exception {
        StringBuilder text = new StringBuilder("label,x\n");
        IntStream.range(0, 100).forEach(i -> text.append(i < 50 ? 0 : 1).append(',').append(i).append('\n'));
        return Files.writeString(dir.resolve("data.csv"), text);
    }

    private DataSplits run(Map<String, String> options) throws Exception {
        RunContext context = new RunState("run-1", "route-1", null, null);
        StepRegistry.discover().configure("fetch-dataset", options).run(context);
        return context.data().orElseThrow();
    }

    @Test
    void refusesABadMemoryBudgetWhenTheRouteIsConfigured() {
        assertThatThrownBy(() -> StepRegistry.discover().configure("fetch-dataset", Map.of("memoryBudget", "lots")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("option 'memoryBudget' has a bad value 'lots'; expected a positive byte count");
        assertThatThrownBy(() -> StepRegistry.discover().configure("fetch-dataset", Map.of("maxExamples", "0")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("option 'maxExamples' has a bad value '0'");
        assertThatThrownBy(() -> StepRegistry.discover().configure("fetch-dataset", Map.of("limitSample", "random")))
                .isInstanceOf(ConfigurationException.class);
    }

    @Test
    void memoryBudgetOptionLimitsTheRead() throws Exception {
        Path csv = classOrderedCsv();

        assertThatThrownBy(() -> run(Map.of("source", csv.toString(), "memoryBudget", "1k")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("data over the memory budget '" + csv + "'")
                .hasMessageContaining("expected at most 1.0 KiB (1024 bytes)");
        assertThat(run(Map.of("source", csv.toString(), "memoryBudget", "1m")).train().size()).isEqualTo(80);
    }

    @Test
    void trainLimitIsStratifiedByDefaultAndFirstNWithLimitSampleFirst() throws Exception {
        Path csv = classOrderedCsv();

        DataSplits stratified = run(Map.of("source", csv.toString(), "trainLimit", "20", "scale", "1"));
        DataSplits first = run(Map.of("source", csv.toString(), "trainLimit", "20", "scale", "1",
                "limitSample", "first"));

        int[] labels = stratified.train().labels().argMax(1).toIntVector();
        assertThat(IntStream.of(labels).filter(l -> l == 0).count()).isBetween(9L, 11L);
        assertThat(first.train().labels().argMax(1).toIntVector()).containsOnly(0);
    }
}
