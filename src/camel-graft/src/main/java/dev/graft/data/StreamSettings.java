package dev.graft.data;

import dev.graft.spi.ConfigurationException;
import java.time.Duration;

/**
 * When and how fetch-dataset streams a data set from its records instead of decoding it into memory.
 *
 * @param mode    {@code auto} (the default) streams an image folder whose decoded examples would exceed
 *                {@code memoryBudget}; {@code true} always streams (image folders only); {@code false} never
 * @param workers decoder threads of one pass, default 2 (option {@code decodeWorkers})
 * @param depth   decoded batches a pass holds ahead of its reader at most, the prefetch queue; default 4 (option
 *                {@code prefetch})
 * @param timeout how long a reader waits for one batch before the run fails as bad data; default 60 s (option
 *                {@code decodeTimeout})
 */
public record StreamSettings(Mode mode, int workers, int depth, Duration timeout) {

    /** The {@code stream} option's values. */
    public enum Mode { AUTO, TRUE, FALSE }

    public StreamSettings {
        mode = mode == null ? Mode.AUTO : mode;
        if (workers < 1 || workers > 256) {
            throw new ConfigurationException(DatasetLoader.STEP + ": option 'decodeWorkers' has a bad value '"
                    + workers + "'; expected 1 to 256 threads");
        }
        if (depth < 1 || depth > 1024) {
            throw new ConfigurationException(DatasetLoader.STEP + ": option 'prefetch' has a bad value '" + depth
                    + "'; expected 1 to 1024 batches");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new ConfigurationException(DatasetLoader.STEP + ": option 'decodeTimeout' has a bad value '"
                    + timeout + "'; expected a positive number of seconds");
        }
    }

    /** auto, 2 decoder threads, 4 batches ahead, 60 s a batch. */
    public static StreamSettings defaults() {
        return new StreamSettings(Mode.AUTO, 2, 4, Duration.ofSeconds(60));
    }
}
