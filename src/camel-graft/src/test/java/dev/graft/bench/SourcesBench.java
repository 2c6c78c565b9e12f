package dev.graft.bench;

import dev.graft.data.DataFormat;
import dev.graft.data.DatasetLoader;
import dev.graft.data.FetchSpec;
import dev.graft.data.InputSpec;
import dev.graft.data.LimitSample;
import dev.graft.data.ReadBudget;
import dev.graft.data.StreamCounters;
import dev.graft.data.StreamSettings;
import dev.graft.spi.DataSplits;
import dev.graft.spi.ExampleStream;
import dev.graft.spi.LabeledSet;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Times fetch-dataset's sources (scripts/measure-sources.sh): for each source given, the load and one pass over every
 * split, in memory and streamed, with the images a second, the bytes read and the deepest prefetch queue sampled.
 * Prints figures only; nothing is asserted (timings are not test results).
 *
 * <p>Arguments: {@code name=source} pairs; a source ending in {@code @rgb} reads colour images at 96x96.
 */
public final class SourcesBench {

    private SourcesBench() {
    }

    /** Runs every {@code name=source} argument in memory and streamed, twice each, printing the second run. */
    public static void main(String[] args) throws Exception {
        for (String arg : args) {
            String name = arg.substring(0, arg.indexOf('='));
            String source = arg.substring(arg.indexOf('=') + 1);
            boolean rgb = source.endsWith("@rgb");
            String path = rgb ? source.substring(0, source.length() - 4) : source;
            for (StreamSettings.Mode mode : List.of(StreamSettings.Mode.FALSE, StreamSettings.Mode.TRUE)) {
                measure(name, path, rgb, mode); // warm-up
                System.out.println(measure(name, path, rgb, mode));
            }
        }
    }

    private static String measure(String name, String source, boolean rgb, StreamSettings.Mode mode)
            throws InterruptedException {
        FetchSpec spec = new FetchSpec(source, DataFormat.AUTO, 0.2, 0, List.of(), false, 0, 0, 255, 42, 0, 0, null,
                LimitSample.STRATIFIED, ReadBudget.defaults(),
                rgb ? new InputSpec(3, 96, 96, false, null, null) : null, List.of(),
                new StreamSettings(mode, 2, 4, Duration.ofSeconds(60)));
        long bytes = StreamCounters.bytesRead();
        AtomicInteger deepest = new AtomicInteger();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                deepest.accumulateAndGet(StreamCounters.queuedBatches(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        long start = System.nanoTime();
        DataSplits data = DatasetLoader.load(spec, null);
        long loaded = System.nanoTime();
        long examples = 0;
        for (LabeledSet set : Arrays.asList(data.train(), data.validation(), data.test())) {
            if (set == null) {
                continue;
            }
            if (set.streamed()) {
                try (ExampleStream.Pass pass = set.stream().open(64)) {
                    for (var x = pass.next(); x != null; x = pass.next()) {
                        examples += x.size(0);
                    }
                }
            } else {
                examples += set.features().size(0);
            }
        }
        long end = System.nanoTime();
        sampler.interrupt();
        sampler.join();
        double total = (end - start) / 1e9;
        return String.format(Locale.ROOT, "%-14s %-8s %6d examples  load %6.2f s  pass %6.2f s  total %6.2f s  "
                        + "%7.0f ex/s  %8.1f MB read  deepest queue %d", name, mode == StreamSettings.Mode.TRUE
                        ? "streamed" : "memory", examples, (loaded - start) / 1e9, (end - loaded) / 1e9, total,
                examples / total, (StreamCounters.bytesRead() - bytes) / 1e6, deepest.get());
    }
}
