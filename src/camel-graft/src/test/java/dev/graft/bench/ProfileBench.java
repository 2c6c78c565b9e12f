package dev.graft.bench;

import dev.graft.data.DataProfile;
import dev.graft.data.FeatureSample;
import dev.graft.engine.GraftEngine;
import dev.graft.engine.StepRegistry;
import dev.graft.spi.RunContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the data profile costs inside a real run: bench/frozen-transfer.yaml (LeNet, featurize-once) on
 * {@code bench.sizes} training images, {@code bench.reps} runs after one warm-up in one JVM; each run's profile
 * records the time it spent (the per-example statistics while fetch-dataset copies, the train/test overlap, and
 * the feature summary from train's featurized arrays), which is set against the run's wall time (its steps' sum).
 * Prints the medians. Needs the harness backbone in {@code bench.registry} (bench/run.sh makes it). Run with
 * {@code bench/run.sh SIZE REPS profile} (not part of the test suite).
 */
public final class ProfileBench {

    private ProfileBench() {
    }

    public static void main(String[] args) {
        String data = System.getProperty("bench.data", "/usr/share/datasets/fashion-mnist");
        String registry = System.getProperty("bench.registry", "target/bench-registry");
        int reps = Integer.getInteger("bench.reps", 3);
        for (String size : System.getProperty("bench.sizes", "30000").split(",")) {
            List<double[]> runs = new ArrayList<>();
            try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of("graft.data", data,
                    "graft.registry", registry, "bench.trainLimit", size, "bench.featurize", "true"))) {
                engine.load(Path.of("bench/frozen-transfer.yaml"));
                engine.prepareRunOnce();
                for (int r = 0; r <= reps; r++) {
                    RunContext run = engine.runOnce("bench-frozen-transfer");
                    double total = run.timings().stream().mapToDouble(RunContext.StepTiming::seconds).sum();
                    DataProfile profile = (DataProfile) run.attributes().get(DataProfile.ATTRIBUTE);
                    FeatureSample features = (FeatureSample) run.attributes().get(FeatureSample.ATTRIBUTE);
                    double[] row = {total, profile.seconds(), features.seconds()};
                    System.out.printf(Locale.ROOT, "   %s run %d: %.2f s; profile %.3f s while fetching, %.3f s feature "
                            + "summary (%d x %d features)%n", r == 0 ? "warm-up" : "counted", r, row[0], row[1], row[2],
                            features.examples(), features.dimension());
                    if (r > 0) {
                        runs.add(row);
                    }
                }
            }
            double run = median(runs, 0);
            double fetch = median(runs, 1);
            double features = median(runs, 2);
            System.out.printf(Locale.ROOT, "== profile cost, %s images: run %.2f s, profile %.3f s + feature summary %.3f s"
                    + " = %.2f%% of the run (medians of %d)%n", size, run, fetch, features, 100 * (fetch + features) / run,
                    runs.size());
        }
    }

    private static double median(List<double[]> rows, int column) {
        double[] v = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
