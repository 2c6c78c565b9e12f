package dev.graft.spi;

import java.time.Duration;

/**
 * Meters a step records for its run's route. Every meter carries the route's id as its {@code route} tag and no
 * per-run tag; names are dotted lowercase ({@code myplugin.images.augmented}) and exported to Prometheus with
 * underscores. Implementations are thread-safe; outside an engine they record nothing.
 */
public interface StepMeters {

    /** Adds {@code amount} (at least 0) to the counter {@code name}, created at 0 on first use. */
    void count(String name, String description, double amount);

    /** Sets the gauge {@code name} to {@code value}; it keeps the latest value set. */
    void gauge(String name, String description, double value);

    /** Records one duration of the timer {@code name}. */
    void time(String name, String description, Duration duration);

    /** Meters that record nothing, for steps run outside an engine (tests, validation). */
    static StepMeters none() {
        return new StepMeters() {
            @Override
            public void count(String name, String description, double amount) {
            }

            @Override
            public void gauge(String name, String description, double value) {
            }

            @Override
            public void time(String name, String description, Duration duration) {
            }
        };
    }
}
