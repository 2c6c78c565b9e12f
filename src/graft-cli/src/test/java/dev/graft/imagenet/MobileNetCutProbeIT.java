package dev.graft.imagenet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.TinyRoutes;
import dev.graft.engine.GraftEngine;
import dev.graft.engine.StepRegistry;
import dev.graft.spi.RunContext;
import dev.graft.training.CutProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * build-head from=auto on the imported ImageNet MobileNetV2 against the exhaustive sweep over the same candidates
 * (three block outputs, globally average-pooled): the 2,000 training JPEGs of {@code target/fashion-rgb} (Fashion-MNIST
 * 5-9 at 96x96 RGB, {@code scripts/make-fashion-rgb.py}), a fifth for validation, a stratified 1,000 of the test
 * images, the backbone frozen, a softmax head trained on each cut as the probe trains (10 epochs, Adam 1e-3). Run with
 * {@code mvn -B verify -Pimagenet}.
 */
class MobileNetCutProbeIT {

    static final List<String> CANDIDATES = List.of("block_13_expand_relu", "block_16_project_BN", "out_relu");

    @TempDir
    Path dir;

    @Test
    void theAutoCutScoresWithinHalfAPointOfTheBestBlockOutputOfTheSweep() throws Exception {
        Path backbone = ImagenetModels.MOBILENET_V2.modelJson();
        assertThat(backbone).as("MobileNetV2; fetch it with scripts/fetch-imagenet-models.sh").exists();
        Path photos = Path.of("target/fashion-rgb");
        // written here too (kept when present): failsafe runs the imagenet ITs in any order
        Process make = new ProcessBuilder("/usr/bin/python3", "scripts/make-fashion-rgb.py", photos.toString())
                .inheritIO().start();
        assertThat(make.waitFor()).as("scripts/make-fashion-rgb.py (needs python3-pil, dataset-fashion-mnist)")
                .isZero();
        List<String> cuts = new java.util.ArrayList<>(CANDIDATES);
        cuts.add("auto");
        for (String cut : cuts) {
            String from = cut.equals("auto") ? "auto&candidates=" + String.join(",", CANDIDATES) + "&probeEpochs=10"
                    : cut;
            TinyRoutes.directRoute(dir, "cut-" + cut, """
                    - to: graft:fetch-dataset?source=%s&channels=3&resize=96x96&crop=center&preprocess=tf&validation=0.2&testLimit=1000
                    - to: graft:load-backbone?source=%s
                    - to: graft:freeze-layers?upTo=out_relu
                    - to: graft:build-head?from=%s&pooling=avg&layers=output(5,softmax)
                    - to: graft:train?epochs=10&batchSize=64&updater=adam&learningRate=1e-3
                    - to: graft:evaluate
                    """.formatted(photos.toAbsolutePath(), backbone.toAbsolutePath(), from));
        }
        Map<String, double[]> figures = new LinkedHashMap<>(); // test accuracy, build-head + train seconds
        CutProbe.Result probe;
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(),
                Map.of("graft.registry", dir.resolve("registry").toString()))) {
            for (String cut : cuts) {
                engine.load(dir.resolve("cut-" + cut + ".yaml"));
            }
            engine.prepareRunOnce();
            RunContext auto = null;
            for (String cut : cuts) {
                RunContext run = engine.runOnce("cut-" + cut);
                double seconds = run.timings().stream().filter(t -> t.step().equals("build-head")
                        || t.step().equals("train")).mapToDouble(RunContext.StepTiming::seconds).sum();
                figures.put(cut, new double[] {run.requireEvaluation("test").accuracy(), seconds});
                auto = run;
            }
            probe = (CutProbe.Result) auto.attributes().get(CutProbe.Result.ATTRIBUTE);
        }
        figures.forEach((cut, f) -> System.out.printf("MobileNetV2 cut %s: test accuracy %.4f, build-head + train "
                + "%.1f s%n", cut, f[0], f[1]));
        probe.rows().forEach(r -> System.out.printf("MobileNetV2 probe %s: %d features, validation accuracy %.4f, "
                + "%.2f s%n", r.layer(), r.features(), r.validationAccuracy(), r.seconds()));
        double probeSeconds = probe.featurizeSeconds() + probe.rows().stream().mapToDouble(CutProbe.Row::seconds).sum();
        double sweepSeconds = CANDIDATES.stream().mapToDouble(c -> figures.get(c)[1]).sum();
        double best = CANDIDATES.stream().mapToDouble(c -> figures.get(c)[0]).max().orElseThrow();
        System.out.printf("MobileNetV2 from=auto chose %s: test accuracy %.4f (best of the sweep %.4f); probing %.2f s "
                + "(forward pass %.2f s), the sweep's build-head + train %.2f s (%.2f s a candidate); load average "
                + "%s%n", probe.chosen(), figures.get("auto")[0], best, probeSeconds, probe.featurizeSeconds(),
                sweepSeconds, sweepSeconds / CANDIDATES.size(), Files.readString(Path.of("/proc/loadavg")).trim());
        assertThat(probe.rows()).extracting(CutProbe.Row::layer).containsExactlyElementsOf(CANDIDATES);
        assertThat(probe.rows()).extracting(CutProbe.Row::features).containsExactly(576L, 320L, 1280L);
        assertThat(figures.get("auto")[0]).isGreaterThanOrEqualTo(best - 0.005);
        // times are printed, not asserted: a speed claim is a benchmark's
    }
}
