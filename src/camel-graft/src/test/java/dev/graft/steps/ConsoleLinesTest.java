package dev.graft.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.engine.RunState;
import dev.graft.engine.StepRegistry;
import dev.graft.metrics.RouteMetrics;
import dev.graft.spi.RunContext;
import dev.graft.testing.RecordingConsole;
import dev.graft.testing.TinyNets;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in steps show a person their lines through the run's console, and print nothing themselves. */
class ConsoleLinesTest {

    @TempDir
    Path dir;

    @Test
    void trainEvaluateAndPublishShowTheirLinesOnTheRunsConsoleOnly() throws Exception {
        RecordingConsole console = new RecordingConsole();
        RunContext context = new RunState("run-1", "route-1", null, null, RouteMetrics.noop("route-1"), console);
        context.setData(TinyNets.splits(48, 24, 3));
        context.setModel(TinyNets.lenetLike(3));
        StepRegistry steps = StepRegistry.discover();
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            steps.configure("train", Map.of("epochs", "2", "batchSize", "16")).run(context);
            steps.configure("evaluate", Map.of("gate", "accuracy>=0")).run(context);
            steps.configure("publish", Map.of("registry", dir.toString(), "name", "tiny", "alias", "champion")).run(context);
        } finally {
            System.setOut(out);
        }

        assertThat(console.lines()).hasSize(5);
        assertThat(console.lines().get(0)).matches("train: epoch 1/2  loss \\d\\.\\d{4}  acc \\d\\.\\d{4}  lr 1\\.00e-03  "
                + "\\d+ samples/s  \\d+\\.\\d s");
        assertThat(console.lines().get(1)).startsWith("train: epoch 2/2  loss ");
        assertThat(console.lines().get(2)).matches("evaluate: test accuracy \\d\\.\\d{4}  precision \\d\\.\\d{4}  recall "
                + "\\d\\.\\d{4}  f1 \\d\\.\\d{4}  on 24 examples");
        assertThat(console.lines().get(3)).startsWith("evaluate: verdict PASSED - gate 'accuracy>=0' passed");
        assertThat(console.lines().get(4)).isEqualTo("publish: published tiny version 1 at "
                + dir.resolve("tiny/versions/1") + "; aliases [champion] now point to it");
        assertThat(printed.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void fetchDatasetShowsWhatItRead() throws Exception {
        RecordingConsole console = new RecordingConsole();
        RunContext context = new RunState("run-1", "route-1", null, null, RouteMetrics.noop("route-1"), console);
        StepRegistry.discover().configure("fetch-dataset", Map.of("classes", "0-2", "trainLimit", "30",
                "testLimit", "12")).run(context);
        assertThat(console.lines()).containsExactly("fetch-dataset: classpath:datasets/fashion-mnist-sample.zip: "
                + "30 train, 0 validation, 12 test examples of shape [1, 28, 28], 3 classes [T-shirt/top, Trouser, Pullover]");
    }
}
