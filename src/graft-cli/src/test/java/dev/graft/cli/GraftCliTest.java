package dev.graft.cli;

import dev.graft.engine.RunState;
import static dev.graft.cli.CliRunner.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.cli.CliRunner.Result;

import dev.graft.spi.DataSplits;
import dev.graft.spi.LabeledSet;
import dev.graft.engine.StepRegistry;
import dev.graft.modelio.ModelFiles;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.RunContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class GraftCliTest {


    @Test
    void stepsListsEveryStepWithItsOptionsAndDefaults() {
        Result r = run("steps");
        assertThat(r.code()).isZero();
        for (String step : new String[] {"fetch-dataset", "create-model", "load-backbone", "freeze-layers",
                "unfreeze-layers", "build-head", "train", "evaluate", "publish"}) {
            assertThat(r.out()).contains("graft:" + step);
        }
        assertThat(r.out()).contains("graft:augment-images", "graft:notify-webhook").contains("from plugin plugins")
                .contains("from built-in");
        assertThat(r.out()).containsPattern("epochs\\s+int\\s+default 5")
                .containsPattern("updater\\s+enum \\[adam, sgd, nesterovs, rmsprop\\]\\s+default adam")
                .containsPattern("name\\s+string\\s+required");
    }

    @Test
    void validateAcceptsTheShippedRoutes() {
        Result r = run("validate", "routes/pretrain-backbone.yaml", "routes/fashion-transfer.yaml");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("routes/fashion-transfer.yaml: OK, routes [fashion-transfer], 7 graft steps");
    }

    @Test
    void validateReportsEveryProblemWithFileAndLineAndExitsTwo(@TempDir Path dir) throws IOException {
        Path route = Files.writeString(dir.resolve("bad.yaml"), """
                - route:
                    from:
                      uri: direct:x
                      steps:
                        - to: graft:freeze-layers?layers=1..3
                        - to: graft:evaluat
                """);
        Result r = run("validate", route.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(route + ":5: freeze-layers: bad slice '1..3'")
                .contains(route + ":6: unknown step 'evaluat'")
                .contains("did you mean 'evaluate'?")
                .doesNotContain("\tat ");
    }

    @Test
    void validateAndRunListEveryBadOptionOfEveryStepWithItsLine(@TempDir Path dir) throws IOException {
        Path route = Files.writeString(dir.resolve("three.yaml"), """
                - route:
                    from:
                      uri: direct:x
                      steps:
                        - to: graft:fetch-dataset?validation=1.5
                        - to: graft:train?epochs=0&updater=adamw
                        - to:
                            uri: graft:evaluate
                            parameters:
                              gate: accuracy=>0.8
                """);
        for (String command : new String[] {"validate", "run"}) {
            Result r = run(command, route.toString(), "-p", "graft.reports=none");
            assertThat(r.code()).as(command).isEqualTo(2);
            assertThat(r.err()).as(command)
                    .contains(route + ":5: fetch-dataset: option 'validation' has a bad value '1.5'; expected a "
                            + "fraction from 0 up to (not including) 1")
                    .contains(route + ":6: train: option 'epochs' has a bad value '0'; expected at least 1")
                    .contains(route + ":6: train: option 'updater' has a bad value 'adamw'; expected one of [adam, sgd, "
                            + "nesterovs, rmsprop]")
                    .contains(route + ":7: evaluate: option 'gate' has a bad value 'accuracy=>0.8'; expected an "
                            + "operator among [>=, <=, >, <], got '=>'")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void aFailedRunExitsOneWithTheError(@TempDir Path dir) throws IOException {
        Path route = Files.writeString(dir.resolve("missing.yaml"), """
                - route:
                    from:
                      uri: direct:x
                      steps:
                        - to: graft:fetch-dataset?source=%s
                """.formatted(dir.resolve("no-such-folder")));
        Result r = run("run", route.toString(), "-p", "graft.reports=" + dir.resolve("reports"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("fetch-dataset: source does not exist");
        Path corrupt = Files.createDirectories(dir.resolve("corrupt"));
        Files.write(corrupt.resolve("train.csv"), "label,a,b\n1,2,3\n0,1\n".getBytes(StandardCharsets.UTF_8));
        Path route2 = Files.writeString(dir.resolve("ragged.yaml"), """
                - route:
                    from:
                      uri: direct:y
                      steps:
                        - to: graft:fetch-dataset?source=%s
                """.formatted(corrupt));
        Result r2 = run("run", route2.toString(), "-p", "graft.reports=" + dir.resolve("reports"));
        assertThat(r2.code()).isEqualTo(1);
        assertThat(r2.err()).contains("train.csv").contains("line 3");
    }

    /** Publishes an untrained LeNet for 1x28x28 images as lenet-fashion-0-4@champion into a registry folder. */
    static void publishBackbone(Path registry) throws Exception {
        RunContext context = new RunState("t", "t", null, null);
        context.setData(new DataSplits(new LabeledSet(Nd4j.zeros(DataType.FLOAT, 5, 1, 28, 28),
                Nd4j.eye(5).castTo(DataType.FLOAT)), null, new LabeledSet(Nd4j.zeros(DataType.FLOAT, 5, 1, 28, 28),
                Nd4j.eye(5).castTo(DataType.FLOAT)), List.of("0", "1", "2", "3", "4"), new long[] {1, 28, 28}, "x", "x"));
        StepRegistry.discover().configure("create-model", Map.of()).run(context);
        new ModelRegistry(registry).publish("lenet-fashion-0-4", file -> ModelFiles.save(context.requireModel("t"), file),
                Map.of(), List.of("champion"));
    }

    @Test
    void validateChecksTheShippedRoutesLayersAndHeadsAgainstTheRealBackbone(@TempDir Path dir) throws Exception {
        publishBackbone(dir);
        Result r = run("validate", "routes/two-phase-fine-tune.yaml", "routes/feature-extraction-merged.yaml",
                "-p", "graft.registry=" + dir);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("backbone registry:lenet-fashion-0-4@1 loaded; layers [conv1, pool1, conv2, pool2, "
                        + "dense1, output]")
                .contains("layers, slices and head fit the model")
                .containsPattern("pool2-avgpool\\s+GlobalPoolingLayer\\s+\\[50\\]")
                .containsPattern("conv2\\s+ConvolutionLayer\\s+\\[50,8,8\\]\\s+25050\\s+yes");
    }

    @Test
    void validateNamesAnUnknownLayerWithTheFileLineAndTheLayersWithShapes(@TempDir Path dir) throws Exception {
        publishBackbone(dir);
        Path route = Files.writeString(dir.resolve("typo.yaml"), """
                - route:
                    from:
                      uri: direct:x
                      steps:
                        - to: graft:fetch-dataset?classes=5-9
                        - to: graft:load-backbone?source=registry:lenet-fashion-0-4&registry=%s
                        - to: graft:freeze-layers?upTo=conv3
                        - to: graft:build-head?from=dense2&layers=output(softmax)
                """.formatted(dir));
        Result r = run("validate", route.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(route + ":7: freeze-layers: unknown layer 'conv3'; expected one of [conv1, pool1, "
                        + "conv2, pool2, dense1, output]")
                .containsPattern("pool2\\s+SubsamplingLayer\\s+\\[50,4,4\\]")
                .doesNotContain("\tat ");
    }

    @Test
    void validateRefusesAHeadWhoseOutputSizeIsNotTheNumberOfClasses(@TempDir Path dir) throws Exception {
        publishBackbone(dir);
        Path route = Files.writeString(dir.resolve("ten.yaml"), """
                - route:
                    from:
                      uri: direct:x
                      steps:
                        - to: graft:fetch-dataset?classes=5-9
                        - to: graft:load-backbone?source=registry:lenet-fashion-0-4&registry=%s
                        - to: graft:freeze-layers?layers=:-3
                        - to: graft:build-head?from=dense1&layers=output(10,softmax)
                """.formatted(dir));
        Result r = run("validate", route.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(route + ":8: build-head: output layer 'head-output' has 10 units; expected 5, one "
                + "per class of the data set").doesNotContain("\tat ");
    }

    @Test
    void validateRefusesAFineTunedBackboneWhoseOutputDoesNotFitTheClasses(@TempDir Path dir) throws Exception {
        publishBackbone(dir);
        Path route = Files.writeString(dir.resolve("all.yaml"), """
                - route:
                    from:
                      uri: direct:x
                      steps:
                        - to: graft:fetch-dataset
                        - to: graft:load-backbone?source=registry:lenet-fashion-0-4&registry=%s
                        - to: graft:freeze-layers?layers=:-1
                        - to: graft:train?epochs=1
                """.formatted(dir));
        Result r = run("validate", route.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("train: output layer 'output' has 5 units; expected 10, one per class");
    }

    @Test
    void validateRefusesADataSourceThatDoesNotExist(@TempDir Path dir) throws Exception {
        Path route = Files.writeString(dir.resolve("nodata.yaml"), """
                - route:
                    from:
                      uri: direct:x
                      steps:
                        - to: graft:fetch-dataset?source=%s
                        - to: graft:create-model?architecture=lenet
                """.formatted(dir.resolve("no-such-data.zip")));
        Result r = run("validate", route.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(route + ":5: fetch-dataset:").contains("no-such-data.zip");
    }

    @Test
    void validateSaysWhatItCouldNotCheckWhenTheBackboneIsNotPublishedYet(@TempDir Path dir) {
        Result r = run("validate", "routes/fashion-transfer.yaml", "-p", "graft.registry=" + dir.resolve("empty"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("load-backbone: not reachable, so the model surgery after it is not checked: "
                + "load-backbone: no model 'lenet-fashion-0-4@champion'");
    }

    @Test
    void modelsListsPromotesAndRollsBack(@TempDir Path dir) throws IOException {
        dev.graft.registry.ModelRegistry registry = new dev.graft.registry.ModelRegistry(dir);
        registry.publish("m", f -> Files.writeString(f, "1"), java.util.Map.of("note", "first"), java.util.List.of("champion"));
        registry.publish("m", f -> Files.writeString(f, "2"), java.util.Map.of("note", "second"), java.util.List.of());
        String reg = "--registry=" + dir;
        assertThat(run("models", "list", reg).out()).contains("m  versions [1, 2]  aliases {champion=1}");
        assertThat(run("models", "promote", reg, "m", "2").code()).isZero();
        assertThat(registry.aliases("m")).containsEntry("champion", 2);
        assertThat(run("models", "show", reg, "m").out()).contains("\"note\" : \"second\"");
        assertThat(run("models", "rollback", reg, "m").out()).contains("champion -> v1 (rolled back)");
        assertThat(registry.aliases("m")).containsEntry("champion", 1);
        Result refused = run("models", "rollback", reg, "m");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("has no earlier version to roll back to");
        Result missing = run("models", "promote", reg, "m", "7");
        assertThat(missing.err()).contains("no version 7 of 'm'; expected one of [1, 2]");
    }

    @Test
    void importWritesAZipOfATfjsModelThatInspectListsWithKerasNamesAndShapes(@TempDir Path dir) throws IOException {
        Path json = dev.graft.testing.TfjsFixture.write(dir.resolve("tiny"));
        Path zip = dir.resolve("out/tiny.zip");
        Result imported = run("import", json.toString(), zip.toString());
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("-> " + zip + ": 5 layers, 17 parameters");
        assertThat(ModelFiles.load(zip).getLayer("conv_b")).isNotNull();
        Result direct = run("inspect", json.toString());
        assertThat(direct.code()).as(direct.err()).isZero();
        assertThat(direct.out()).containsPattern("conv_b\\s+ConvolutionLayer\\s+\\[3,3,1]")
                .containsPattern("joined\\s+AxisMergeVertex\\s+\\[3,3,3]").containsPattern("dense\\s+DenseLayer\\s+\\[2]");
        assertThat(run("inspect", "--input-shape=2x3x3", zip.toString()).out()).contains("joined")
                .containsPattern("dense\\s+DenseLayer\\s+\\[2]");
    }

    @Test
    void validateChecksLayerNamesOfARouteAgainstATfjsBackbone(@TempDir Path dir) throws IOException {
        Path json = dev.graft.testing.TfjsFixture.write(dir.resolve("tiny"));
        String route = """
                - route:
                    from:
                      uri: direct:x
                      steps:
                        - to: graft:load-backbone?source=%s
                        - to: graft:freeze-layers?names=%s
                """;
        Path good = Files.writeString(dir.resolve("good.yaml"), route.formatted(json, "conv,conv_b"));
        Result ok = run("validate", good.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("backbone " + json + " loaded; layers [conv, conv_b, relu, pool, dense]");
        Path bad = Files.writeString(dir.resolve("bad.yaml"), route.formatted(json, "conv,block_16_project"));
        Result refused = run("validate", bad.toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains(bad + ":6: freeze-layers: unknown layer 'block_16_project'")
                .contains("conv_b").doesNotContain("\tat ");
    }
}
